/**
 * The limiter's link to a shared backend, against a scripted in-memory backend whose every
 * operation may fail: whatever fails when, every call settles exactly once, the `backend` event
 * alternates down/up starting with down, `fallback` never fails a call because of the backend,
 * `fail` fails it with BackendUnavailableError only, and close() leaves nothing sleeping.
 */
import fc from 'fast-check';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import type { LimitsBackend } from '../../src/limits/backend.js';
import { BackendUnavailableError } from '../../src/errors/backend-unavailable-error.js';
import { tooManyRequests } from '../helpers/failures.js';
import { recordingBackend } from './recording-backend.js';

/** A backend whose n-th operation (any kind) fails when `fails[n]` is true. */
function scriptedBackend(fails: boolean[], bookAheadMs: number) {
  let n = 0;
  const next = async () => {
    if (fails[n++ % fails.length]) throw new Error('backend hiccup');
  };
  const backend: LimitsBackend = {
    name: 'scripted',
    start: next,
    reserve: async () => {
      await next();
      return Date.now() + bookAheadMs;
    },
    closeGate: next,
    openGates: async () => {
      await next();
      return {};
    },
    close: async () => {},
  };
  return backend;
}

/**
 * Makes epoch time (`Date.now()`) move with the manual clock only, for this test. The link converts
 * slots between the two, and real time passing in between (a busy machine) would blur what these
 * tests check to the millisecond.
 */
function epochFollows(clock: ManualClock): void {
  const epoch = Date.now();
  vi.spyOn(Date, 'now').mockImplementation(() => epoch + clock.now());
  onTestFinished(() => void vi.restoreAllMocks());
}

describe('backend link properties', () => {
  it('whatever the backend does, calls settle once, events alternate, and only fail mode fails calls for it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.constantFrom('fallback' as const, 'fail' as const),
        fc.array(fc.record({ chat: fc.integer({ min: 1, max: 4 }), method: fc.constantFrom('sendMessage', 'getChat'), flood: fc.boolean(), gapMs: fc.integer({ min: 0, max: 1_500 }) }), {
          minLength: 1,
          maxLength: 15,
        }),
        fc.integer({ min: 0, max: 2_000 }),
        async (fails, onBackendError, calls, bookAheadMs) => {
          const clock = createManualClock(0);
          const resilience = createResilience({ clock, throttle: true, backend: scriptedBackend(fails, bookAheadMs), onBackendError });
          const statuses: string[] = [];
          resilience.on('backend', (event) => statuses.push(event.status));
          const settled = calls.map(() => 0);
          const outcomes: Array<Promise<unknown>> = [];
          for (const [i, c] of calls.entries()) {
            let floods = c.flood ? 1 : 0;
            const fn = async () => {
              if (floods-- > 0) throw tooManyRequests(1);
              return 'ok';
            };
            outcomes.push(
              resilience.call(fn, { method: c.method, params: { chat_id: c.chat, text: 'x' } }).then(
                (value) => {
                  settled[i]!++;
                  return value;
                },
                (error: unknown) => {
                  settled[i]!++;
                  return error;
                },
              ),
            );
            await clock.advance(c.gapMs);
          }
          const results = await clock.run(Promise.all(outcomes), 100_000);
          await clock.advance(0);
          expect(settled.every((count) => count === 1)).toBe(true);
          for (const result of results) {
            if (result === 'ok') continue;
            // The only failures are the backend's, in fail mode (a 429 of 1 s is always waited out).
            expect(onBackendError).toBe('fail');
            expect(result).toBeInstanceOf(BackendUnavailableError);
          }
          statuses.forEach((status, i) => expect(status).toBe(i % 2 === 0 ? 'down' : 'up'));
          await resilience.close();
          expect(clock.pending()).toBe(0);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) },
    );
  });
});

