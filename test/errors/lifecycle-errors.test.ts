/**
 * ClosedError and BackendUnavailableError: branded (Symbol.for, so the guards hold across two copies
 * of the package), and what every call gets after close() / when the backend fails under 'fail'.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import { BackendUnavailableError, ClosedError, isBackendUnavailableError, isClosedError } from '../../src/index.js';
import { FloodGates } from '../../src/limits/flood-gates.js';
import type { LimitsBackend } from '../../src/limits/backend.js';
import { Limiter } from '../../src/limits/limiter.js';
import { PacingScheduler } from '../../src/limits/scheduler.js';
import { TELEGRAM_LIMITS } from '../../src/limits/throttle-options.js';
import { tooManyRequests } from '../helpers/failures.js';

/** What a second copy of the package would throw: another class, the same brand. */
function fromAnotherCopy(name: string): Error {
  return Object.assign(new Error('from another copy'), { [Symbol.for(`telegram-resilience.${name}`)]: true });
}

describe('the guards', () => {
  it('know their own class, a copy of it, and nothing else', () => {
    expect(isClosedError(new ClosedError('x'))).toBe(true);
    expect(isClosedError(fromAnotherCopy('ClosedError'))).toBe(true);
    expect(isBackendUnavailableError(new BackendUnavailableError('x'))).toBe(true);
    expect(isBackendUnavailableError(fromAnotherCopy('BackendUnavailableError'))).toBe(true);
    for (const other of [new Error('closed'), new BackendUnavailableError('x'), null, undefined, 'ClosedError', {}]) {
      expect(isClosedError(other)).toBe(false);
    }
    for (const other of [new Error('unavailable'), new ClosedError('x'), null, 42]) expect(isBackendUnavailableError(other)).toBe(false);
    expect(new ClosedError('x')).toBeInstanceOf(Error);
    expect(new ClosedError('x').name).toBe('ClosedError');
    expect(new BackendUnavailableError('x').name).toBe('BackendUnavailableError');
  });
});

describe('after close()', () => {
  it('a call made after it rejects with a ClosedError, and fn is never run', async () => {
    const resilience = createResilience({ clock: createManualClock() });
    await resilience.close();
    let ran = false;
    const error = await resilience.call(() => (ran = true)).catch((e: unknown) => e);
    expect(isClosedError(error)).toBe(true);
    expect((error as Error).message).toBe('telegram-resilience: call() after close()');
    expect(ran).toBe(false);
  });

  it('calls queued for a slot, sleeping out a flood wait, or waiting at a gate reject with a ClosedError', async () => {
    const clock = createManualClock();
    const resilience = createResilience({ clock, throttle: true });
    let sends = 0;
    const send = (chat_id: number) => resilience.call(() => ++sends, { method: 'sendMessage', params: { chat_id } });
    await send(1); // takes chat 1's slot for 1 s
    const queued = send(1).catch((e: unknown) => e);
    let floods = 0;
    const sleeping = resilience
      .call(
        () => {
          if (floods++ === 0) throw tooManyRequests(30);
          return 'late';
        },
        { method: 'sendMessage', params: { chat_id: 2 } },
      )
      .catch((e: unknown) => e);
    await clock.advance(100); // its slot came (the bot-wide rate spaces sends 34 ms apart): 429, sleeping 30 s
    expect(floods).toBe(1);
    const atGate = send(2).catch((e: unknown) => e); // chat 2's gate is closed for 30 s
    await clock.advance(100);
    await resilience.close();
    const errors = await Promise.all([queued, sleeping, atGate]);
    for (const error of errors) expect(isClosedError(error), String(error)).toBe(true);
    expect(sends).toBe(1);
    expect(floods).toBe(1);
  });

  it('the scheduler refuses jobs with a ClosedError, and the limiter its waits', async () => {
    const clock = createManualClock();
    const gates = new FloodGates(clock);
    const scheduler = new PacingScheduler(clock, TELEGRAM_LIMITS, gates);
    const request = { chat: { key: 'chat:1', kind: 'private' as const }, paid: false, method: 'sendMessage', signal: undefined };
    expect(scheduler.acquire(request)).toBeUndefined();
    const waiting = scheduler.acquire(request)!.catch((e: unknown) => e);
    scheduler.close();
    expect(isClosedError(await waiting)).toBe(true);
    expect(isClosedError(await scheduler.acquire(request)!.catch((e: unknown) => e))).toBe(true);

    const limiter = new Limiter({ clock, throttle: undefined, backend: undefined, backendTimeoutMs: 500, onBackendError: 'fallback', onBackendStatus: () => {} });
    limiter.gates.close('method:messages.sendMessage', clock.now() + 60_000);
    const atGate = limiter.acquire({ method: 'messages.sendMessage', params: undefined }, false, undefined)!;
    const closed = atGate.catch((e: unknown) => e);
    await limiter.close();
    expect(isClosedError(await closed)).toBe(true);
  });
});

describe("onBackendError: 'fail'", () => {
  it('rejects with a branded BackendUnavailableError carrying the backend failure as its cause', async () => {
    const failure = new Error('connection refused');
    const backend: LimitsBackend = {
      name: 'broken',
      start: async () => {
        throw failure;
      },
      reserve: async () => 0,
      closeGate: async () => {},
      openGates: async () => ({}),
      close: async () => {},
    };
    const resilience = createResilience({ clock: createManualClock(), throttle: true, backend, onBackendError: 'fail' });
    const error = await resilience.call(() => 'sent', { method: 'sendMessage', params: { chat_id: 1 } }).catch((e: unknown) => e);
    expect(isBackendUnavailableError(error)).toBe(true);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).cause).toBe(failure);
    await resilience.close();
  });
});
