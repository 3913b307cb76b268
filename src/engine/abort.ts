/** Abort helpers shared by the engine, the limiter and the Bot API client. */

/**
 * Why `signal` aborted. Polyfilled signals (abort-controller@3, used by grammY and telegraf) have no
 * `reason`, so fall back to a standard AbortError.
 */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Settles like `promise`, or rejects with the abort reason as soon as `signal` aborts, so an abort
 * takes effect even when the work behind `promise` ignores the signal. Leaves no listener behind.
 */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  const settled = Promise.resolve(promise);
  if (signal.aborted) {
    settled.catch(() => {}); // its late rejection is expected and of no interest now
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      settled.catch(() => {});
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    settled.then(
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

/**
 * `clock.sleep(ms, signal)`, but rejecting on abort even when an injected clock ignores the signal:
 * an abort during any sleep must settle the call within milliseconds, whoever wrote the clock.
 */
export function abortableSleep(
  clock: { sleep(ms: number, signal?: AbortSignal): Promise<void> },
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return signal ? untilAborted(clock.sleep(ms, signal), signal) : clock.sleep(ms);
}
