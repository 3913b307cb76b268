import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import { referenceBroadcast, runVirtualBroadcast, type VirtualSend } from '../../src/sim/virtual-broadcast.js';

/** Every message through the engine at once, as a broadcaster would. */
function throughEngine(resilience: ReturnType<typeof createResilience>) {
  return (send: VirtualSend, messages: Array<{ chatId: number; text: string }>) =>
    Promise.all(
      messages.map((m) =>
        resilience.call((a) => send(a.params as { chat_id: number; text: string }), {
          method: 'sendMessage',
          params: { chat_id: m.chatId, text: m.text },
        }),
      ),
    );
}

describe('throttled broadcast in virtual time', () => {
  it('finishes the reference broadcast within 5% of its lower bound with no 429 at all', async () => {
    const clock = createManualClock();
    const resilience = createResilience({ clock, throttle: true });
    const { messages, lowerBoundMs } = referenceBroadcast();
    const result = await runVirtualBroadcast({ clock, messages, strategy: throughEngine(resilience) });
    expect(result.delivered).toBe(messages.length);
    expect(result.duplicates).toBe(0);
    expect(result.floods).toBe(0);
    expect(result.makespanMs).toBeLessThanOrEqual(lowerBoundMs * 1.05);
    await resilience.close();
  }, 60_000);

  it('without throttling the same broadcast floods, and the engine still delivers everything exactly once', async () => {
    const clock = createManualClock();
    const resilience = createResilience({ clock, maxFloodWaits: Number.POSITIVE_INFINITY, maxTotalDelayMs: Number.POSITIVE_INFINITY });
    const messages = referenceBroadcast().messages.slice(2_900);
    const result = await runVirtualBroadcast({ clock, messages, strategy: throughEngine(resilience) });
    expect(result.delivered).toBe(messages.length);
    expect(result.duplicates).toBe(0);
    expect(result.floods).toBeGreaterThan(0);
  }, 60_000);

  it('a server stricter than the throttle earns at most one 429 per scope before the gate holds the rest', async () => {
    const clock = createManualClock();
    // The throttle believes in 1 message/s per chat; the server allows one per 3 s without a burst.
    const resilience = createResilience({ clock, throttle: true });
    const messages = Array.from({ length: 6 }, (_, i) => ({ chatId: 99, text: `m${i}` }));
    const result = await runVirtualBroadcast({
      clock,
      messages,
      limits: { chatPerSecond: 1 / 3, chatBurst: 1 },
      strategy: throughEngine(resilience),
    });
    expect(result.delivered).toBe(6);
    expect(result.duplicates).toBe(0);
    expect(result.floods).toBe(1);
  }, 60_000);

  // The most 429s at 1 ms and at 20 ms one-way latency. Bot-wide: the first refused message closes
  // only its chat's gate (Telegram does not say which limit it was), the second chat within a second
  // shows it is the bot's; at 20 ms the next message is already on its way when a 429 comes back.
  const stricter: Array<[string, Parameters<typeof runVirtualBroadcast>[0]['limits'], Array<{ chatId: number; text: string }>, number, [number, number]]> = [
    ['bot-wide 10/s, 200 chats', { globalPerSecond: 10 }, Array.from({ length: 200 }, (_, i) => ({ chatId: 1000 + i, text: `b${i}` })), 20_000, [2, 3]],
    ['a group at 10/min, 40 messages', { groupPerMinute: 10 }, Array.from({ length: 40 }, (_, i) => ({ chatId: -77, text: `g${i}` })), 180_000, [1, 2]],
  ];
  it.each(stricter)('a server stricter than the throttle (%s): a 429 or two, then its proven limit, close to the bound', async (_name, limits, messages, boundMs, most) => {
    for (const [latencyMs, most429s] of [
      [1, most[0]],
      [20, most[1]],
    ] as const) {
      const clock = createManualClock();
      const resilience = createResilience({ clock, throttle: true, maxTotalDelayMs: 10 * 60_000 });
      const result = await runVirtualBroadcast({ clock, messages, limits, latencyMs, strategy: throughEngine(resilience) });
      expect(result.delivered).toBe(messages.length);
      expect(result.duplicates).toBe(0);
      expect(result.floods).toBeGreaterThanOrEqual(1);
      expect(result.floods).toBeLessThanOrEqual(most429s);
      expect(result.makespanMs).toBeLessThanOrEqual(boundMs * 1.05);
      await resilience.close();
    }
  }, 60_000);
});
