/**
 * Reliability properties of the engine: whatever sequence of failures Telegram produces, every call
 * settles exactly once, within its budget, sleeps at least what Telegram asked, and leaves nothing
 * behind (no sleeper, no abort listener).
 */
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/errors/classify.js';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import { botApiError, chatMigrated, fetchFailed, networkError, rpcError, tooManyRequests } from '../helpers/failures.js';

const failurePool = [
  () => tooManyRequests(2),
  () => tooManyRequests(0),
  () => tooManyRequests(500),
  () => rpcError(420, 'FLOOD_WAIT_7'),
  () => rpcError(303, 'FILE_MIGRATE_2'),
  () => rpcError(303, 'USER_MIGRATE_4'),
  () => chatMigrated(-100123),
  () => networkError('ECONNRESET'),
  () => fetchFailed('ECONNREFUSED'),
  () => botApiError(500, 'Internal Server Error'),
  () => botApiError(403, 'Forbidden: bot was blocked by the user'),
  () => rpcError(-503, 'Timedout'),
  () => new Error('user bug'),
  () => undefined,
  () => 'ok' as const,
];

describe('engine properties', () => {
  it('every call settles exactly once, within budget, never sleeping less than asked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: failurePool.length - 1 }), { minLength: 1, maxLength: 25 }),
        fc.constantFrom('sendMessage', 'getChat', 'upload.getFile', undefined),
        fc.record({ maxAttempts: fc.integer({ min: 1, max: 6 }), maxTotalDelayMs: fc.integer({ min: 0, max: 60_000 }) }),
        async (script, method, options) => {
          const clock = createManualClock(0);
          const resilience = createResilience({ clock, ...options, random: () => 0.7 });
          const thrown: unknown[] = [];
          const starts: number[] = [];
          let i = 0;
          let settledCount = 0;
          const call = resilience.call(
            async () => {
              starts.push(clock.now());
              const pick = failurePool[script[Math.min(i++, script.length - 1)]!]!();
              if (pick === 'ok') return 'ok';
              thrown.push(pick);
              throw pick;
            },
            { method, params: { chat_id: -123, text: 't' } },
          );
          call.then(
            () => settledCount++,
            () => settledCount++,
          );
          const outcome = await clock.run(call.then((v) => ({ ok: v }), (e: unknown) => ({ err: e })), 10_000);
          await clock.advance(0);
          expect(settledCount).toBe(1);
          if ('err' in outcome) expect(outcome.err).toBe(thrown[thrown.length - 1]);
          else expect(starts.length).toBe(thrown.length + 1);
          // Bounded: attempts can't exceed every budget added up.
          expect(starts.length).toBeLessThanOrEqual(options.maxAttempts + 10 + 3 + 2 + 1);
          expect(clock.now()).toBeLessThanOrEqual(options.maxTotalDelayMs);
          expect(clock.pending()).toBe(0);
          thrown.forEach((error, j) => {
            const failure = classify(error);
            if (failure.kind === 'flood' && starts[j + 1] !== undefined) {
              expect(starts[j + 1]! - starts[j]!).toBeGreaterThanOrEqual(failure.retryAfterMs!);
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves no abort listener on the caller\'s signal, however the call ends', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock });
    const controller = new AbortController();
    const { signal } = controller;
    await resilience.call(async () => 1, { signal });
    await clock.run(
      resilience.call(
        (() => {
          let n = 0;
          return async () => {
            if (n++ === 0) throw tooManyRequests(1);
            return 2;
          };
        })(),
        { signal },
      ),
    );
    await resilience.call(async () => Promise.reject(botApiError(403, 'Forbidden')), { signal }).catch(() => {});
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('with throttling, 1,000 calls leave no abort listener and no sleeper behind', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    const controller = new AbortController();
    const calls = Array.from({ length: 1000 }, (_, i) =>
      resilience.call(async () => i, { method: 'sendMessage', params: { chat_id: (i % 50) + 1, text: 'x' }, signal: controller.signal }),
    );
    const results = await clock.run(Promise.all(calls), 1_000_000);
    expect(results).toHaveLength(1000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(clock.pending()).toBe(0);
    await resilience.close();
  });

  it('a queued paced call sends in its caller\'s async context, not in the one of the timer that woke it', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    const context = new AsyncLocalStorage<string>();
    const seen: Array<[string, string | undefined]> = [];
    const send = (label: string) =>
      context.run(label, () =>
        resilience.call(
          async () => {
            seen.push([label, context.getStore()]);
            return label;
          },
          { method: 'sendMessage', params: { chat_id: 7, text: label } },
        ),
      );
    // One private chat: the first goes at once, the others wait 1 s each in the queue.
    const calls = ['a', 'b', 'c', 'd'].map(send);
    expect(await clock.run(Promise.all(calls), 1_000)).toEqual(['a', 'b', 'c', 'd']);
    expect(seen).toEqual([
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'c'],
      ['d', 'd'],
    ]);
    await resilience.close();
  });

  it('aborting queued paced calls rejects each once with the reason, sends none of them, and frees their slots', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    const sent: number[] = [];
    const controller = new AbortController();
    const calls = Array.from({ length: 6 }, (_, i) =>
      resilience.call(
        async () => {
          sent.push(i);
          return i;
        },
        { method: 'sendMessage', params: { chat_id: 3, text: String(i) }, signal: i % 2 === 1 ? controller.signal : undefined },
      ),
    );
    const outcomes = Promise.allSettled(calls);
    await clock.advance(0);
    controller.abort(new Error('user gave up'));
    const results = await clock.run(outcomes, 1_000);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      'user gave up',
      2,
      'user gave up',
      4,
      'user gave up',
    ]);
    expect(sent).toEqual([0, 2, 4]);
    // The aborted calls' slots went to the others: one per second, no gaps.
    expect(clock.now()).toBe(2_000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await resilience.close();
  });

  it('a paced call aborted while its chat id is looked up (async store) rejects with the reason and is never sent', async () => {
    const clock = createManualClock(0);
    const controller = new AbortController();
    const chatIdStore = {
      get: async () => {
        controller.abort(new Error('stop'));
        return undefined;
      },
      set: async () => {},
    };
    const resilience = createResilience({ clock, throttle: true, chatIdStore });
    let sent = 0;
    const fn = async () => ++sent;
    // The chat is busy, so the call cannot go at once and reaches the scheduler's queue path.
    const first = resilience.call(fn, { method: 'sendMessage', params: { chat_id: 8, text: 'a' } });
    const second = resilience.call(fn, { method: 'sendMessage', params: { chat_id: 8, text: 'b' }, signal: controller.signal });
    await expect(second).rejects.toThrow('stop');
    expect(await clock.run(first)).toBe(1);
    expect(sent).toBe(1);
    await resilience.close();
  });

  it('every queued paced call ends its async resource (async_hooks destroy), sent, aborted or closed', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    const live = new Set<number>();
    const hook = createHook({
      init(id, type) {
        if (type === 'telegram-resilience.call') live.add(id);
      },
      destroy(id) {
        live.delete(id);
      },
    }).enable();
    try {
      const controller = new AbortController();
      const info = (i: number) => ({ method: 'sendMessage', params: { chat_id: 5, text: String(i) }, signal: i === 2 ? controller.signal : undefined });
      const calls = Array.from({ length: 5 }, (_, i) => resilience.call(async () => i, info(i)));
      const settled = Promise.allSettled(calls);
      await clock.advance(1_000);
      controller.abort();
      await resilience.close();
      const results = await settled;
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected']);
      // Node delivers destroy hooks in a batch after the current macrotask.
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      expect(live.size).toBe(0);
    } finally {
      hook.disable();
    }
  });

  it('close() ends a call sleeping out a flood wait and one waiting at a flood gate, leaving no timer', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true, floodSleepThreshold: 3_600, maxTotalDelayMs: 3_600_000 });
    let attempts = 0;
    // A FLOOD_WAIT of 10 minutes: the first call sleeps it out, and closes the method's gate...
    const sleeping = resilience.call(
      async () => {
        attempts++;
        throw rpcError(420, 'FLOOD_WAIT_600');
      },
      { method: 'messages.getHistory' },
    );
    await clock.advance(10);
    // ...at which a second call of that method waits without sending.
    const gated = resilience.call(async () => 'sent', { method: 'messages.getHistory' });
    await clock.advance(10);
    expect(clock.pending()).toBe(2);
    await resilience.close();
    await expect(sleeping).rejects.toThrow(/closed/);
    await expect(gated).rejects.toThrow(/closed/);
    expect(attempts).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it('close() settles queued throttled calls instead of leaving them hanging', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    const calls = Array.from({ length: 5 }, () => resilience.call(async () => 'sent', { method: 'sendMessage', params: { chat_id: 1, text: 'x' } }));
    const settled = Promise.allSettled(calls);
    await clock.advance(0);
    await resilience.close();
    const outcomes = await settled;
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'sent' });
    expect(outcomes.slice(1).every((o) => o.status === 'rejected')).toBe(true);
  });
});
