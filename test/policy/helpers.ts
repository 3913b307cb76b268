/** Shared helpers of the policy tests: scripted calls on a manual clock, and event recorders. */
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import type { Attempt, CallInfo } from '../../src/core/call.js';
import type { GiveUpEvent, RetryEvent } from '../../src/engine/types.js';
import type { ResilienceOptions } from '../../src/engine/options.js';

/** A fn that fails with each of `failures` in turn (a function is called to get the error), then returns `result`. */
export function scripted(failures: unknown[], result: unknown = 'ok', clock?: ManualClock) {
  const attempts: (Attempt & { at: number })[] = [];
  const fn = async (attempt: Attempt) => {
    attempts.push({ ...attempt, at: clock?.now() ?? 0 });
    if (attempts.length <= failures.length) throw failures[attempts.length - 1];
    return result;
  };
  return { fn, attempts };
}

/** A resilience on a manual clock with its retry and give-up events recorded. */
export function engine(options: ResilienceOptions = {}) {
  const clock = createManualClock(0);
  const resilience = createResilience({ clock, ...options });
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  resilience.onRetry((e) => retries.push(e));
  resilience.onGiveUp((e) => giveUps.push(e));
  return { clock, resilience, retries, giveUps };
}

/** Runs a call to completion on the manual clock; never rejects. */
export async function settle<T>(clock: ManualClock, resilience: Pick<Resilience, 'call'>, fn: (a: Attempt) => Promise<T>, info: CallInfo) {
  return clock.run(resilience.call(fn, info)).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** A deterministic stand-in for Math.random (a small LCG), in [0, 1). */
export function seededRandom(seed = 42): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
