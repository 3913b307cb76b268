/**
 * Overhead on success: what wrapping a call that succeeds at once costs, in ns per call, against
 * calling the function directly, against the least a wrapper that can see failures does
 * (`fn().then(undefined, rethrow)`), against p-retry 7 (the peer a hand-rolled retry would use),
 * and, for the grammY transformer, against `@grammyjs/auto-retry` (the transformer it replaces).
 * Every variant runs the same loop in the same process; rounds are interleaved so that JIT warm-up
 * and CPU frequency drift hit all variants alike, and the median round is reported (in CPU time).
 * Then each pair compared against a target runs again alone in a child process (`--pair a,b`):
 * in the shared process one engine serves four call shapes (no info, `getMe` throttled, the
 * transformer's), which V8 optimizes for all of them at once, while an app's process mostly makes
 * one kind of call, and auto-retry's code serves one variant only.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pRetry from 'p-retry';
import { autoRetry } from '@grammyjs/auto-retry';
import { loadBuilt, median, report, round } from './common.mjs';

const { createResilience } = await loadBuilt('index.js');
const { grammyTransformer } = await loadBuilt('adapters/grammy.js');

const ITERATIONS = 200_000;
const ROUNDS = 9;
const WARMUP = 50_000;

const fn = async () => 1;
const plain = createResilience();
const throttled = createResilience({ throttle: true });
const getMe = { method: 'getMe' };
const rethrow = (error) => {
  throw error;
};
// What a wrapper that can retry must do on top: keep `fn` reachable from its rejection handler (a
// closure per call). The least such wrapper; `retryOf` stands for the retry it would start.
const retryOf = (again, error) => {
  if (again) throw error;
};
// grammY's side of a transformer: `prev` answers like the Bot API does, and grammY passes no signal
// unless the user gave one. The payload names a chat, so the engine looks up known migrations.
const answer = { ok: true, result: 1 };
const prev = async () => answer;
const payload = { chat_id: 12_345, text: 'hi' };
const viaResilience = grammyTransformer(createResilience());
const viaAutoRetry = autoRetry();
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
  bare: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await fn().then(undefined, rethrow);
    return sum;
  },
  retryable: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const f = fn;
      sum += await f().then(undefined, (error) => retryOf(f, error));
    }
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
  grammyTransformer: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (await viaResilience(prev, 'sendMessage', payload, undefined)).result;
    return sum;
  },
  grammyAutoRetry: async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (await viaAutoRetry(prev, 'sendMessage', payload, undefined)).result;
    return sum;
  },
};

/**
 * CPU time (user + system) of the process per call, not wall time: on a shared machine wall time
 * also counts the time other processes held the CPU, which moves ratios by 30% from run to run.
 */
async function time(name, n) {
  const start = process.cpuUsage();
  const sum = await variants[name](n);
  const used = process.cpuUsage(start);
  const ns = (used.user + used.system) * 1000;
  if (sum !== n) throw new Error(`${name}: expected ${n} results, got ${sum}`);
  return ns / n;
}

const pair = process.argv[2] === '--pair' ? process.argv[3].split(',') : undefined;
if (pair) for (const name of Object.keys(variants)) if (!pair.includes(name)) delete variants[name];

for (const name of Object.keys(variants)) await time(name, WARMUP);

const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(variants)) samples[name].push(await time(name, ITERATIONS));
}
const ns = Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, median(list)]));
await plain.close();
await throttled.close();
if (pair) {
  process.stdout.write(`${JSON.stringify(ns)}\n`);
  process.exit(0);
}

/** Medians of `names` measured alone in a child process. */
function alone(...names) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--pair', names.join(',')], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`overhead --pair ${names}: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}
const callAlone = alone('bare', 'retryable', 'call');
const transformerAlone = alone('grammyTransformer', 'grammyAutoRetry');

const result = {
  bench: 'overhead',
  iterations: ITERATIONS,
  rounds: ROUNDS,
  nsDirect: round(ns.direct, 1),
  nsBare: round(ns.bare, 1),
  nsCall: round(ns.call, 1),
  nsCallThrottledUnpaced: round(ns.callThrottledUnpaced, 1),
  nsPRetry: round(ns.pRetry, 1),
  nsGrammyTransformer: round(ns.grammyTransformer, 1),
  nsGrammyAutoRetry: round(ns.grammyAutoRetry, 1),
  addedNsCall: round(ns.call - ns.direct, 1),
  addedNsCallThrottledUnpaced: round(ns.callThrottledUnpaced - ns.direct, 1),
  addedNsPRetry: round(ns.pRetry - ns.direct, 1),
  ratioCallToDirect: round(ns.call / ns.direct),
  ratioCallToBare: round(ns.call / ns.bare),
  nsRetryable: round(ns.retryable, 1),
  ratioRetryableToBare: round(ns.retryable / ns.bare),
  ratioCallToRetryable: round(ns.call / ns.retryable),
  ratioCallToPRetry: round(ns.call / ns.pRetry),
  ratioGrammyTransformerToAutoRetry: round(ns.grammyTransformer / ns.grammyAutoRetry),
  ratioThrottledToPRetry: round(ns.callThrottledUnpaced / ns.pRetry),
  // Each pair alone in its own process (see the header).
  alone: {
    nsBare: round(callAlone.bare, 1),
    nsCall: round(callAlone.call, 1),
    ratioCallToBare: round(callAlone.call / callAlone.bare),
    nsRetryable: round(callAlone.retryable, 1),
    ratioRetryableToBare: round(callAlone.retryable / callAlone.bare),
    nsGrammyTransformer: round(transformerAlone.grammyTransformer, 1),
    nsGrammyAutoRetry: round(transformerAlone.grammyAutoRetry, 1),
    ratioGrammyTransformerToAutoRetry: round(transformerAlone.grammyTransformer / transformerAlone.grammyAutoRetry),
  },
};
report(
  result,
  `overhead: direct ${result.nsDirect} ns, bare then ${result.nsBare} ns, call ${result.nsCall} ns (+${result.addedNsCall}, ` +
    `${result.ratioCallToBare}x bare; the least retryable wrapper ${result.nsRetryable} ns, ${result.ratioRetryableToBare}x bare), ` +
    `call+throttle getMe ${result.nsCallThrottledUnpaced} ns (+${result.addedNsCallThrottledUnpaced}), ` +
    `p-retry ${result.nsPRetry} ns (+${result.addedNsPRetry}); call/p-retry ${result.ratioCallToPRetry}x, ` +
    `throttled/p-retry ${result.ratioThrottledToPRetry}x; grammyTransformer ${result.nsGrammyTransformer} ns, ` +
    `auto-retry ${result.nsGrammyAutoRetry} ns (${result.ratioGrammyTransformerToAutoRetry}x); each pair alone in a process: ` +
    `call ${result.alone.ratioCallToBare}x bare (the least retryable wrapper ${result.alone.ratioRetryableToBare}x), grammyTransformer ${result.alone.ratioGrammyTransformerToAutoRetry}x auto-retry`,
);
