/**
 * Running one attempt: calls `fn`, turns a synchronous throw into a rejection, and makes an abort
 * win the race even when `fn` ignores its signal, so an aborted call settles within milliseconds.
 */
import { untilAborted } from '../core/abort.js';
import type { Attempt, AttemptFn } from '../core/call.js';

export function runAttempt<T>(fn: AttemptFn<T>, attempt: Attempt, signal: AbortSignal | undefined): Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = fn(attempt);
  } catch (error) {
    return Promise.reject(error);
  }
  return signal ? untilAborted(result as PromiseLike<T>, signal) : Promise.resolve(result);
}
