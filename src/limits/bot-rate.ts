/**
 * The bot-wide rate: at most `rate` sends in any 1000 ms window, as Telegram counts them, on ITS
 * side. A message reaches Telegram one one-way latency after we send it, and latencies vary: two
 * sends 1000 ms apart here may arrive 1000 - (spread of latencies) ms apart there. So the window we
 * keep is 1000 ms plus a margin (the spread, learned from round trips: see round-trips.ts), and
 * slots are spaced (1000 + margin) / rate apart. The margin costs margin / 1000 of the bot's rate.
 *
 * Spacing counts from the actual send: a timer that fires late is followed by normal spacing, never
 * by a burst catching up on the slots it missed (only a timer's usual lateness, up to a third of a
 * slot, is made up, so the rate is kept). A hard cap holds as well: never more than `rate` sends in any
 * window of 1000 ms + margin, whatever the timers did (up to 1,000/s, Telegram's paid rate; above
 * that no ring of send times is kept, and spacing alone paces). At paid rates sends due within 8 ms
 * go together, one wake-up for several slots (see BATCH_MS); the cap keeps their windows.
 *
 * When Telegram refuses a send bot-wide although we kept to the rate, it is stricter than configured
 * (for now): `slowDown` lowers the rate to what it accepted in the second before the refused send, so
 * the bot does not earn a 429 each time its gate reopens. The configured rate comes back after 10
 * minutes without another. Rates above 100/s (paid broadcasts) are not learned.
 */
import { SendRing } from './send-ring.js';

const WINDOW_MS = 1_000;
/**
 * The system clock's resolution (`Date.now()`, whole ms): two send times 1,000 ms apart by it may be
 * 999.x ms apart in fact, so the hard cap keeps one more millisecond (1,001 sends in 999.1 ms of
 * real time were seen at the paid rate without it).
 */
const CLOCK_RESOLUTION_MS = 1;
/** Rates up to this many per second get the hard window cap (a ring of that many send times). */
const CAPPED_MAX_RATE = 1_000;
/** Rates up to this many per second can be learned from 429s. */
const LEARNED_MAX_RATE = 100;
/** A learned rate is never below this fraction of the configured one. */
const MAX_SLOWDOWN_FACTOR = 10;
/** How long a learned rate holds after the last bot-wide 429. */
export const LEARNED_RATE_TTL_MS = 10 * 60_000;
/**
 * How much lateness is made up: a third of a slot, 2 to 10 ms (a timer fires a millisecond or more
 * late, a busy loop adds a few). More is not made up: no catch-up burst after a stall.
 */
const slackFor = (interval: number) => Math.min(10, Math.max(2, interval / 3));
/**
 * Above this rate (paid broadcasts: slots about 1 ms apart) sends due within the next `BATCH_MS`
 * go together. A timer per slot wakes the process a thousand times a second, and under load each
 * wake-up costs more than the send: with ten processes on two cores, pacing one by one took 0.7 ms
 * of CPU per message more than sending the same messages unpaced (bench/bullmq.mjs). Windows still
 * hold: the hard cap counts actual send times over 1000 ms + margin, and is never brought forward.
 */
const BATCH_ABOVE_RATE = 100;
export const BATCH_MS = 8;
/** How early a send at `perSecond` may go before its slot: `BATCH_MS` above 100/s, else 0. */
export const batchMsAt = (perSecond: number): number => (perSecond > BATCH_ABOVE_RATE ? BATCH_MS : 0);

