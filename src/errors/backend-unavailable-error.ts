/**
 * With `onBackendError: 'fail'`, a call rejects with this when the shared backend (Redis) failed or
 * timed out, instead of going on with this process's own limits. `cause` holds the backend's error.
 */
const BRAND = Symbol.for('telegram-resilience.BackendUnavailableError');

export class BackendUnavailableError extends Error {
  /** Brand used by `isBackendUnavailableError`, so the check survives duplicated copies of this package. */
  readonly [BRAND] = true;
  override name = 'BackendUnavailableError';
}

/** Type guard for `BackendUnavailableError`, also across package copies. */
export function isBackendUnavailableError(value: unknown): value is BackendUnavailableError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
