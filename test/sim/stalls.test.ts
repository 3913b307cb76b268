import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createStalledClock, stallsBetween } from '../../src/sim/stalls.js';
import { runVirtualBroadcast } from '../../src/sim/virtual-broadcast.js';

describe('stalls in virtual time', () => {
  it('a sleep due during a stall wakes at its end, in the order the sleeps were due; others on time', async () => {
    const base = createManualClock();
    const clock = createStalledClock(base, [{ at: 100, ms: 400 }]);
    const woke: Array<[string, number]> = [];
    const at = (name: string, ms: number) => clock.sleep(ms).then(() => woke.push([name, clock.now()]));
    const all = Promise.all([at('a', 50), at('b', 150), at('c', 499), at('d', 500), at('e', 700)]);
    await base.run(all);
    expect(woke).toEqual([['a', 50], ['b', 500], ['c', 500], ['d', 500], ['e', 700]]);
  });

  it('a seeded schedule is the same every time, and stalls do not overlap', () => {
    const a = stallsBetween(0, 100_000, { ms: 400, everyMs: 5_000, seed: 3 });
    expect(a).toEqual(stallsBetween(0, 100_000, { ms: 400, everyMs: 5_000, seed: 3 }));
    expect(a.length).toBeGreaterThan(5);
    for (let i = 1; i < a.length; i++) expect(a[i]!.at).toBeGreaterThanOrEqual(a[i - 1]!.at + 400);
  });
});

describe('runVirtualBroadcast at the receiver', () => {
  /** Sends every message, 1 ms after the previous one, without waiting for answers. */
  const oneMsApart: Parameters<typeof runVirtualBroadcast>[0]['strategy'] = async (send, list, c) => {
    const sent: Array<Promise<unknown>> = [];
    for (const m of list) {
      sent.push(send({ chat_id: m.chatId, text: m.text }));
      await c.sleep(1);
    }
    await Promise.all(sent);
  };

  it('with jitter, messages sent 1 ms apart may arrive out of order, and that is counted', async () => {
    const clock = createManualClock();
    const messages = Array.from({ length: 20 }, (_, i) => ({ chatId: -5, text: `m${i}` }));
    const result = await runVirtualBroadcast({
      clock,
      messages,
      jitterMs: 50,
      seed: 7,
      strategy: oneMsApart,
    });
    expect(result.delivered).toBe(20);
    expect(result.outOfOrder).toBeGreaterThan(0);
  });

  it('without jitter the same sends arrive in order', async () => {
    const clock = createManualClock();
    const messages = Array.from({ length: 20 }, (_, i) => ({ chatId: -5, text: `m${i}` }));
    const result = await runVirtualBroadcast({
      clock,
      messages,
      strategy: oneMsApart,
    });
    expect(result.outOfOrder).toBe(0);
  });
});
