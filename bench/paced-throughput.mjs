/**
 * Sustained paced throughput on the real clock: 5,000 paid-broadcast sendMessage calls to distinct
 * chats, all queued at once, through `createResilience({ throttle: true })` (paid broadcasts are
 * paced at 1,000/s, Telegram's ceiling for them). Peer: bottleneck 2.19.5 with `minTime: 1` and no
 * concurrency cap, scheduling the same 5,000 jobs. Both are limited to 1 message per ms, so the
 * interesting number is how close each gets to that ceiling (timer lateness is the usual thief).
 * A third, informational run sets every limit to 1e9/s: pacing intervals are whole milliseconds
 * (rounded up), so even then the scheduler lets at most one message per ms through (2,000 calls).
 */
import Bottleneck from 'bottleneck';
import { loadBuilt, report, round } from './common.mjs';

const { createResilience } = await loadBuilt('index.js');

const CALLS = 5_000;
const send = async () => ({ ok: true });

async function throughEngine(throttle, count = CALLS) {
  const resilience = createResilience({ throttle });
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
  return count / seconds;
}

async function throughBottleneck() {
  const limiter = new Bottleneck({ minTime: 1, maxConcurrent: null });
  const start = process.hrtime.bigint();
  const jobs = [];
  for (let i = 0; i < CALLS; i++) jobs.push(limiter.schedule(send, { chat_id: 1_000_000 + i, text: `paid #${i}` }));
  await Promise.all(jobs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await limiter.disconnect();
  return CALLS / seconds;
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

const engineRate = await throughEngine(true);
const bottleneckRate = await throughBottleneck();
const ceilingRate = await throughEngine({ paidBroadcastPerSecond: 1e9, globalPerSecond: 1e9, chatPerSecond: 1e9 }, 2_000);

const result = {
  bench: 'paced-throughput',
  calls: CALLS,
  limitPerSecond: 1000,
  engineCallsPerSecond: round(engineRate, 1),
  bottleneckCallsPerSecond: round(bottleneckRate, 1),
  ratioEngineToBottleneck: round(engineRate / bottleneckRate),
  engineTargetMet: engineRate >= 1000,
  limitsAt1e9CallsPerSecond: round(ceilingRate, 0),
};
report(
  result,
  `paced-throughput: engine ${result.engineCallsPerSecond}/s (target >= 1000/s: ${result.engineTargetMet ? 'met' : 'MISSED'}), ` +
    `bottleneck ${result.bottleneckCallsPerSecond}/s, ratio ${result.ratioEngineToBottleneck}x; ` +
    `with every limit at 1e9/s (intervals round up to 1 ms) ${result.limitsAt1e9CallsPerSecond}/s`,
);
