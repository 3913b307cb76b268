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
 *
 * When Telegram refuses a send bot-wide although we kept to the rate, it is stricter than configured
 * (for now): `slowDown` lowers the rate to what it accepted in the second before the refused send, so
 * the bot does not earn a 429 each time its gate reopens. The configured rate comes back after 10
 * minutes without another.
 */

const WINDOW_MS = 1_000;
/** Rates up to this many per second get the hard window cap (and can be learned). */
const STRICT_WINDOW_MAX_RATE = 100;
/** A learned rate is never below this fraction of the configured one. */
const MAX_SLOWDOWN_FACTOR = 10;
/** How long a learned rate holds after the last bot-wide 429. */
export const LEARNED_RATE_TTL_MS = 10 * 60_000;

export class BotRate {
  /** Sends per second in force. */
  private current = 0;
  private interval = 0;
  /** How far behind schedule still counts as "late" (caught up) rather than "idle" (restart). */
  private catchUpMs = 0;
  /** The cap's window: requests reach Telegram after a varying delay, so keep 0.75 slot (at most 25 ms) of margin. */
  private windowMs = 0;
  /** Sends allowed in one window (the cap), at most `stamps.length`. */
  private limit = 0;
  /** Send times of the last `floor(configured rate)` sends, a ring (only with the cap); `-Infinity` where unused. */
  private readonly stamps: Float64Array | undefined;
  /** The next write position: the oldest stamp. */
  private head = 0;
  private nextAt = Number.NEGATIVE_INFINITY;
  /** The latest refused send a lower rate was learned from. */
  private slowedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly perSecond: number) {
    this.stamps =
      perSecond <= STRICT_WINDOW_MAX_RATE ? new Float64Array(Math.max(1, Math.floor(perSecond))).fill(Number.NEGATIVE_INFINITY) : undefined;
    this.setRate(perSecond);
  }

  /** Sends per second in force (lower than configured while a learned rate holds). */
  get rate(): number {
    return this.current;
  }

  /**
   * The earliest time the next send may go, in whole milliseconds (rounded up): fractional send
   * times would make window checks here and at Telegram disagree by a rounding error.
   */
  readyAt(): number {
    const windowAt = this.stamps ? this.stampAgo(this.limit) + this.windowMs : Number.NEGATIVE_INFINITY;
    return Math.ceil(Math.max(this.nextAt, windowAt));
  }

  take(now: number): void {
    if (this.current < this.perSecond && now >= this.slowedAt + LEARNED_RATE_TTL_MS) this.setRate(this.perSecond);
    this.nextAt = (this.nextAt < now - this.catchUpMs ? now : this.nextAt) + this.interval;
    if (this.stamps) {
      this.stamps[this.head] = now;
      this.head = (this.head + 1) % this.stamps.length;
    }
  }

  /**
   * Telegram refused the send made at `refusedAt` bot-wide: lower the rate to the sends it accepted
   * in the second before that one (and at least by one). Rates above 100/s (paid broadcasts) are not
   * learned: they keep no send times to count.
   */
  slowDown(refusedAt: number): void {
    if (!this.stamps) return;
    let accepted = 0;
    for (const at of this.stamps) if (at > refusedAt - WINDOW_MS && at < refusedAt) accepted++;
    const floor = Math.max(1, Math.ceil(this.perSecond / MAX_SLOWDOWN_FACTOR));
    const learned = Math.max(floor, Math.min(this.limit - 1, accepted));
    this.slowedAt = Math.max(this.slowedAt, refusedAt);
    if (learned < this.limit) this.setRate(learned);
  }

  /**
   * A send Telegram refused took no place in its window: take it out of ours (its slot in the ring
   * counts as free). Its spacing is kept: the next send is not brought forward.
   */
  forget(sentAt: number): void {
    if (!this.stamps) return;
    for (let k = 1; k <= this.stamps.length; k++) {
      const i = (this.head - k + this.stamps.length) % this.stamps.length;
      if (this.stamps[i] === sentAt) {
        this.stamps[i] = Number.NEGATIVE_INFINITY;
        return;
      }
    }
  }

  private setRate(perSecond: number): void {
    this.current = perSecond;
    this.interval = WINDOW_MS / perSecond;
    this.catchUpMs = Math.min(100, Math.max(3 * this.interval, 25));
    this.windowMs = WINDOW_MS + Math.min(25, 0.75 * this.interval);
    this.limit = this.stamps ? Math.max(1, Math.min(this.stamps.length, Math.floor(perSecond))) : 0;
  }

  /** The `k`-th most recent send time (1: the latest). */
  private stampAgo(k: number): number {
    const n = this.stamps!.length;
    return this.stamps![(this.head - k + n) % n]!;
  }
}
