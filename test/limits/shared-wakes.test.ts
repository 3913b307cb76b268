import { expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { SharedWakes } from '../../src/limits/shared-wakes.js';

function setup() {
  const clock = createManualClock(0);
  const stop = new AbortController();
  return { clock, stop, wakes: new SharedWakes(clock, stop.signal) };
}

/** Which of `waits` have settled, and how. */
function track(waits: Array<Promise<void>>) {
  const states: string[] = waits.map(() => 'waiting');
  waits.forEach((wait, i) =>
    wait.then(
      () => (states[i] = 'woken'),
      (error: Error) => (states[i] = error.message),
    ),
  );
  return states;
}

it('waits ending at one time share one timer and wake together, at that time', async () => {
  const { clock, wakes } = setup();
  const states = track([wakes.until(8, undefined), wakes.until(8, new AbortController().signal), wakes.until(16, undefined)]);
  expect(clock.pending()).toBe(2);
  await clock.advance(7);
  expect(states).toEqual(['waiting', 'waiting', 'waiting']);
  await clock.advance(1);
  expect(states).toEqual(['woken', 'woken', 'waiting']);
  await clock.advance(8);
  expect(states).toEqual(['woken', 'woken', 'woken']);
  expect(clock.pending()).toBe(0);
  // A time already woken gets a sleep of its own again.
  const late = track([wakes.until(24, undefined)]);
  expect(clock.pending()).toBe(1);
  await clock.advance(8);
  expect(late).toEqual(['woken']);
});

it("a waiter's abort ends its wait only; when the last one has left, no timer is left behind", async () => {
  const { clock, wakes } = setup();
  const [a, b] = [new AbortController(), new AbortController()];
  const states = track([wakes.until(100, a.signal), wakes.until(100, b.signal)]);
  a.abort(new Error('a left'));
  await Promise.resolve();
  expect(states).toEqual(['a left', 'waiting']);
  expect(clock.pending()).toBe(1);
  b.abort(new Error('b left'));
  await Promise.resolve();
  expect(states).toEqual(['a left', 'b left']);
  expect(clock.pending()).toBe(0);
  // An aborted signal is refused at once; a new waiter at that time sleeps anew.
  await expect(wakes.until(100, a.signal)).rejects.toThrow('a left');
  const again = track([wakes.until(100, undefined)]);
  await clock.advance(100);
  expect(again).toEqual(['woken']);
});

it('a waiter without a signal keeps the sleep when the others leave; stop ends every wait', async () => {
  const { clock, stop, wakes } = setup();
  const leaving = new AbortController();
  const states = track([wakes.until(50, undefined), wakes.until(50, leaving.signal), wakes.until(70, new AbortController().signal)]);
  leaving.abort(new Error('left'));
  await Promise.resolve();
  expect(clock.pending()).toBe(2);
  stop.abort(new Error('closed'));
  await new Promise((resolve) => setImmediate(resolve)); // the rejections' reactions run
  expect(states).toEqual(['closed', 'left', 'closed']);
  expect(clock.pending()).toBe(0);
});
