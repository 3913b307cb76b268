/**
 * The margin every window we keep gets on top of Telegram's, learned from the round trips of paced
 * sends (slot taken -> Telegram's answer back).
 *
 * Telegram counts a window by when messages ARRIVE. Two sends `d` ms apart arrive `d` plus the
 * difference of their one-way latencies apart, so a window kept by send times holds at the receiver
 * when it is longer by the spread of one-way latencies. That spread is not observable, the spread of
 * round trips is: with independent delays each way it is the sum of both ways' spreads, so at least
 * the outbound one. The margin is the 98th percentile of recent round trips minus their minimum,
 * and never the largest one: a round trip that the event loop stretched (the answer waited for the
 * loop, not for the network) must not slow every window for long. A send whose answer came back
 * later than the margin explains is counted as late as it may have arrived instead (the scheduler's
 * `answered`), and round trips a seen stall stretched are not recorded at all.
 *
 * Until enough round trips are seen, `INITIAL_MARGIN_MS` is used. The margin is bounded by
 * `MAX_MARGIN_MS`: a path whose round trips spread more than that is not one a window can be kept
 * over at a useful rate, and its 429s teach the rest.
 */

/** The margin before any round trip was seen. */
export const INITIAL_MARGIN_MS = 50;
/** The margin never exceeds this. */
export const MAX_MARGIN_MS = 250;
/** Round trips kept. */
const SAMPLES = 64;
/** Fewer samples than this: the initial margin holds (the first round trips include connecting). */
const MIN_SAMPLES = 16;
const QUANTILE = 0.98;

export class RoundTrips {
  private readonly samples = new Float64Array(SAMPLES);
  private count = 0;
  private head = 0;
  private sinceUpdate = 0;
  private margin = INITIAL_MARGIN_MS;
  private min = Number.POSITIVE_INFINITY;
  private readonly sorted = new Float64Array(SAMPLES);

  /** The margin in force, in whole ms. */
  get marginMs(): number {
    return this.margin;
  }

  /**
   * The shortest recent round trip, in ms: what a send that met no delay takes. 0 until the margin
   * is learned: the first round trips include connecting, and so does their shortest (each answer
   * later than the initial margin then counts as that late).
   */
  get minMs(): number {
    return this.count < MIN_SAMPLES ? 0 : this.min;
  }

  /**
   * A round trip of `ms` was seen. Returns true when the margin changed (it is recomputed every few
   * samples: sorting 64 numbers per send would cost more than the send).
   */
  record(ms: number): boolean {
    if (!(ms >= 0) || !Number.isFinite(ms)) return false;
    this.samples[this.head] = ms;
    this.head = (this.head + 1) % SAMPLES;
    if (this.count < SAMPLES) this.count++;
    if (ms < this.min) this.min = ms;
    if (this.count < MIN_SAMPLES || ++this.sinceUpdate < (this.count < SAMPLES ? 4 : SAMPLES / 4)) return false;
    this.sinceUpdate = 0;
    const n = this.count;
    const view = this.sorted.subarray(0, n);
    view.set(this.samples.subarray(0, n));
    view.sort();
    this.min = view[0]!;
    // Never the largest: one stretched round trip alone does not set the margin.
    const spread = view[Math.min(n - 2, Math.ceil(QUANTILE * n) - 1)]! - view[0]!;
    const learned = Math.min(MAX_MARGIN_MS, Math.ceil(spread));
    if (learned === this.margin) return false;
    this.margin = learned;
    return true;
  }
}
