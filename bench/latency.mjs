/**
 * Latency the throttle adds to a paced call that is UNDER the limit: 2,000 sequential sendMessage
 * calls to distinct chats through `throttle: { globalPerSecond: 100000, chatPerSecond: 1000 }`,
 * measured per call as wall time minus the fn's own time (process.hrtime.bigint()).
 *
 * The floor (fn called directly) and the engine without throttle run 1,000 spaced calls for reference.
 *
 * Two schedules, both for the engine and for the peer (bottleneck 2.19.5, `minTime: 1`, the engine's
 * effective spacing: its pacing intervals are whole milliseconds, so 100,000/s becomes 1 per ms):
 *  - spaced: each call starts >= 2 ms after the previous one started, so it is under the limit for
 *    both limiters; whatever they add is pure overhead;
 *  - back-to-back (1,000 calls): each call starts as soon as the previous one resolved (the brief's literal setup);
 *    both limiters then hold calls to their 1 ms spacing, so this shows the cost of the spacing.
 *
 * And the default limits (`throttle: true`), as a bot runs: 300 `sendMessage` calls to distinct chats,
 * each started 40 ms after the previous one (under the bot-wide 30/s), against cockatiel 3 (a retry
 * policy with exponential backoff, the resilience library a bot would otherwise wrap its calls in;
 * it does not pace, so what it adds is the floor of a policy wrapper on the same schedule).
 */
import Bottleneck from 'bottleneck';
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import { loadBuilt, quantile, report, round, sleep } from './common.mjs';

const { createResilience } = await loadBuilt('index.js');

const CALLS = 2_000;
/** The reference runs (direct, engine without throttle) and back-to-back runs: fewer keep the run short. */
const SHORT_RUN_CALLS = 1_000;
const GAP_MS = 2;
/** The default-limits run: calls 40 ms apart (under 30/s), fewer of them (40 ms each adds up). */
const DEFAULT_LIMITS_GAP_MS = 40;
const DEFAULT_LIMITS_CALLS = 300;

/** The "Telegram call": records when it ran, so its own time is taken out of the measurement. */
function probe() {
  const span = { start: 0n, end: 0n };
  const fn = async () => {
    span.start = process.hrtime.bigint();
    const value = { message_id: 1 };
    span.end = process.hrtime.bigint();
    return value;
  };
  return { span, fn };
}

/**
 * Runs sequential calls through `viaLimiter(fn, input)`; returns added latencies in µs, sorted.
 * `prepare(i)` builds what a call is given (its params) before the clock starts: the caller would
 * have built them anyway, and a peer that takes none must not be credited with not building them.
 */
async function measure(viaLimiter, spaced, calls = spaced ? CALLS : SHORT_RUN_CALLS, gapMs = GAP_MS, prepare = (i) => i) {
  const added = [];
  for (let i = 0; i < calls; i++) {
    if (spaced) await sleep(gapMs);
    const { span, fn } = probe();
    const input = prepare(i);
    const t0 = process.hrtime.bigint();
    await viaLimiter(fn, input);
    const t1 = process.hrtime.bigint();
    added.push(Number(t1 - t0 - (span.end - span.start)) / 1000);
  }
  return added.sort((a, b) => a - b);
}

function summary(sorted) {
  return { p50: round(quantile(sorted, 0.5), 1), p99: round(quantile(sorted, 0.99), 1) };
}

async function runEngine(spaced, throttle = { globalPerSecond: 100_000, chatPerSecond: 1_000 }, calls) {
  const resilience = createResilience({ throttle });
  const sorted = await measure((fn, info) => resilience.call(fn, info), spaced, calls, GAP_MS, (i) => ({
    method: 'sendMessage',
    params: { chat_id: 2_000_000 + i, text: `hi #${i}` },
  }));
  await resilience.close();
  return summary(sorted);
}

/**
 * The measurement floor: the same schedule calling fn directly. After a 2 ms gap every path runs
 * with cold caches, so each costs more than in a tight loop (see overhead.mjs for that).
 */
async function runDirect(spaced) {
  return summary(await measure((fn) => fn(), spaced, SHORT_RUN_CALLS));
}

async function runBottleneck(spaced) {
  const limiter = new Bottleneck({ minTime: 1, maxConcurrent: null });
  const sorted = await measure((fn) => limiter.schedule(fn), spaced);
  await limiter.disconnect();
  return summary(sorted);
}

