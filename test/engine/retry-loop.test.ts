/**
 * The retry loop after close(): an attempt already sent is left to finish, but whatever it answers,
 * nothing more is sent. The answers that need no sleep are the ones that matter here (a sleep is
 * ended by close() on its own): a chat migration, a 429 with retry_after 0, a backoff whose jitter is 0.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import type { Attempt } from '../../src/core/call.js';
import { createResilience } from '../../src/engine/resilience.js';
import { isClosedError } from '../../src/errors/closed-error.js';
import { chatMigrated, networkError, tooManyRequests } from '../helpers/failures.js';

/** A fn whose first attempt stays in flight until `answer(error)`; later attempts succeed. */
function inFlight() {
  const attempts: Attempt[] = [];
  let answer: (error: unknown) => void = () => {};
  const fn = (attempt: Attempt) => {
    attempts.push(attempt);
    if (attempts.length > 1) return Promise.resolve('sent after close');
    return new Promise<never>((_, reject) => (answer = reject));
  };
  return { fn, attempts, answer: (error: unknown) => answer(error) };
}

describe('retry loop: nothing is sent after close()', () => {
  it.each([
    ['a chat migration', chatMigrated(-1001234567890), {}],
    ['a 429 with retry_after 0', tooManyRequests(0), {}],
    ['a network failure whose backoff jitter is 0', networkError('ECONNRESET'), { idempotent: true }],
  ])('%s answered after close() rejects as closed, with no second attempt', async (_, failure, extra) => {
    const clock = createManualClock(1_000);
    const resilience = createResilience({ clock, random: () => 0 });
    const { fn, attempts, answer } = inFlight();
    const call = resilience.call(fn, { method: 'sendMessage', params: { chat_id: -4242, text: 'hi' }, ...extra });
    const outcome = call.then(
      (value: unknown) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await Promise.resolve();
    expect(attempts).toHaveLength(1);
    await resilience.close();
    answer(failure);
    const settled = await outcome;
    expect(attempts).toHaveLength(1);
    expect(settled).not.toHaveProperty('value');
    expect(isClosedError((settled as { error: unknown }).error)).toBe(true);
  });

  it('the same answers before close() are retried at once (so the test above can fail)', async () => {
    for (const failure of [chatMigrated(-1001234567890), tooManyRequests(0), networkError('ECONNRESET')]) {
      const resilience = createResilience({ clock: createManualClock(1_000), random: () => 0 });
      const { fn, attempts, answer } = inFlight();
      const call = resilience.call(fn, { method: 'sendMessage', params: { chat_id: -4242, text: 'hi' }, idempotent: true });
      await Promise.resolve();
      answer(failure);
      await expect(call).resolves.toBe('sent after close');
      expect(attempts).toHaveLength(2);
      await resilience.close();
    }
  });

  it('with throttling on, a migration answered after close() is not sent either', async () => {
    const clock = createManualClock(1_000);
    const resilience = createResilience({ clock, random: () => 0, throttle: true });
    const { fn, attempts, answer } = inFlight();
    const call = resilience.call(fn, { method: 'sendMessage', params: { chat_id: -4242, text: 'hi' } });
    await Promise.resolve();
    await resilience.close();
    answer(chatMigrated(-1001234567890));
    const error = await call.catch((e: unknown) => e);
    expect(isClosedError(error)).toBe(true);
    expect(attempts).toHaveLength(1);
  });
});
