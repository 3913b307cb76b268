/**
 * Reliability properties of the engine: whatever sequence of failures Telegram produces, every call
 * settles exactly once, within its budget, sleeps at least what Telegram asked, and leaves nothing
 * behind (no sleeper, no abort listener).
 */
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/errors/classify.js';
import { createManualClock } from '../../src/engine/clock.js';
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
