/**
 * What a call gets once its resilience (or limiter, or backend) is closed: nothing is sent after
 * `close()`. Calls made after it, and calls still waiting when it came (queued for a slot, at a flood
 * gate, sleeping out a wait), reject with a `ClosedError`; an attempt already sent is left to finish.
 */
const BRAND = Symbol.for('telegram-resilience.ClosedError');

export class ClosedError extends Error {
  /** Brand used by `isClosedError`, so the check survives duplicated copies of this package. */
  readonly [BRAND] = true;
  override name = 'ClosedError';
}

/** Type guard for `ClosedError`, also across package copies. */
export function isClosedError(value: unknown): value is ClosedError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
