/**
 * Running one attempt: calls `fn`, turns a synchronous throw into a rejection, and makes an abort
 * win the race even when `fn` ignores its signal, so an aborted call settles within milliseconds.
 */
import type { Attempt, AttemptFn } from './types.js';

import { abortReason } from './clock.js';

export { abortReason };

export function runAttempt<T>(fn: AttemptFn<T>, attempt: Attempt, signal: AbortSignal | undefined): Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = fn(attempt);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!signal) return Promise.resolve(result);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(result).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
