/**
 * Throttling through the engine under random answers from "Telegram": many concurrent sends to a few
 * chats, each request answered by a random script (success, 429 with a random wait, a refused
 * connection, a 5xx, a reset after the request was written), and random aborts. Whatever happens:
 * every call settles exactly once; no request reaches a chat sooner than its own limit allows,
 * retries included; after a 429 for a chat, no request reaches that chat before the wait is over;
 * and nothing is left sleeping or listening.
 */
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import { botApiError, fetchFailed, networkError, tooManyRequests } from '../helpers/failures.js';

const CHATS = [1, 2, -30, -40];

type Answer = { kind: 'ok' } | { kind: '429'; seconds: number } | { kind: 'refused' } | { kind: '5xx' } | { kind: 'reset' };

const answer: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'ok' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('429' as const), seconds: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refused' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: '5xx' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
);

function errorFor(a: Answer): unknown {
  switch (a.kind) {
    case '429':
      return tooManyRequests(a.seconds);
    case 'refused':
      return fetchFailed('ECONNREFUSED'); // surely not delivered: resent
    case '5xx':
      return botApiError(502, 'Bad Gateway');
    case 'reset':
      return networkError('ECONNRESET'); // may have been delivered: a sendMessage is not resent
    default:
      return undefined;
  }
}

describe('throttled engine properties', () => {
  it('under random answers and aborts: each call settles once, chat limits and flood waits hold, retries included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ chat: fc.nat(CHATS.length - 1), abortAfterMs: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(answer, { minLength: 1, maxLength: 80 }),
        async (calls, answers) => {
          const clock = createManualClock(1_700_000_000_000);
          const resilience = createResilience({ clock, throttle: { groupPerMinute: 3 }, random: () => 0.5 });
          const requests: Array<{ chat: number; at: number; refused: boolean }> = [];
          const walls = new Map<number, number>(); // chat -> until when Telegram refuses it
          let n = 0;
          const fn = (chat: number) => async () => {
            const at = clock.now();
            // The property: the gate held, no request reached a chat Telegram told us to leave alone.
            expect(at).toBeGreaterThanOrEqual(walls.get(chat) ?? 0);
            const a = answers[n++ % answers.length]!;
            requests.push({ chat, at, refused: a.kind === '429' });
            if (a.kind === '429') walls.set(chat, at + a.seconds * 1000);
            const error = errorFor(a);
            if (error !== undefined) throw error;
            return chat;
          };
          const controllers: AbortController[] = [];
          const settled: number[] = calls.map(() => 0);
          const outcomes = calls.map((c, i) => {
            const chat = CHATS[c.chat]!;
            let signal: AbortSignal | undefined;
            if (c.abortAfterMs !== undefined) {
              const controller = new AbortController();
              controllers.push(controller);
              signal = controller.signal;
              void clock.sleep(c.abortAfterMs).then(() => controller.abort(new Error('aborted')));
            }
            const call = resilience.call(fn(chat), { method: 'sendMessage', params: { chat_id: chat, text: String(i) }, signal });
            return call.then(
              (value) => {
                settled[i]!++;
                return { ok: value };
              },
              (error: unknown) => {
                settled[i]!++;
                return { error };
              },
            );
          });
          await clock.run(Promise.all(outcomes), 100_000);
          await clock.advance(0);
          expect(settled.every((count) => count === 1)).toBe(true);

          // Every request to a chat kept the chat's own limit, retries included: private chats' spacing
          // between any two requests; groups' window counting what Telegram accepted (a refused
          // request takes no place in it, as in the simulator).
          for (const chat of CHATS) {
            const at = requests.filter((r) => r.chat === chat).map((r) => r.at);
            const accepted = requests.filter((r) => r.chat === chat && !r.refused).map((r) => r.at);
            for (let i = 1; i < at.length; i++) {
              if (chat > 0) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1000);
              else expect(accepted.filter((t) => t > at[i]! - 60_000 && t < at[i]!).length).toBeLessThan(3);
            }
          }
          // Nothing left behind: the aborts' own sleeps may still be pending; after them, nothing.
          await clock.advance(20_001);
          expect(clock.pending()).toBe(0);
          for (const controller of controllers) expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
          await resilience.close();
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });
});
