/** Abort helpers shared by the engine, the limiter and the Bot API client. */
import { setMaxListeners } from 'node:events';

/**
 * Why `signal` aborted. Polyfilled signals (abort-controller@3, used by grammY and telegraf) have no
 * `reason`, so fall back to a standard AbortError.
 */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The callbacks waiting on one signal, and the one listener that runs them. */
interface Subscribers {
  callbacks: Set<() => void>;
  listener: () => void;
}

const subscribersOf = new WeakMap<AbortSignal, Subscribers>();

/**
 * Runs `callback` once when `signal` aborts; the returned function unsubscribes it. However many
 * calls wait on one signal at once (a user's signal shared by a whole broadcast), the signal carries
 * one listener of ours, not one per call: Node warns past 10 (MaxListenersExceededWarning), and
 * raising the limit on the caller's signal would hide their own leaks. The listener is removed when
 * its last callback is: the signal is left as it was found.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let subscribers = subscribersOf.get(signal);
  if (!subscribers) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      subscribersOf.delete(signal);
      for (const run of callbacks) run();
      callbacks.clear();
    };
    subscribers = { callbacks, listener };
    subscribersOf.set(signal, subscribers);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = subscribers;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0 || subscribersOf.get(signal) !== subscribers) return;
    subscribersOf.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

/**
 * Settles like `promise`, or rejects with the abort reason as soon as `signal` aborts, so an abort
 * takes effect even when the work behind `promise` ignores the signal (`onAborted` is called then,
 * before the rejection). Leaves no listener behind.
 */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal, onAborted?: () => void): Promise<T> {
  const settled = Promise.resolve(promise);
  if (signal.aborted) {
    settled.catch(() => {}); // its late rejection is expected and of no interest now
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = onAbort(signal, () => {
      settled.catch(() => {});
      onAborted?.();
      reject(abortReason(signal));
    });
    settled.then(
      (value) => {
        unsubscribe();
        resolve(value);
      },
      (error: unknown) => {
        unsubscribe();
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
  if (!signal && !stop) return clock.sleep(ms);
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (stop?.aborted) return Promise.reject(abortReason(stop));
  // Either one ends the sleep and its timer; neither keeps a listener once the sleep is over. The
  // clock listens on a signal of this sleep's own, and the caller's signal and `stop` carry one
  // listener of ours however many sleep on them (a listener each would make every removal walk
  // all the others: thousands of calls backing off at once took ~180 µs per sleep).
  return new Promise<void>((resolve, reject) => {
    const timer = new AbortController();
    let offSignal: (() => void) | undefined;
    let offStop: (() => void) | undefined;
    const end = () => {
      offSignal?.();
      offStop?.();
    };
    // Rejected here, not through the clock: an injected clock may ignore its signal.
    const endedBy = (by: AbortSignal) => () => {
      end();
      const reason = abortReason(by);
      timer.abort(reason);
      reject(reason);
    };
    if (signal) offSignal = onAbort(signal, endedBy(signal));
    if (stop) offStop = onAbort(stop, endedBy(stop));
    clock.sleep(ms, timer.signal).then(
      () => {
        end();
        resolve();
      },
      (error: unknown) => {
        end();
        reject(error);
      },
    );
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
