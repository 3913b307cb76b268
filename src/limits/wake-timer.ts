/**
 * The scheduler's one timer: it wakes the queue when the first thing waiting may go. Asked for a
 * time no earlier than the one set, it keeps the one set; asked for an earlier one, it moves.
 */
import type { Clock } from '../core/clock.js';

export class WakeTimer {
  private wake: { at: number; controller: AbortController } | undefined;

  /**
   * @param now scheduler time.
   * @param onWake called when the time set comes, with that time.
   */
  constructor(
    private readonly clock: Clock,
    private readonly now: () => number,
    private readonly onWake: (at: number) => void,
  ) {}

  /** Wakes at `at` (scheduler time), unless set to wake no later already. */
  at(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.controller.abort();
    const controller = new AbortController();
    this.wake = { at, controller };
    this.clock.sleep(at - this.now(), controller.signal).then(
      () => {
        if (this.wake?.controller === controller) this.wake = undefined;
        this.onWake(at);
      },
      () => {},
    );
  }

  /**
   * Nothing waits any more (the last waiting calls were aborted, or the scheduler closed): a timer
   * left set would keep the process alive until it fired, an hour later after a long flood wait.
   */
  cancel(): void {
    this.wake?.controller.abort();
    this.wake = undefined;
  }
}