/** The default limits (`throttle: true`), calls 40 ms apart to distinct chats. */
async function runEngineDefaultLimits() {
  const resilience = createResilience({ throttle: true });
  const sorted = await measure((fn, info) => resilience.call(fn, info), true, DEFAULT_LIMITS_CALLS, DEFAULT_LIMITS_GAP_MS, (i) => ({
    method: 'sendMessage',
    params: { chat_id: 3_000_000 + i, text: `hi #${i}` },
  }));
  await resilience.close();
  return summary(sorted);
}

async function runCockatiel() {
  const policy = retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });
  return summary(await measure((fn) => policy.execute(fn), true, DEFAULT_LIMITS_CALLS, DEFAULT_LIMITS_GAP_MS));
}

// Warm-up: compile both paths before measuring.
{
  const warm = createResilience({ throttle: { globalPerSecond: 100_000, chatPerSecond: 1_000 } });
  for (let i = 0; i < 300; i++) await warm.call(probe().fn, { method: 'sendMessage', params: { chat_id: 9_000_000 + i, text: 'w' } });
  await warm.close();
  const warmPeer = new Bottleneck({ minTime: 1, maxConcurrent: null });
  for (let i = 0; i < 300; i++) await warmPeer.schedule(probe().fn);
  await warmPeer.disconnect();
  const warmCockatiel = retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });
  for (let i = 0; i < 300; i++) await warmCockatiel.execute(probe().fn);
}

const directSpaced = await runDirect(true);
const engineNoThrottleSpaced = await runEngine(true, false, SHORT_RUN_CALLS);
const engineSpaced = await runEngine(true);
const bottleneckSpaced = await runBottleneck(true);
const engineDefault = await runEngineDefaultLimits();
const cockatielDefault = await runCockatiel();
const engineBackToBack = await runEngine(false);
const bottleneckBackToBack = await runBottleneck(false);

const result = {
  bench: 'latency',
  calls: CALLS,
  shortRunCalls: SHORT_RUN_CALLS,
  spacedGapMs: GAP_MS,
  directSpacedP50Us: directSpaced.p50,
  directSpacedP99Us: directSpaced.p99,
  engineNoThrottleSpacedP50Us: engineNoThrottleSpaced.p50,
  engineNoThrottleSpacedP99Us: engineNoThrottleSpaced.p99,
  engineSpacedP50Us: engineSpaced.p50,
  engineSpacedP99Us: engineSpaced.p99,
  bottleneckSpacedP50Us: bottleneckSpaced.p50,
  bottleneckSpacedP99Us: bottleneckSpaced.p99,
  ratioSpacedP50: round(bottleneckSpaced.p50 / engineSpaced.p50, 1),
  defaultLimitsGapMs: DEFAULT_LIMITS_GAP_MS,
  defaultLimitsCalls: DEFAULT_LIMITS_CALLS,
  engineDefaultP50Us: engineDefault.p50,
  engineDefaultP99Us: engineDefault.p99,
  cockatielDefaultP50Us: cockatielDefault.p50,
  cockatielDefaultP99Us: cockatielDefault.p99,
  engineBackToBackP50Us: engineBackToBack.p50,
  engineBackToBackP99Us: engineBackToBack.p99,
  bottleneckBackToBackP50Us: bottleneckBackToBack.p50,
  bottleneckBackToBackP99Us: bottleneckBackToBack.p99,
};
report(
  result,
  `latency (µs added per call): under the limit direct call p50 ${directSpaced.p50} / p99 ${directSpaced.p99}, engine without throttle p50 ${engineNoThrottleSpaced.p50} / p99 ${engineNoThrottleSpaced.p99}, throttled engine p50 ${engineSpaced.p50} / p99 ${engineSpaced.p99}, ` +
    `bottleneck p50 ${bottleneckSpaced.p50} / p99 ${bottleneckSpaced.p99} (bottleneck/engine p50 ${result.ratioSpacedP50}x); ` +
    `default limits 40 ms apart engine p50 ${engineDefault.p50} / p99 ${engineDefault.p99}, cockatiel p50 ${cockatielDefault.p50} / p99 ${cockatielDefault.p99}; ` +
    `back-to-back engine p50 ${engineBackToBack.p50} / p99 ${engineBackToBack.p99}, ` +
    `bottleneck p50 ${bottleneckBackToBack.p50} / p99 ${bottleneckBackToBack.p99}`,
);
