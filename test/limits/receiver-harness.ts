/**
 * The receiver-side harness of the pacing properties: a receiver one random one-way latency away
 * that counts Telegram's sliding windows on arrival (bot 30 per 1 s, group 20 per 60 s, paid 1,000
 * per 1 s, or stricter ones given) and refuses with Telegram's 429 whatever would exceed one; and a
 * broadcast of random traffic through one throttled engine on the manual clock, with or without
 * event-loop stalls in the sender.
 */
import fc from 'fast-check';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import { mulberry32 } from '../../src/sim/faults.js';
import { createStalledClock, stallsBetween } from '../../src/sim/stalls.js';
import { tooManyRequests } from '../helpers/failures.js';

export interface Arrival {
  at: number;
  chat: number;
  index: number;
  paid: boolean;
}

/** Telegram's limits, as the receiver counts them unless told others. */
export const LIMITS = { bot: 30, group: 20, paid: 1_000 };

export type ReceiverLimits = typeof LIMITS;

/** The most arrivals in any window `(t - windowMs, t]`. */
export function most(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** How long until `times` (arrivals) leave room for one more in a `windowMs` window of `limit`; 0: now. */
function waitFor(times: number[], limit: number, windowMs: number, now: number): number {
  const inWindow = times.filter((t) => t > now - windowMs).sort((a, b) => a - b);
  return inWindow.length < limit ? 0 : inWindow[inWindow.length - limit]! + windowMs - now;
}

/**
 * A receiver `oneWay()` ms away each way that judges each request on arrival, in arrival order, and
 * refuses with a 429 whose retry_after is the whole seconds until a slot frees. Its answers reach
 * the sender through `back` (the sender's own, maybe stalled, clock).
 */
function receiver(clock: ManualClock, oneWay: () => number, back: ManualClock, limits: ReceiverLimits) {
  const accepted: Arrival[] = [];
  const refusals: Arrival[] = [];
  const send = async (chat: number, index: number, paid: boolean) => {
    await clock.sleep(oneWay());
    const now = clock.now();
    const scope = accepted.filter((a) => a.paid === paid).map((a) => a.at);
    const waits = [waitFor(scope, paid ? limits.paid : limits.bot, 1_000, now)];
    if (chat < 0) waits.push(waitFor(accepted.filter((a) => a.chat === chat).map((a) => a.at), limits.group, 60_000, now));
    const wait = Math.max(...waits);
    (wait === 0 ? accepted : refusals).push({ at: now, chat, index, paid });
    await back.sleep(oneWay());
    if (wait > 0) throw tooManyRequests(Math.max(1, Math.ceil(wait / 1000)));
    return { message_id: index };
  };
  return { send, accepted, refusals, refused: () => refusals.length };
}

export const traffic = fc.record({
  privates: fc.integer({ min: 0, max: 120 }),
  groups: fc.array(fc.integer({ min: 0, max: 45 }), { maxLength: 3 }),
  paid: fc.integer({ min: 0, max: 1_500 }),
  baseMs: fc.integer({ min: 1, max: 100 }),
  jitterMs: fc.integer({ min: 0, max: 50 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

export type Traffic = typeof traffic extends fc.Arbitrary<infer T> ? T : never;

/** Event-loop stalls of the sender: `ms` long, about every `everyMs` (exponential gaps). */
export const stalls = fc.record({ ms: fc.integer({ min: 1, max: 400 }), everyMs: fc.integer({ min: 200, max: 5_000 }) });

export type Stalls = typeof stalls extends fc.Arbitrary<infer T> ? T : never;

/**
 * Every message of `t`, called at once (interleaved, as a broadcaster would) through one throttled
 * engine, to a receiver that counts `limits` (Telegram's unless told).
 */
export async function broadcast(t: Traffic, stalled?: Stalls, limits: ReceiverLimits = LIMITS) {
  const clock = createManualClock(1_700_000_000_000);
  const random = mulberry32(t.seed);
  // Stalls for the first 10 minutes: long enough for every broadcast drawn here.
  const sender = stalled ? createStalledClock(clock, stallsBetween(clock.now(), clock.now() + 600_000, { ...stalled, seed: t.seed })) : clock;
  const rx = receiver(clock, () => t.baseMs + random() * t.jitterMs, sender, limits);
  const resilience = createResilience({ clock: sender, throttle: true, maxFloodWaits: 50, maxTotalDelayMs: 60 * 60_000 });
  const calls: Array<Promise<unknown>> = [];
  const call = (chat: number, index: number, paid: boolean) =>
    calls.push(
      resilience.call(() => rx.send(chat, index, paid), {
        method: 'sendMessage',
        params: { chat_id: chat, text: `m${index}`, ...(paid ? { allow_paid_broadcast: true } : {}) },
      }),
    );
  let index = 0;
  const groupLeft = [...t.groups];
  for (let round = 0; round < Math.max(t.privates, ...t.groups, 1); round++) {
    groupLeft.forEach((left, g) => {
      if (left > 0) {
        groupLeft[g] = left - 1;
        call(-1000 - g, index++, false);
      }
    });
    if (round < t.privates) call(1 + (round % 40), index++, false);
  }
  for (let i = 0; i < t.paid; i++) call(100_000 + i, index++, true);
  await clock.run(Promise.all(calls), 10_000_000);
  await resilience.close();
  return { rx, sent: index };
}
