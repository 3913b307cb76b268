/**
 * One AbortSignal shared by many concurrent calls: one listener of ours on it, however many calls
 * wait (Node warns past 10 with MaxListenersExceededWarning), none left once they settled, and an
 * abort still reaches every one of them.
 */
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortableSleep, createStopper, onAbort } from '../../src/core/abort.js';
import { createManualClock } from '../../src/core/clock.js';
import type { Attempt } from '../../src/core/call.js';
import { createResilience } from '../../src/engine/resilience.js';
import { grammyTransformer } from '../../src/adapters/grammy.js';
import { tooManyRequests } from '../helpers/failures.js';

const CALLS = 100;

let warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
});

/** Lets process warnings (emitted on the next tick) arrive. */
const settleWarnings = () => new Promise((resolve) => setImmediate(resolve));

function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** A fn that stays in flight until `release()`. */
function held() {
  const releases: Array<() => void> = [];
  const fn = (_: Attempt) => new Promise<string>((resolve) => releases.push(() => resolve('ok')));
  return { fn, release: () => releases.splice(0).forEach((r) => r()), inFlight: () => releases.length };
}

describe(`one signal shared by ${CALLS} concurrent calls`, () => {
  it('in flight: one listener, no MaxListenersExceededWarning, none left after', async () => {
    const resilience = createResilience();
    const controller = new AbortController();
    const { fn, release, inFlight } = held();
    const calls = Array.from({ length: CALLS }, (_, i) => resilience.call(fn, { method: 'sendMessage', params: { chat_id: i }, signal: controller.signal }));
    await Promise.resolve();
    expect(inFlight()).toBe(CALLS);
    expect(abortListeners(controller.signal)).toBe(1);
    release();
    await expect(Promise.all(calls)).resolves.toHaveLength(CALLS);
    await settleWarnings();
    expect(warnings.map((w) => w.name)).toEqual([]);
    expect(abortListeners(controller.signal)).toBe(0);
    await resilience.close();
  });

  it('queued for one chat: one listener; an abort rejects every call', async () => {
    const resilience = createResilience({ clock: createManualClock(1_000), throttle: true });
    const controller = new AbortController();
    const calls = Array.from({ length: CALLS }, () =>
      resilience.call(() => 'sent', { method: 'sendMessage', params: { chat_id: 7 }, signal: controller.signal }).catch((e: unknown) => e),
    );
    expect(abortListeners(controller.signal)).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    const outcomes = await Promise.all(calls);
    // The first went at once, and its answer had not come back yet: the abort wins for it too.
    expect(outcomes.every((o) => o === reason)).toBe(true);
    await settleWarnings();
    expect(warnings.map((w) => w.name)).toEqual([]);
    expect(abortListeners(controller.signal)).toBe(0);
    await resilience.close();
  });

  it('sleeping out a flood wait: one listener, none left after', async () => {
    const clock = createManualClock(1_000);
    const resilience = createResilience({ clock });
    const controller = new AbortController();
    let attempts = 0;
    const fn = (attempt: Attempt) => {
      attempts++;
      if (attempt.number === 1) throw tooManyRequests(5);
      return 'ok';
    };
    const calls = Array.from({ length: CALLS }, (_, i) => resilience.call(fn, { method: 'sendMessage', params: { chat_id: i }, signal: controller.signal }));
    while (clock.pending() < CALLS) await new Promise((r) => setImmediate(r));
    expect(abortListeners(controller.signal)).toBe(1);
    await clock.advance(5_000);
    await expect(Promise.all(calls)).resolves.toHaveLength(CALLS);
    expect(attempts).toBe(2 * CALLS);
    await settleWarnings();
    expect(warnings.map((w) => w.name)).toEqual([]);
    expect(abortListeners(controller.signal)).toBe(0);
    await resilience.close();
  });

  it('through the grammY transformer with a polyfilled signal (mirrored once, not once per call)', async () => {
    const resilience = createResilience();
    // abort-controller@3's signal: an EventTarget without `reason` or `throwIfAborted`.
    const target = new EventTarget();
    const polyfilled = Object.assign(target, { aborted: false, onabort: null }) as unknown as AbortSignal;
    const transformer = grammyTransformer(resilience) as unknown as (
      prev: (method: string, payload: unknown, signal?: AbortSignal) => Promise<unknown>,
      method: string,
      payload: unknown,
      signal?: AbortSignal,
    ) => Promise<unknown>;
    const releases: Array<() => void> = [];
    const prev = () => new Promise<unknown>((resolve) => releases.push(() => resolve({ ok: true, result: 1 })));
    const calls = Array.from({ length: CALLS }, (_, i) => transformer(prev, 'sendMessage', { chat_id: i, text: 'x' }, polyfilled));
    await new Promise((r) => setImmediate(r));
    expect(releases).toHaveLength(CALLS);
    expect(getEventListeners(target, 'abort')).toHaveLength(1);
    releases.forEach((r) => r());
    await Promise.all(calls);
    await settleWarnings();
    expect(warnings.map((w) => w.name)).toEqual([]);
    expect(getEventListeners(target, 'abort')).toHaveLength(0);
    await resilience.close();
  });
});

describe('onAbort', () => {
  it('runs every callback once on abort, and removes its listener with the last one', () => {
    const controller = new AbortController();
    const ran: number[] = [];
    const offs = [1, 2, 3].map((n) => onAbort(controller.signal, () => ran.push(n)));
    expect(abortListeners(controller.signal)).toBe(1);
    offs[1]!();
    offs[1]!(); // twice is harmless
    expect(abortListeners(controller.signal)).toBe(1);
    controller.abort();
    controller.abort();
    expect(ran).toEqual([1, 3]);
    offs[0]!(); // after the abort: nothing to do
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it('a callback that unsubscribes another during the abort does not break the others', () => {
    const controller = new AbortController();
    const ran: string[] = [];
    let offB = () => {};
    onAbort(controller.signal, () => {
      ran.push('a');
      offB();
    });
    offB = onAbort(controller.signal, () => ran.push('b'));
    onAbort(controller.signal, () => ran.push('c'));
    controller.abort();
    expect(ran).toEqual(['a', 'c']);
  });

  it('subscribes afresh after all callbacks left', () => {
    const controller = new AbortController();
    onAbort(controller.signal, () => {})();
    expect(abortListeners(controller.signal)).toBe(0);
    let ran = false;
    onAbort(controller.signal, () => (ran = true));
    controller.abort();
    expect(ran).toBe(true);
  });
});

describe('abortableSleep', () => {
  it('many sleeps on one stop signal carry one listener of ours, end on stop, and leave none', async () => {
    const clock = createManualClock(0);
    const stop = createStopper();
    const sleeps = Array.from({ length: 2_000 }, () => abortableSleep(clock, 1_000, undefined, stop.signal).then(() => 'woke', (e: unknown) => e));
    // A listener per sleep would make each removal walk all the others (quadratic in the sleepers).
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    const reason = new Error('closed');
    stop.abort(reason);
    expect(new Set(await Promise.all(sleeps))).toEqual(new Set([reason]));
    expect(clock.pending()).toBe(0);
  });

  it('rejects on abort even when the clock ignores its signal, and leaves no listener once woken', async () => {
    const deaf = { sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()) };
    const caller = new AbortController();
    const stop = createStopper();
    const aborted = abortableSleep(deaf, 60_000, caller.signal, stop.signal);
    const reason = new Error('gone');
    caller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    const other = new AbortController();
    await abortableSleep(deaf, 1, other.signal, stop.signal);
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
