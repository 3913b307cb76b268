import { expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { WakeTimer } from '../../src/limits/wake-timer.js';

function setup() {
  const clock = createManualClock(1_000);
  const woken: Array<{ at: number; now: number }> = [];
  // Scheduler time counts from 1,000 ms of clock time here.
  const now = () => clock.now() - 1_000;
  const timer = new WakeTimer(clock, now, (at) => woken.push({ at, now: now() }));
  return { clock, woken, timer };
}

it('keeps the earliest time asked for: a later one does not move it, an earlier one does', async () => {
  const { clock, woken, timer } = setup();
  timer.at(500);
  timer.at(800);
  expect(clock.pending()).toBe(1);
  timer.at(200);
  expect(clock.pending()).toBe(1);
  await clock.advance(199);
  expect(woken).toEqual([]);
  await clock.advance(1);
  expect(woken).toEqual([{ at: 200, now: 200 }]);
  // Once woken it is unset: the next time asked for is set whatever it is.
  timer.at(900);
  await clock.advance(700);
  expect(woken).toEqual([{ at: 200, now: 200 }, { at: 900, now: 900 }]);
  expect(clock.pending()).toBe(0);
});

it('cancel() leaves no timer to keep the process alive, and the next time asked for is set anew', async () => {
  const { clock, woken, timer } = setup();
  timer.at(60_000);
  timer.cancel();
  expect(clock.pending()).toBe(0);
  await clock.advance(120_000);
  expect(woken).toEqual([]);
  timer.at(120_500);
  await clock.advance(500);
  expect(woken).toEqual([{ at: 120_500, now: 120_500 }]);
});
