/** Abort helpers shared by the engine, the limiter and the Bot API client. */
import { setMaxListeners } from 'node:events';

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
 * `stop` (the engine's or the limiter's own, aborted by `close()`) ends the sleep too, so a closed
 * resilience leaves no timer behind for a call that was waiting out a flood or a gate.
 */
export function abortableSleep(
  clock: { sleep(ms: number, signal?: AbortSignal): Promise<void> },
  ms: number,
  signal: AbortSignal | undefined,
  stop?: AbortSignal,
): Promise<void> {
  if (!stop || !signal) {
    const only = signal ?? stop;
    return only ? untilAborted(clock.sleep(ms, only), only) : clock.sleep(ms);
  }
  if (signal.aborted) return Promise.reject(abortReason(signal));
  if (stop.aborted) return Promise.reject(abortReason(stop));
  // Either one ends the sleep and its timer; neither keeps a listener once the sleep is over.
  const either = new AbortController();
  const onSignal = () => either.abort(abortReason(signal));
  const onStop = () => either.abort(abortReason(stop));
  signal.addEventListener('abort', onSignal, { once: true });
  stop.addEventListener('abort', onStop, { once: true });
  return untilAborted(clock.sleep(ms, either.signal), either.signal).finally(() => {
    signal.removeEventListener('abort', onSignal);
    stop.removeEventListener('abort', onStop);
  });
}

/**
 * The controller whose signal `close()` aborts to end every sleep of the component that owns it.
 * Many calls may wait on that signal at once, so it has no listener limit (Node would warn past 10).
 */
export function createStopper(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
