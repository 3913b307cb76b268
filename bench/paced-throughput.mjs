/**
 * Sustained paced throughput on the real clock: 5,000 paid-broadcast sendMessage calls to distinct
 * chats, all queued at once, through `createResilience({ throttle: true })` (paid broadcasts are
 * paced at 1,000/s, Telegram's ceiling for them). Peer: bottleneck 2.19.5 with `minTime: 1` and no
 * concurrency cap, scheduling the same 5,000 jobs. Both are limited to 1 message per ms, so the
 * interesting number is how close each gets to that ceiling (timer lateness is the usual thief).
 * "Sustained" is the rate between the first and the last send (queueing 5,000 calls blocks the event
 * loop for ~60 ms before the first timer can fire; that start-up is reported separately as the
 * end-to-end rate). The targets: no 1,000 ms window of send times holds more than 1,000 (issue 10:
 * "paid: no 1,000 ms window over 1,000"), and the rate is the ceiling less the timing margin only
 * (docs/throttling.md: slots (1,000 + margin) / 1,000 ms apart; here the answers come at once, so
 * the margin is learned small: >= 97% of the ceiling). A third, informational run sets every limit
 * to 1e9/s.
 */
import Bottleneck from 'bottleneck';
import { loadBuilt, maxInWindow, report, round } from './common.mjs';

const { createResilience } = await loadBuilt('index.js');

const CALLS = 5_000;
let sentAt = [];
const send = async () => {
  sentAt.push(performance.now());
  return { ok: true };
};
/** Calls per second between the first and the last send. */
const sustained = () => (sentAt.length - 1) / ((sentAt[sentAt.length - 1] - sentAt[0]) / 1000);

async function throughEngine(throttle, count = CALLS) {
  const resilience = createResilience({ throttle });
  sentAt = [];
  const start = process.hrtime.bigint();
  const calls = [];
  for (let i = 0; i < count; i++) {
    calls.push(
      resilience.call(send, {
        method: 'sendMessage',
        params: { chat_id: 1_000_000 + i, text: `paid #${i}`, allow_paid_broadcast: true },
      }),
    );
  }
  await Promise.all(calls);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await resilience.close();
  return { endToEnd: count / seconds, sustained: sustained(), maxIn1000ms: maxInWindow(sentAt, 1000) };
}

async function throughBottleneck() {
  const limiter = new Bottleneck({ minTime: 1, maxConcurrent: null });
  sentAt = [];
  const start = process.hrtime.bigint();
  const jobs = [];
  for (let i = 0; i < CALLS; i++) jobs.push(limiter.schedule(send, { chat_id: 1_000_000 + i, text: `paid #${i}` }));
  await Promise.all(jobs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await limiter.disconnect();
  return { endToEnd: CALLS / seconds, sustained: sustained() };
}

// A short warm-up of both paths so neither pays for JIT compilation inside the measurement.
{
  const warm = createResilience({ throttle: true });
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      warm.call(send, { method: 'sendMessage', params: { chat_id: i + 1, text: 'w', allow_paid_broadcast: true } }),
    ),
  );
  await warm.close();
  const warmPeer = new Bottleneck({ minTime: 1, maxConcurrent: null });
  await Promise.all(Array.from({ length: 200 }, () => warmPeer.schedule(send)));
  await warmPeer.disconnect();
}

const engine = await throughEngine(true);
const peer = await throughBottleneck();
const ceiling = await throughEngine({ paidBroadcastPerSecond: 1e9, globalPerSecond: 1e9, chatPerSecond: 1e9 }, 2_000);
const engineRate = engine.sustained;
const bottleneckRate = peer.sustained;
const ceilingRate = ceiling.endToEnd;

const result = {
  bench: 'paced-throughput',
  calls: CALLS,
  limitPerSecond: 1000,
  engineCallsPerSecond: round(engineRate, 1),
  engineEndToEndCallsPerSecond: round(engine.endToEnd, 1),
  bottleneckCallsPerSecond: round(bottleneckRate, 1),
  bottleneckEndToEndCallsPerSecond: round(peer.endToEnd, 1),
  ratioEngineToBottleneck: round(engineRate / bottleneckRate),
  engineMaxIn1000ms: engine.maxIn1000ms,
  engineTargetMet: engine.maxIn1000ms <= 1000 && engineRate >= 970,
  limitsAt1e9CallsPerSecond: round(ceilingRate, 0),
};
report(
  result,
  `paced-throughput: engine sustained ${result.engineCallsPerSecond}/s, end to end ${result.engineEndToEndCallsPerSecond}/s ` +
    `at most ${engine.maxIn1000ms} in any 1,000 ms (targets: <= 1,000 in any 1,000 ms, >= 970/s: ${result.engineTargetMet ? 'met' : 'MISSED'}), ` +
    `bottleneck ${result.bottleneckCallsPerSecond}/s, ratio ${result.ratioEngineToBottleneck}x; ` +
    `with every limit at 1e9/s ${result.limitsAt1e9CallsPerSecond}/s`,
);
