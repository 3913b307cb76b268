/**
 * Global timers and `Date.now()` driven by a manual clock, so that peers which use them directly
 * (grammY's auto-retry sleeps with `setTimeout`; transformer-throttler's Bottleneck reads `Date.now()`
 * and keeps a `setInterval` heartbeat) run in the same virtual time as the library under test.
 * `install(clock)` returns a function that puts the real ones back.
 */
export function installVirtualTimers(clock) {
  const real = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    now: Date.now,
  };
  const origin = real.now();
  const handle = (controller) => ({
    controller,
    unref() {
      return this;
    },
    ref() {
      return this;
    },
    hasRef: () => true,
    [Symbol.toPrimitive]: () => 0,
  });
  globalThis.setTimeout = (fn, ms = 0, ...args) => {
    const controller = new AbortController();
    clock.sleep(Math.max(0, Number(ms) || 0), controller.signal).then(() => fn(...args), () => {});
    return handle(controller);
  };
  globalThis.clearTimeout = (h) => h?.controller?.abort();
  globalThis.setInterval = (fn, ms = 0, ...args) => {
    const controller = new AbortController();
    const every = Math.max(1, Number(ms) || 0);
    const tick = () =>
      clock.sleep(every, controller.signal).then(() => {
        fn(...args);
        tick();
      }, () => {});
    tick();
    return handle(controller);
  };
  globalThis.clearInterval = globalThis.clearTimeout;
  Date.now = () => origin + clock.now();
  return () => Object.assign(globalThis, { setTimeout: real.setTimeout, clearTimeout: real.clearTimeout, setInterval: real.setInterval, clearInterval: real.clearInterval }) && (Date.now = real.now);
}
