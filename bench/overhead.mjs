/**
 * Overhead on success: what wrapping a call that succeeds at once costs, in ns per call, against
 * calling the function directly and against p-retry 7 (the peer a hand-rolled retry would use).
 * Every variant runs the same loop in the same process; rounds are interleaved so that JIT warm-up
 * and CPU frequency drift hit all variants alike, and the median round is reported.
 */
import pRetry from 'p-retry';
import { loadBuilt, median, report, round } from './common.mjs';

const { createResilience } = await loadBuilt('index.js');

const ITERATIONS = 200_000;
const ROUNDS = 5;
const WARMUP = 50_000;

const fn = async () => 1;
const plain = createResilience();
const throttled = createResilience({ throttle: true });
const getMe = { method: 'getMe' };
// Every option explicit: p-retry 7.1 is slower with partial option objects, and the engine gives all.
const pRetryOptions = {
  retries: 5,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 30_000,
  maxRetryTime: Number.POSITIVE_INFINITY,
  randomize: true,
  unref: false,
  onFailedAttempt: () => {},
  shouldRetry: () => true,
  shouldConsumeRetry: () => true,
};

const variants = {
  direct: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await fn();
    return sum;
  },
  call: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await plain.call(fn);
    return sum;
  },
  callThrottledUnpaced: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await throttled.call(fn, getMe);
    return sum;
  },
  pRetry: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await pRetry(fn, pRetryOptions);
    return sum;
  },
};

async function time(name, n) {
  const start = process.hrtime.bigint();
  const sum = await variants[name](n);
  const ns = Number(process.hrtime.bigint() - start);
  if (sum !== n) throw new Error(`${name}: expected ${n} results, got ${sum}`);
  return ns / n;
}

for (const name of Object.keys(variants)) await time(name, WARMUP);

const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(variants)) samples[name].push(await time(name, ITERATIONS));
}
const ns = Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, median(list)]));
await plain.close();
await throttled.close();

const result = {
  bench: 'overhead',
  iterations: ITERATIONS,
  rounds: ROUNDS,
  nsDirect: round(ns.direct, 1),
  nsCall: round(ns.call, 1),
  nsCallThrottledUnpaced: round(ns.callThrottledUnpaced, 1),
  nsPRetry: round(ns.pRetry, 1),
  addedNsCall: round(ns.call - ns.direct, 1),
  addedNsCallThrottledUnpaced: round(ns.callThrottledUnpaced - ns.direct, 1),
  addedNsPRetry: round(ns.pRetry - ns.direct, 1),
  ratioCallToDirect: round(ns.call / ns.direct),
  ratioCallToPRetry: round(ns.call / ns.pRetry),
  ratioThrottledToPRetry: round(ns.callThrottledUnpaced / ns.pRetry),
};
report(
  result,
  `overhead: direct ${result.nsDirect} ns, call ${result.nsCall} ns (+${result.addedNsCall}), ` +
    `call+throttle getMe ${result.nsCallThrottledUnpaced} ns (+${result.addedNsCallThrottledUnpaced}), ` +
    `p-retry ${result.nsPRetry} ns (+${result.addedNsPRetry}); call/p-retry ${result.ratioCallToPRetry}x, ` +
    `throttled/p-retry ${result.ratioThrottledToPRetry}x`,
);
