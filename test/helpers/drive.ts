/** Driving a call on a manual clock while real I/O (HTTP, scripted networks) runs for real. */
import type { ManualClock } from '../../src/core/clock.js';

/**
 * Settles `promise`, moving `clock` to the next wake-up whenever something sleeps on it and giving
 * real I/O real time in between (`ManualClock.run`); fails after 5 s of real time without progress.
 */
export function drive<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  return clock.run(promise, 1_000_000);
}

/** The rejection of `promise` (driven on `clock`); fails when it resolves. */
export async function rejectionOf(clock: ManualClock, promise: Promise<unknown>): Promise<unknown> {
  try {
    await drive(clock, promise);
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, it succeeded');
}