describe('shared slots that come too late', () => {
  it('books again instead of sending when its slot passed more than half the margin ago', async () => {
    const clock = createManualClock(0);
    epochFollows(clock);
    // The first answer names a slot 100 ms gone (Redis answered late); the second one now.
    const answers: number[] = [];
    const { backend, requests } = recordingBackend((n) => answers[answers.push(Date.now() - (n === 0 ? 100 : 0)) - 1]!);
    const resilience = createResilience({ clock, throttle: true, backend });
    let sent = 0;
    const call = resilience.call(async () => ++sent, { method: 'sendMessage', params: { chat_id: 1, text: 'x' } });
    await clock.run(call, 10_000);
    expect(sent).toBe(1);
    expect(requests).toHaveLength(2);
    // The second booking names the slot the first one left unused (so its chat does not wait behind it).
    expect(requests[0]!.unusedSlotAtEpochMs).toBeUndefined();
    expect(requests[1]!.unusedSlotAtEpochMs).toBe(answers[0]);
    // Until round trips are seen, the margin is the initial 50 ms, and every booking says so.
    expect(requests.every((r) => r.marginMs === 50)).toBe(true);
    await resilience.close();
  });

  it('books at most three times more, then sends as booked', async () => {
    const clock = createManualClock(0);
    epochFollows(clock);
    const { backend, requests } = recordingBackend(() => Date.now() - 1_000);
    const resilience = createResilience({ clock, throttle: true, backend });
    let sent = 0;
    await clock.run(resilience.call(async () => ++sent, { method: 'sendMessage', params: { chat_id: 1, text: 'x' } }), 10_000);
    expect(sent).toBe(1);
    expect(requests).toHaveLength(4);
    await resilience.close();
  });

  it('sends a slot a few ms late (timers fire late) without booking again', async () => {
    const clock = createManualClock(0);
    epochFollows(clock);
    const { backend, requests } = recordingBackend(() => Date.now() - 4);
    const resilience = createResilience({ clock, throttle: true, backend });
    await clock.run(resilience.call(async () => 'ok', { method: 'sendMessage', params: { chat_id: 1, text: 'x' } }), 10_000);
    expect(requests).toHaveLength(1);
    await resilience.close();
  });
});

describe('paid sends with a shared backend', () => {
  it('leave together when their slots fall in one 8 ms step, never more than 8 ms early; a group never early', async () => {
    const clock = createManualClock(0);
    epochFollows(clock);
    // Slots 1 ms apart from 100 ms after each booking (epoch ms, as Redis answers), in booking order.
    const slotAt: number[] = [];
    const { backend, requests } = recordingBackend((n) => {
      // The 17th booking (a group's) just before the end of an 8 ms step: early, it would go 7 ms before it.
      const ahead = n < 16 ? 100 + n : 100 + ((((7 - ((clock.now() + 100) % 8)) % 8) + 8) % 8);
      slotAt[n] = clock.now() + ahead;
      return Date.now() + ahead;
    });
    const resilience = createResilience({ clock, throttle: true, backend });
    const sentAt = new Map<string, number>();
    const send = (chat_id: number) =>
      resilience.call(async () => sentAt.set(`chat:${chat_id}`, clock.now()), { method: 'sendMessage', params: { chat_id, text: 'x', allow_paid_broadcast: true } });
    await clock.run(Promise.all(Array.from({ length: 16 }, (_, i) => send(1000 + i))), 10_000);
    // Booked 8 ms per 1,000 further apart for it: the initial margin, 50 ms, plus 8.
    expect(requests.every((r) => r.marginMs === 58)).toBe(true);
    // Each goes at the start of its slot's 8 ms step: at most 7 ms early, never late.
    for (const [n, request] of requests.entries()) {
      const at = sentAt.get(request.chat!.key)!;
      expect(at).toBe(Math.floor(slotAt[n]! / 8) * 8);
    }
    const times = [...sentAt.values()];
    expect(new Set(times).size).toBeLessThanOrEqual(6);
    // A group's message goes at its slot, not before: its own window is kept by its slots.
    let groupAt = 0;
    await clock.run(resilience.call(async () => (groupAt = clock.now()), { method: 'sendMessage', params: { chat_id: -1001234, text: 'x', allow_paid_broadcast: true } }), 10_000);
    expect(slotAt[16]! % 8).toBe(7);
    expect(groupAt).toBe(slotAt[16]!);
    await resilience.close();
  });
});

describe('the margin with a shared backend', () => {
  it('is learned from round trips counted from the end of the shared wait, and sent with every booking', async () => {
    const clock = createManualClock(0);
    const { backend, requests } = recordingBackend(() => Date.now());
    const resilience = createResilience({ clock, throttle: true, backend });
    // Round trips of 10 to 30 ms: a spread of 20 ms once enough of them are seen.
    for (let i = 0; i < 40; i++) {
      const call = resilience.call(() => clock.sleep(10 + (i % 3) * 10).then(() => 'ok'), { method: 'sendMessage', params: { chat_id: 1000 + i, text: 'x' } });
      await clock.run(call, 10_000);
    }
    expect(requests[0]!.marginMs).toBe(50);
    expect(requests.at(-1)!.marginMs).toBe(20);
    await resilience.close();
  });
});