export class BotRate {
  /** Sends per second in force. */
  private current = 0;
  private interval = 0;
  private slack = 0;
  /** How early a send may go before its slot (`BATCH_MS` at rates that get it, else 0). */
  private early = 0;
  private margin = 0;
  /** Sends allowed in one window (the cap), at most the ring's size. */
  private limit = 0;
  /** The latest sends (a window's worth, twice that for learned rates). Empty above 1,000/s. */
  private readonly ring: SendRing;
  private nextAt = Number.NEGATIVE_INFINITY;
  /** The latest refused send a lower rate was learned from. */
  private slowedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly perSecond: number,
    marginMs = 0,
  ) {
    // Rates that are learned keep twice their window's sends: a 429 is judged by the sends around it.
    this.ring = new SendRing(perSecond <= CAPPED_MAX_RATE ? Math.max(1, Math.floor(perSecond)) * (perSecond <= LEARNED_MAX_RATE ? 2 : 1) : 0);
    this.margin = marginMs;
    this.setRate(perSecond);
  }

  /** Sends per second in force (lower than configured while a learned rate holds). */
  get rate(): number {
    return this.current;
  }

  /** The margin added to the 1000 ms window, in ms. */
  get marginMs(): number {
    return this.margin;
  }

  setMargin(marginMs: number): void {
    this.margin = marginMs;
    this.setRate(this.current);
  }

  /**
   * The earliest time the next send may go, in whole milliseconds (rounded up): fractional send
   * times would make window checks here and at Telegram disagree by a rounding error.
   */
  readyAt(): number {
    return Math.ceil(Math.max(this.nextAt - this.early, this.capAt()));
  }

  /**
   * When to wake up for the next send: its slot itself. Woken there, the sends due within the next
   * `BATCH_MS` go with it (`readyAt` lets them), instead of one wake-up each. Equal to `readyAt`
   * at rates that send one by one.
   */
  wakeAt(): number {
    return Math.ceil(Math.max(this.nextAt, this.capAt()));
  }

  /** When the hard cap lets the next send go (the oldest of a full window's sends leaves it). */
  private capAt(): number {
    return this.limit > 0 ? this.ring.ago(this.limit) + WINDOW_MS + this.margin + CLOCK_RESOLUTION_MS : Number.NEGATIVE_INFINITY;
  }

  /** Counts a send made `now`, known by `sendNo` (the scheduler's count of sends) to `forget` and `slowDown`. */
  take(now: number, sendNo = -1): void {
    if (this.current < this.perSecond && now >= this.slowedAt + LEARNED_RATE_TTL_MS) this.setRate(this.perSecond);
    this.nextAt = (this.nextAt < now - this.slack ? now : this.nextAt) + this.interval;
    this.ring.push(now, sendNo); // a ring of size 0 (rates above the cap) keeps nothing
  }

  /**
   * Sends made at or after `since` may have reached Telegram only at `now` (the event loop stalled
   * before they left, or before a simulator in this process read them): count them at `now`, so the
   * sends after the stall keep the window with them. Returns how many moved.
   */
  restamp(since: number, now: number): number {
    return this.ring.restamp(since, now);
  }

  /**
   * The send made at `sentAt` may have reached Telegram as late as a send made at `at` would have
   * (its answer came back later than the margin explains): it counts at `at`, and so do the sends
   * after it that count earlier (the ring stays in send order).
   */
  delay(sentAt: number, at: number): void {
    this.ring.delay(sentAt, at);
  }

  /**
   * Telegram refused the send made at `refusedAt` (already forgotten) bot-wide: lower the rate to the
   * sends it accepted in its window: those that may have arrived in the second before the refused
   * one and were not refused. Latencies vary, and the margin is only an estimate of how much: so
   * sends up to twice the margin earlier count too. (Sends after the refused one are still on their
   * way, most of them to be refused as well: counting them would learn more than Telegram takes.)
   * When they are as many as the rate, latency explains the 429 and nothing is learned.
   * "Before" is by send order (`sendNo`) where the ring still holds the refused send: late answers
   * move a send and the ones after it to one instant, and early in a run (before round trips are
   * known) that can be every send up to the refused one; by time they would all count as "not
   * before it" and the rate would fall to its floor.
   */
  slowDown(refusedAt: number, sendNo = -1): void {
    if (this.perSecond > LEARNED_MAX_RATE) return;
    const from = refusedAt - WINDOW_MS - 2 * this.margin;
    const accepted = this.ring.countBefore(from, refusedAt, sendNo);
    const floor = Math.max(1, Math.ceil(this.perSecond / MAX_SLOWDOWN_FACTOR));
    const learned = Math.max(floor, accepted);
    this.slowedAt = Math.max(this.slowedAt, refusedAt);
    if (learned < this.limit) this.setRate(learned);
  }

  /**
   * The send made at `sentAt` was refused: it took no place in Telegram's window, so it leaves ours
   * (its slot in the ring counts as free). Its spacing is kept: the next send is not brought forward.
   */
  forget(sentAt: number, sendNo = -1): void {
    this.ring.forget(sentAt, sendNo);
  }

  private setRate(perSecond: number): void {
    this.current = perSecond;
    this.interval = (WINDOW_MS + this.margin) / perSecond;
    this.slack = slackFor(this.interval);
    this.limit = Math.min(this.ring.size, Math.max(1, Math.floor(perSecond)));
    // Only where the cap holds the windows (up to 1,000/s): above it spacing alone paces.
    this.early = this.limit > 0 ? batchMsAt(perSecond) : 0;
  }
}
