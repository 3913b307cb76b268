/**
 * The whole stack over real HTTP: createBotApi + createResilience against the simulator, one test per
 * failure kind, each checked against the simulator's ledger: every message delivered exactly once,
 * or rejected with the right kind. Time is virtual (one manual clock for the engine and the simulator).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBotApi } from '../../src/botapi/index.js';
import { classify } from '../../src/errors/classify.js';
import { BadRequest, Forbidden, isTelegramError, RetryAfter } from '../../src/errors/telegram-error.js';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import type { ResilienceOptions } from '../../src/engine/options.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';

let sim: Simulator;
let clock: ManualClock;
let resilience: Resilience;
let events: unknown[];

async function setup(simOptions: SimulatorOptions = {}, options: ResilienceOptions = {}, timeoutMs = 10_000) {
  clock = createManualClock(1_700_000_000_000);
  sim = await startSimulator({ clock, ...simOptions });
  resilience = createResilience({ clock, random: () => 0.5, ...options });
  events = [];
  for (const name of ['retry', 'floodWait', 'dcMigrate', 'chatMigrate', 'giveUp'] as const) {
    resilience.on(name, (e) => events.push({ name, ...e }));
  }
  // A generous real-time timeout: a cold start of 60 concurrent connections on a loaded 2-core CI
  // machine takes hundreds of ms. The hang test uses its own short one.
  return createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience, timeoutMs });
}

afterEach(async () => {
  await resilience?.close();
  await sim?.close();
  // Nothing we send to the user may carry the token: not errors (checked per test), not events.
  const text = JSON.stringify(events, (_k, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v));
  expect(text).not.toContain(sim.token);
});

const send = (api: ReturnType<typeof createBotApi>, chat_id: number, text: string, extra: { idempotent?: boolean } = {}) =>
  clock.run(api.call('sendMessage', { chat_id, text }, extra));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('engine + Bot API client + simulator', () => {
  let api: ReturnType<typeof createBotApi>;
  beforeEach(async () => {
    api = await setup({ migratedGroups: { '-555': -100555 }, blockedUsers: [666] });
  });

  it('success: one request, one delivery', async () => {
    await expect(send(api, 1, 'hello')).resolves.toMatchObject({ chat: { id: 1 }, text: 'hello' });
    expect(sim.deliveredTo(1)).toHaveLength(1);
    expect(sim.requests()).toHaveLength(1);
  });

  it('flood: sleeps retry_after in full, then delivers once', async () => {
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 7 });
    const started = clock.now();
    await send(api, 2, 'after flood');
    const [first, second] = sim.requests();
    expect(first!.outcome).toBe('429');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(7_000);
    expect(clock.now() - started).toBeGreaterThanOrEqual(7_000);
    expect(sim.deliveredTo(2)).toHaveLength(1);
  });

  it('flood over the threshold: fails at once with RetryAfter carrying the wait', async () => {
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 3_600 });
    const error = await rejection(send(api, 3, 'x'));
    expect(error).toBeInstanceOf(RetryAfter);
    expect((error as RetryAfter).retryAfter).toBe(3_600);
    expect(classify(error).retryAfterMs).toBe(3_600_000);
    expect(sim.requests()).toHaveLength(1);
    expect(sim.ledger()).toHaveLength(0);
  });

  it('chat migration: rewrites the id, delivers once, and later calls go straight to the supergroup', async () => {
    await send(api, -555, 'first');
    expect(sim.deliveredTo(-100555)).toHaveLength(1);
    expect(sim.requests().map((r) => r.outcome)).toEqual(['400', 'ok']);
    await send(api, -555, 'second');
    expect(sim.requests().map((r) => r.chatId)).toEqual([-555, -100555, -100555]);
    expect(sim.deliveredTo(-100555)).toHaveLength(2);
  });

  it('blocked user: one request, no retry, Forbidden', async () => {
    const error = await rejection(send(api, 666, 'x'));
    expect(error).toBeInstanceOf(Forbidden);
    expect(sim.requests()).toHaveLength(1);
  });

  it('bad request: not retried', async () => {
    const error = await rejection(clock.run(api.call('sendMessage', { chat_id: 5 })));
    expect(error).toBeInstanceOf(BadRequest);
    expect(sim.requests()).toHaveLength(1);
  });

  it.each(['500', '502_html', 'bad_json', 'reset_after'] as const)(
    '%s on sendMessage: not resent (it may have been delivered), rejected with a server/network kind, never duplicated',
    async (fault) => {
      sim.queueFault(fault, { method: 'sendMessage' });
      const error = await rejection(send(api, 7, 'maybe'));
      expect(isTelegramError(error)).toBe(true);
      expect(['server', 'network', 'timeout']).toContain(classify(error).kind);
      expect(classify(error).maybeDelivered).toBe(true);
      expect(sim.requests()).toHaveLength(1);
      expect(sim.deliveredTo(7).length).toBeLessThanOrEqual(1);
      expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toContain(sim.token);
    },
  );

  it.each(['500', '502_html', 'bad_json', 'reset_before', 'reset_after'] as const)(
    '%s on an idempotent call: backed off, retried, succeeds',
    async (fault) => {
      sim.queueFault(fault, { method: 'getChat' });
      await expect(clock.run(api.call('getChat', { chat_id: 8 }))).resolves.toMatchObject({ id: 8 });
      expect(sim.requests({ method: 'getChat' })).toHaveLength(2);
    },
  );

  it('reset before processing with idempotent: true: resent, delivered exactly once', async () => {
    sim.queueFault('reset_before', { method: 'sendMessage' });
    await send(api, 9, 'retry me', { idempotent: true });
    expect(sim.deliveredTo(9)).toHaveLength(1);
  });

  it('a hang: the client times out, sendMessage is not resent, getChat is', async () => {
    api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience, timeoutMs: 400 });
    sim.queueFault('hang', { method: 'sendMessage' });
    const error = await rejection(send(api, 10, 'slow'));
    expect(classify(error).kind).toBe('timeout');
    expect(sim.requests()).toHaveLength(1);
    sim.queueFault('hang', { method: 'getChat' });
    await expect(clock.run(api.call('getChat', { chat_id: 10 }))).resolves.toMatchObject({ id: 10 });
  });

  it('abort during a flood sleep rejects with the reason and sends nothing more', async () => {
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 30 });
    const controller = new AbortController();
    const call = api.call('sendMessage', { chat_id: 11, text: 'x' }, { signal: controller.signal });
    while (clock.pending() === 0) await new Promise((r) => setTimeout(r, 2));
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    expect(sim.requests()).toHaveLength(1);
  });
});

describe('a seeded fault storm', () => {
  it('every message is delivered exactly once or rejected, none twice, none lost', async () => {
    const api = await setup({ faults: { seed: 42, rate: 0.3, kinds: ['500', '502_html', 'reset_before', 'reset_after', 'bad_json', '429'] }, limits: false });
    const outcomes = await clock.run(
      Promise.allSettled(Array.from({ length: 60 }, (_, i) => api.call('sendMessage', { chat_id: 100 + i, text: `m${i}` }))),
      100_000,
    );
    for (let i = 0; i < 60; i++) {
      const delivered = sim.deliveredTo(100 + i).length;
      expect(delivered).toBeLessThanOrEqual(1);
      const outcome = outcomes[i]!;
      if (outcome.status === 'fulfilled') expect(delivered).toBe(1);
      else expect(classify(outcome.reason).maybeDelivered || classify(outcome.reason).kind === 'flood').toBe(true);
    }
    const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).message] : []));
    expect(outcomes.filter((o) => o.status === 'fulfilled').length, reasons.join('\n')).toBeGreaterThan(20);
  });
});

describe('throttled against the simulator', () => {
  it('a simulator stricter per group than the throttle: one 429, then the group keeps to the window it proved', async () => {
    const api = await setup({ limits: { groupPerMinute: 3 } }, { throttle: true, maxTotalDelayMs: 10 * 60_000 });
    await clock.run(Promise.all(Array.from({ length: 8 }, (_, i) => api.call('sendMessage', { chat_id: -900, text: `w${i}` }))), 100_000);
    expect(sim.requests({ chatId: -900 }).filter((r) => r.outcome === '429').length).toBeLessThanOrEqual(1);
    expect(sim.deliveredTo(-900)).toHaveLength(8);
  });

  it('a simulator stricter than the throttle: at most one 429 per scope', async () => {
    const api = await setup({ limits: { chatPerSecond: 0.25, chatBurst: 1 } }, { throttle: true });
    await clock.run(Promise.all(Array.from({ length: 5 }, (_, i) => api.call('sendMessage', { chat_id: 88, text: `s${i}` }))), 100_000);
    expect(sim.requests({ chatId: 88 }).filter((r) => r.outcome === '429').length).toBeLessThanOrEqual(1);
    expect(sim.deliveredTo(88)).toHaveLength(5);
  });
});
