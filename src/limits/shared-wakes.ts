/**
 * Waits that end at the same clock time share one sleep. At paid rates the sends whose shared slots
 * fall in one `BATCH_MS` step all wake at its start: one timer for them, not a timer and an
 * AbortController each. A waiter's own signal ends its wait alone; when the last waiter has left,
 * the sleep is cancelled, so an aborted wait leaves no timer behind. `stop` (the limiter's, aborted
 * by `close()`) ends every wait.
 */
import { abortReason, abortableSleep, untilAborted } from '../core/abort.js';
import type { Clock } from '../core/clock.js';

interface Wake {
  done: Promise<void>;
  /** Waiters still waiting (those without a signal never leave early). */
  waiters: number;
  cancel: AbortController;
}

export class SharedWakes {
  private readonly wakes = new Map<number, Wake>();

  constructor(
    private readonly clock: Clock,
    private readonly stop: AbortSignal,
  ) {}

  /** Resolves at clock time `at`; rejects when `signal` (this waiter's) or `stop` (everyone's) aborts. */
  until(at: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const wake = this.wakes.get(at) ?? this.sleepUntil(at);
    wake.waiters++;
    return signal ? untilAborted(wake.done, signal, () => this.leave(at, wake)) : wake.done;
  }

  private sleepUntil(at: number): Wake {
    const cancel = new AbortController();
    const wake: Wake = { done: Promise.resolve(), waiters: 0, cancel };
    wake.done = abortableSleep(this.clock, at - this.clock.now(), cancel.signal, this.stop).finally(() => {
      if (this.wakes.get(at) === wake) this.wakes.delete(at);
    });
    wake.done.catch(() => undefined); // a cancelled or stopped sleep: each waiter saw it through its own chain
    this.wakes.set(at, wake);
    return wake;
  }

  private leave(at: number, wake: Wake): void {
    if (--wake.waiters > 0) return;
    if (this.wakes.get(at) === wake) this.wakes.delete(at);
    wake.cancel.abort();
  }
}
