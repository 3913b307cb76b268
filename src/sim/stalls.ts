/**
 * Event-loop stalls in virtual time (a GC pause, a slow handler): while a process is stalled nothing
 * in it runs, so every timer and I/O callback due during a stall runs at its end instead, in the
 * order they were due. `createStalledClock` wraps a manual clock so that every sleep through it
 * behaves so; code given the wrapper (the library under test, and the virtual Telegram of
 * `runVirtualBroadcast`, which then stands for a simulator in the same process) sees the stalls.
 */
import type { ManualClock } from '../core/clock.js';
import { mulberry32 } from './faults.js';

/** One stall: nothing runs from `at` (clock time) for `ms`. */
export interface Stall {
  at: number;
  ms: number;
}

/** Random stalls: `ms` long, starting every `everyMs` on average (exponential gaps, seeded). */
export interface StallSchedule {
  ms: number;
  everyMs: number;
  seed?: number;
}

/** Stalls from `start` until `until` (clock times), seeded: the same schedule every run. */
export function stallsBetween(start: number, until: number, schedule: StallSchedule): Stall[] {
  if (!(schedule.ms > 0) || !(schedule.everyMs > 0)) throw new RangeError('stalls: ms and everyMs must be > 0');
  const random = mulberry32(schedule.seed ?? 1);
  const stalls: Stall[] = [];
  for (let at = start - Math.log(1 - random()) * schedule.everyMs; at < until; at += schedule.ms - Math.log(1 - random()) * schedule.everyMs) {
    stalls.push({ at: Math.round(at), ms: schedule.ms });
  }
  return stalls;
}

/**
 * A view of `clock` in which a sleep due during one of `stalls` (sorted, not overlapping) wakes at
 * that stall's end. `now()` and `run()`/`advance()` are the underlying clock's.
 */
export function createStalledClock(clock: ManualClock, stalls: readonly Stall[]): ManualClock {
  const sorted = [...stalls].sort((a, b) => a.at - b.at);
  let first = 0;
  const wakeAt = (due: number): number => {
    // Stalls wholly in the past can never hold a sleep again.
    while (first < sorted.length && sorted[first]!.at + sorted[first]!.ms <= clock.now()) first++;
    for (let i = first; i < sorted.length && sorted[i]!.at <= due; i++) {
      const stall = sorted[i]!;
      if (due < stall.at + stall.ms) return stall.at + stall.ms;
    }
    return due;
  };
  return {
    now: () => clock.now(),
    sleep: (ms, signal, options) => clock.sleep(wakeAt(clock.now() + Math.max(0, ms)) - clock.now(), signal, options),
    advance: (ms) => clock.advance(ms),
    next: () => clock.next(),
    pending: () => clock.pending(),
    run: (promise, maxSteps, idleMs) => clock.run(promise, maxSteps, idleMs),
  };
}
