/**
 * Exponential backoff with "full jitter": the delay is uniformly random between 0 and the
 * exponential cap. Spreading retries over the whole window is what keeps many clients that failed
 * together (a Telegram hiccup hits every bot at once) from coming back together.
 */
export function fullJitterDelay(
  retryNumber: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const exponent = Math.max(0, retryNumber - 1);
  // 2 ** 1100 is Infinity; Math.min keeps it at the cap without overflow surprises.
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(exponent, 1000));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0.5;
  return Math.round(unit * cap);
}
