/**
 * Where the engine, the limiters and the simulator get time from. Injecting one keeps tests
 * deterministic: nothing in this package reads `Date.now()` or calls `setTimeout` directly.
 */
export interface SleepOptions {
  /** Do not keep the process alive for this sleep (Node's `timer.unref()`). Default `false`. */
  unref?: boolean;
}

export interface Clock {
  /** Milliseconds since some fixed origin (only differences matter). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds. Rejects with `signal.reason` as soon as `signal` aborts
   * (at once if it already has), and leaves no timer behind in either case. With `unref`, the
   * sleep does not keep the process alive (housekeeping such as freeing idle state).
   */
  sleep(ms: number, signal?: AbortSignal, options?: SleepOptions): Promise<void>;
}

import { IndexedHeap, type HeapItem } from './heap.js';
import { abortReason } from './abort.js';

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal, options) {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      if (options?.unref) timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface PendingSleep extends HeapItem {
  at: number;
  seq: number;
  /** Like an unref'd timer: not counted by `pending()`, and `run()`/`next()` do not wait for it. */
  unref: boolean;
  resolve: () => void;
}

/** A clock whose time only moves when told to. For tests and virtual-time simulations. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, waking every sleeper due on the way, in order. */
  advance(ms: number): Promise<void>;
  /** Moves time to the next pending (not unref'd) wake-up, if any, and wakes what is due. Returns false when nothing is pending. */
  next(): Promise<boolean>;
  /** Number of sleeps not yet woken (unref'd ones not counted, as they would not keep a process alive). */
  pending(): number;
  /**
   * Keeps advancing to the next wake-up until `promise` settles (or `maxSteps` wake-ups pass),
   * then returns its result. Handy to drive a call that sleeps several times. When nothing sleeps
   * (real I/O in flight) it waits in real time, failing after `idleMs` (default 5000) without progress.
   */
  run<T>(promise: Promise<T>, maxSteps?: number, idleMs?: number): Promise<T>;
}

/** Lets pending promise callbacks run, so code woken by a sleep reaches its next sleep. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}

export function createManualClock(start = 0): ManualClock {
  let time = start;
  let seq = 0;
  // Two heaps by (time, order of sleeping): sleeps that keep the "process" alive, and unref'd ones.
  const earlier = (a: PendingSleep, b: PendingSleep) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  const refd = new IndexedHeap<PendingSleep>(earlier);
  const unrefd = new IndexedHeap<PendingSleep>(earlier);
  const earliest = (): PendingSleep | undefined => {
    const a = refd.peek();
    const b = unrefd.peek();
    return !a ? b : !b ? a : earlier(a, b) ? a : b;
  };

  const wakeDue = async (until: number) => {
    for (;;) {
      await settle();
      const first = earliest();
      if (!first || first.at > until) break;
      (first.unref ? unrefd : refd).remove(first);
      time = Math.max(time, first.at);
      first.resolve();
    }
    time = Math.max(time, until);
    await settle();
  };

  const clock: ManualClock = {
    now: () => time,
    sleep(ms, signal, options) {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      return new Promise<void>((resolve, reject) => {
        const entry: PendingSleep = {
          at: time + Math.max(0, Number.isFinite(ms) ? ms : 0),
          seq: seq++,
          unref: options?.unref === true,
          heapIndex: -1,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          (entry.unref ? unrefd : refd).remove(entry);
          reject(abortReason(signal!));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        (entry.unref ? unrefd : refd).push(entry);
      });
    },
    advance: (ms) => wakeDue(time + ms),
    async next() {
      await settle();
      const first = refd.peek();
      if (!first) return false;
      await wakeDue(first.at);
      return true;
    },
    pending: () => refd.size,
    async run(promise, maxSteps = 10_000, idleMs = 5_000) {
      let done = false;
      const tracked = promise.finally(() => {
        done = true;
      });
      tracked.catch(() => {});
      let idleSince: number | undefined;
      for (let i = 0; i < maxSteps; i++) {
        await settle();
        if (done) break;
        if (await clock.next()) {
          idleSince = undefined;
          continue;
        }
        // Nothing sleeps: real I/O (a socket, a server) may still be on its way. Give it real time.
        idleSince ??= Date.now();
        if (Date.now() - idleSince > idleMs) {
          throw new Error(`ManualClock.run: the promise is still pending and nothing has slept for ${idleMs} ms of real time`);
        }
        await new Promise<void>((r) => setTimeout(r, 1));
      }
      return tracked;
    },
  };
  return clock;
}
