/**
 * The two integration tests that measure real request arrival times (the real clock on both sides:
 * on a manual clock virtual time runs on while a request is on the wire, so arrivals bunch up).
 * `*.serial.test.ts` files run after the rest of the suite, one at a time (see vitest.config.ts), so
 * the CPU load of the other test files does not stall the event loop that hosts both the bot and the
 * simulator: what they measure is the pacing, not the machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBotApi } from '../../src/botapi/index.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

let sim: Simulator;
let resilience: Resilience;
let events: unknown[];

afterEach(async () => {
  await resilience?.close();
  await sim?.close();
  expect(JSON.stringify(events)).not.toContain(sim.token);
});

describe('throttled against the simulator, real clock', () => {
  it('a broadcast that respects the limits gets no 429 at all (real clock: request arrival times are real)', async () => {
    // On a manual clock, virtual time runs on while a request is on the wire, so arrivals at the
    // simulator bunch up; with real time both sides see the same spacing. About 2 s.
    sim = await startSimulator();
    resilience = createResilience({ throttle: true });
    events = [];
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience });
    const chats = [...Array.from({ length: 40 }, (_, i) => 200 + i), -300, -300, -300, 77, 77, 77];
    await Promise.all(chats.map((chat_id, i) => api.call('sendMessage', { chat_id, text: `b${i}` })));
    expect(sim.requests().filter((r) => r.outcome === '429').map((r) => [r.chatId, r.limit])).toEqual([]);
    expect(sim.ledger()).toHaveLength(chats.length);
  });

  it('a simulator stricter bot-wide than the throttle: one 429 per chat, two in all, then the bot keeps to the rate it proved (real clock, ~2 s)', async () => {
    // Real time for the same reason as above: the bot-wide window is about arrival times.
    sim = await startSimulator({ limits: { globalPerSecond: 10 } });
    resilience = createResilience({ throttle: true });
    events = [];
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience });
    const chats = Array.from({ length: 20 }, (_, i) => 400 + i);
    await Promise.all(chats.map((chat_id, i) => api.call('sendMessage', { chat_id, text: `g${i}` })));
    // The first 429 closes its chat's gate (Telegram does not say which limit refused it); the
    // second, for another chat within a second, shows it is the bot's: the bot waits and slows down.
    const refused = sim.requests().filter((r) => r.outcome === '429');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(new Set(refused.map((r) => r.chatId)).size).toBe(refused.length);
    expect(sim.ledger()).toHaveLength(chats.length);
  });
});
