/**
 * The bot-wide rate: one slot every 1000/rate ms. Timers fire late (a 1 ms timer takes ~1.1 ms), and
 * spacing counted from "now" would lose that time for good and fall short of the rate. So slots are
 * counted from the previous slot, and missed ones are caught up after a late wake-up or a GC pause
 * (up to 25 ms or three slots behind, whichever is more, at most 100 ms). After an idle spell (behind
 * by more than that) the count restarts from now: no burst.
 *
 * Up to 100/s (Telegram's 30/s, where it counts exactly) a hard cap also holds: never more than
 * `rate` sends in any window a little longer than 1000 ms, whatever the catch-up. Above that (paid
 * broadcasts, 1000/s) the cap would make every late wake-up permanent (each send waits for the one a
 * window earlier), so spacing alone holds it: a 1 s window sees at most 25 ms worth more than the rate.
 */

const WINDOW_MS = 1_000;
/** Rates up to this many per second get the hard window cap. */
const STRICT_WINDOW_MAX_RATE = 100;

export class BotRate {
  private readonly interval: number;
  /** How far behind schedule still counts as "late" (caught up) rather than "idle" (restart). */
  private readonly catchUpMs: number;
  /** The cap's window: requests reach Telegram after a varying delay, so keep 0.75 slot (at most 25 ms) of margin. */
  private readonly windowMs: number;
  /** Send times of the last `rate` sends, a ring (only with the cap); `-Infinity` where unused. */
  private readonly stamps: Float64Array | undefined;
  private head = 0;
  private nextAt = Number.NEGATIVE_INFINITY;

  constructor(perSecond: number) {
    this.interval = WINDOW_MS / perSecond;
    this.catchUpMs = Math.min(100, Math.max(3 * this.interval, 25));
    this.windowMs = WINDOW_MS + Math.min(25, 0.75 * this.interval);
    this.stamps =
      perSecond <= STRICT_WINDOW_MAX_RATE ? new Float64Array(Math.max(1, Math.floor(perSecond))).fill(Number.NEGATIVE_INFINITY) : undefined;
  }

  /**
   * The earliest time the next send may go, in whole milliseconds (rounded up): fractional send
   * times would make window checks here and at Telegram disagree by a rounding error.
   */
  readyAt(): number {
    const windowAt = this.stamps ? this.stamps[this.head]! + this.windowMs : Number.NEGATIVE_INFINITY;
    return Math.ceil(Math.max(this.nextAt, windowAt));
  }

  take(now: number): void {
    this.nextAt = (this.nextAt < now - this.catchUpMs ? now : this.nextAt) + this.interval;
    if (this.stamps) {
      this.stamps[this.head] = now;
      this.head = (this.head + 1) % this.stamps.length;
    }
  }
}
