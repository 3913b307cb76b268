/**
 * A receiver stricter than configured (receiver-harness.ts): Telegram accepts fewer messages per
 * second bot-wide (11-29), or per 60 s in a group (10-19), or both, than the engine's defaults. The
 * engine learns the limits from the 429s. What it learns must not fall below what the receiver
 * accepted: the most arrivals it took in any window of that limit. And each chat receives its
 * messages in call order, refused ones included (a group's next message waits for its previous
 * one's answer).
 *
 * What is learned is read from the scheduler's FloodLearning each time it learns (a spy on its two
 * learning methods; `botRate` and `groupWindow` are its readings for tests).
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { FloodLearning } from '../../src/limits/flood-learning.js';
import { broadcast, most, traffic, type Arrival, type Traffic } from './receiver-harness.js';

/**
 * One limit stricter at a time, or both at once. Both at once, a 429 can look like the group's
 * when it was the bot's (the bot's second was full just as a send left the group's window): the
 * group's window is learned only when it held as many as the group was seen to accept in one window.
 */
const stricter = fc.oneof(
  fc.record({ bot: fc.integer({ min: 11, max: 29 }), group: fc.constant(20) }),
  fc.record({ bot: fc.constant(30), group: fc.integer({ min: 10, max: 19 }) }),
  fc.record({ bot: fc.integer({ min: 11, max: 29 }), group: fc.integer({ min: 10, max: 19 }) }),
);

/** Free messages only (paid ones have their own rate, which is not learned above 100/s). */
const freeTraffic = traffic.map((t) => ({ ...t, paid: 0 }));

interface Learned {
  bot: number[];
  groups: Map<string, number[]>;
}

/** Records every rate and group window the schedulers learn while `run` runs. */
async function whatIsLearned<T>(run: () => Promise<T>): Promise<{ result: T; learned: Learned }> {
  const learned: Learned = { bot: [], groups: new Map() };
  const learnBot = FloodLearning.prototype.learnBotFlood;
  const learnChat = FloodLearning.prototype.learnChatFlood;
  vi.spyOn(FloodLearning.prototype, 'learnBotFlood').mockImplementation(function (this: FloodLearning, ...args) {
    learnBot.apply(this, args);
    learned.bot.push(this.botRate);
  });
  vi.spyOn(FloodLearning.prototype, 'learnChatFlood').mockImplementation(function (this: FloodLearning, ...args) {
    learnChat.apply(this, args);
    const window = this.groupWindow(args[0]);
    if (window !== undefined) learned.groups.set(args[0], [...(learned.groups.get(args[0]) ?? []), window]);
  });
  try {
    return { result: await run(), learned };
  } finally {
    vi.restoreAllMocks();
  }
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);
const freeOf = (arrivals: Arrival[]) => arrivals.filter((a) => !a.paid);

describe('a receiver stricter than configured, under random latency and jitter up to 50 ms', () => {
  it('nothing learned falls below what the receiver accepted in any window of that limit', async () => {
    await fc.assert(
      fc.asyncProperty(freeTraffic, stricter, async (t: Traffic, limits) => {
        const { result, learned } = await whatIsLearned(() => broadcast(t, undefined, { ...limits, paid: 1_000 }));
        const accepted = freeOf(result.rx.accepted);
        const mostPerSecond = most(accepted.map((a) => a.at), 1_000);
        for (const rate of learned.bot) expect(rate).toBeGreaterThanOrEqual(mostPerSecond);
        for (const [key, windows] of learned.groups) {
          const chat = Number(key.replace(/^chat:/, ''));
          const mostPerWindow = most(accepted.filter((a) => a.chat === chat).map((a) => a.at), 60_000);
          for (const window of windows) expect(window).toBeGreaterThanOrEqual(mostPerWindow);
        }
        expect(accepted).toHaveLength(result.sent);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);


  it('each chat receives its messages in the order they were called, refused ones included (both limits stricter too)', async () => {
    await fc.assert(
      fc.asyncProperty(freeTraffic, stricter, async (t: Traffic, limits) => {
        const { rx, sent } = await broadcast(t, undefined, { ...limits, paid: 1_000 });
        expect(rx.accepted).toHaveLength(sent);
        for (const chat of new Set(rx.accepted.map((a) => a.chat))) {
          const order = rx.accepted.filter((a) => a.chat === chat).map((a) => a.index);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
      }),
      // Out of order was rare before the wait for answers (once in about 160 runs): more runs here.
      { numRuns: 8 * RUNS },
    );
  }, 120_000);
});
