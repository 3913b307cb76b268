/**
 * The reference broadcast (3,000 private chats, 60 messages to one group, 20 to one busy private
 * chat; lower bound 120 s) in virtual time against the simulator's rate model, through three
 * strategies. Reported: makespan / lower bound, and 429s as a share of the messages.
 *  a. this library with `throttle: true`;
 *  b. this library without throttle: retries only, like grammY's auto-retry;
 *  c. one FIFO queue behind one global limiter, like grammY's transformer-throttler, written here:
 *     messages leave in arrival order, each waiting for a bot-wide slot (1 per 34 ms, the engine's
 *     own spacing for 30/s) and for its chat's 1 s spacing, which holds the whole queue meanwhile; a
 *     429 sends the message back to the end of the queue after `retry_after`.
 * The brief's reference figures are printed beside ours.
 *
 * All three run on the package's `createManualClock()` (b makes ~470,000 sleeps).
 */
import { loadBuilt, report, round } from './common.mjs';

const { createResilience, createManualClock } = await loadBuilt('index.js');
const { runVirtualBroadcast, referenceBroadcast } = await loadBuilt('sim/index.js');

const REFERENCE = {
  autoRetryRatio: 1.87,
  autoRetryFloods: 156_713,
  autoRetryThrottlerRatio: '1.98-2.16',
  targetRatio: 1.05,
  targetFloodShare: 0.005,
};

/** Every message through the engine at once, as a broadcaster would. */
function throughEngine(resilience) {
  return (send, messages) =>
    Promise.all(
      messages.map((m) =>
        resilience.call((attempt) => send(attempt.params), { method: 'sendMessage', params: { chat_id: m.chatId, text: m.text } }),
      ),
    );
}

/** Strategy c: a single FIFO queue with a global slot and per-chat spacing, re-queueing on 429. */
function fifoBehindGlobalLimiter(clock) {
  const GLOBAL_INTERVAL_MS = Math.ceil(1000 / 30);
  const CHAT_INTERVAL_MS = 1000;
  return async (send, messages) => {
    const queue = messages.map((m) => ({ ...m }));
    let head = 0;
    let inFlight = 0;
    let nextGlobalAt = 0;
    const chatNextAt = new Map();
    let wakeDispatcher;
    const woken = () => new Promise((resolve) => (wakeDispatcher = resolve));

    const deliver = async (message) => {
      try {
        await send({ chat_id: message.chatId, text: message.text });
      } catch (error) {
        const retryAfter = error?.parameters?.retry_after;
        if (error?.error_code !== 429 || typeof retryAfter !== 'number') throw error;
        await clock.sleep(retryAfter * 1000);
        queue.push(message);
      } finally {
        inFlight--;
        wakeDispatcher?.();
      }
    };

    const failures = [];
    while (head < queue.length || inFlight > 0) {
      if (head >= queue.length) {
        await woken();
        continue;
      }
      const message = queue[head];
      const at = Math.max(nextGlobalAt, chatNextAt.get(message.chatId) ?? 0);
      if (at > clock.now()) {
        await clock.sleep(at - clock.now());
        continue;
      }
      head++;
      nextGlobalAt = clock.now() + GLOBAL_INTERVAL_MS;
      chatNextAt.set(message.chatId, clock.now() + CHAT_INTERVAL_MS);
      inFlight++;
      deliver(message).catch((error) => failures.push(error));
      // Compacts the array now and then so a long run does not keep every delivered message.
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
    }
    if (failures.length > 0) throw failures[0];
  };
}

async function run(name, makeStrategy, { makeClock = createManualClock, slice = 0 } = {}) {
  const clock = makeClock();
  const { lowerBoundMs, ...reference } = referenceBroadcast();
  const messages = reference.messages.slice(slice);
  const { strategy, close } = makeStrategy(clock);
  const started = Date.now();
  const result = await runVirtualBroadcast({ clock, messages, strategy });
  const realMs = Date.now() - started;
  await close?.();
  if (result.delivered !== messages.length) throw new Error(`${name}: delivered ${result.delivered} of ${messages.length}`);
  return {
    ratio: result.makespanMs / lowerBoundMs,
    makespanS: result.makespanMs / 1000,
    floods: result.floods,
    floodShare: result.floods / messages.length,
    duplicates: result.duplicates,
    realMs,
    messages: messages.length,
    makespanMs: result.makespanMs,
  };
}

function retriesOnlyStrategy(clock) {
  const resilience = createResilience({ clock, maxFloodWaits: Number.POSITIVE_INFINITY, maxTotalDelayMs: Number.POSITIVE_INFINITY });
  return { strategy: throughEngine(resilience), close: () => resilience.close() };
}

const throttled = await run('throttle: true', (clock) => {
  const resilience = createResilience({ clock, throttle: true });
  return { strategy: throughEngine(resilience), close: () => resilience.close() };
});
const retriesOnly = await run('retries only', retriesOnlyStrategy);
const fifo = await run('single FIFO', (clock) => ({ strategy: fifoBehindGlobalLimiter(clock) }));

const pct = (share) => round(share * 100, 2);
const result = {
  bench: 'broadcast',
  messages: throttled.messages,
  lowerBoundS: 120,
  throttledRatio: round(throttled.ratio, 3),
  throttledFloods: throttled.floods,
  throttledFloodPct: pct(throttled.floodShare),
  throttledDuplicates: throttled.duplicates,
  throttledTargetMet: throttled.ratio <= REFERENCE.targetRatio && throttled.floodShare < REFERENCE.targetFloodShare,
  retriesOnlyRatio: round(retriesOnly.ratio, 3),
  retriesOnlyFloods: retriesOnly.floods,
  retriesOnlyFloodPct: pct(retriesOnly.floodShare),
  retriesOnlyDuplicates: retriesOnly.duplicates,
  fifoRatio: round(fifo.ratio, 3),
  fifoFloods: fifo.floods,
  fifoFloodPct: pct(fifo.floodShare),
  fifoDuplicates: fifo.duplicates,
  referenceAutoRetryRatio: REFERENCE.autoRetryRatio,
  referenceAutoRetryFloods: REFERENCE.autoRetryFloods,
  referenceAutoRetryThrottlerRatio: REFERENCE.autoRetryThrottlerRatio,
  realMs: { throttled: throttled.realMs, retriesOnly: retriesOnly.realMs, fifo: fifo.realMs },
};
report(
  result,
  `broadcast (${result.messages} messages, bound 120 s): throttle ${result.throttledRatio}x, ${result.throttledFloods} 429s ` +
    `(${result.throttledFloodPct}%; target <= 1.05x and < 0.5%: ${result.throttledTargetMet ? 'met' : 'MISSED'}); ` +
    `retries only ${result.retriesOnlyRatio}x, ${result.retriesOnlyFloods} 429s (${result.retriesOnlyFloodPct}%) ` +
    `[reference auto-retry ${REFERENCE.autoRetryRatio}x, ${REFERENCE.autoRetryFloods} 429s]; ` +
    `single FIFO ${result.fifoRatio}x, ${result.fifoFloods} 429s (${result.fifoFloodPct}%) ` +
    `[reference auto-retry + transformer-throttler ${REFERENCE.autoRetryThrottlerRatio}x]`,
);
