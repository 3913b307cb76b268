/**
 * Running one attempt: calls `fn`, turns a synchronous throw into a rejection, and makes an abort
 * win the race even when `fn` ignores its signal, so an aborted call settles within milliseconds.
 */
import { untilAborted } from '../core/abort.js';
import type { Attempt, AttemptFn, CallParams } from '../core/call.js';

/**
 * The attempt of a call without a signal: `signal` is made only when `fn` reads it, because an
 * AbortController costs ~5 µs in Node 20, far more than the rest of an unthrottled call. The getter
 * is the class's: a getter on an object literal costs ~1 µs to make (per call), a class instance
 * ~20 ns. A spread of it would leave the getter behind: copy attempts with `attemptWith`.
 */
export class UnsignalledAttempt implements Attempt {
  #unaborted: AbortSignal | undefined = undefined;

  constructor(
    public method: string | undefined,
    public params: CallParams | undefined,
    public dc: number | undefined,
    public number: number,
  ) {}

  get signal(): AbortSignal {
    return (this.#unaborted ??= new AbortController().signal);
  }
}

/** `attempt` with some fields changed, its signal kept (a retry: rare, so the signal may be made now). */
export function attemptWith(attempt: Attempt, changes: Partial<Pick<Attempt, 'params' | 'dc' | 'number'>>): Attempt {
  return { method: attempt.method, params: attempt.params, dc: attempt.dc, number: attempt.number, signal: attempt.signal, ...changes };
}

export function runAttempt<T>(fn: AttemptFn<T>, attempt: Attempt, signal: AbortSignal | undefined): Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = fn(attempt);
  } catch (error) {
    return Promise.reject(error);
  }
  return signal ? untilAborted(result as PromiseLike<T>, signal) : Promise.resolve(result);
}
