/**
 * The set-up the GramJS and mtcute adapters share: `useResilience(client, resilience)` checks its
 * arguments, refuses a client it already wrapped, puts the adapter's function in place of the SDK's
 * own method (`invoke` / `call`), and returns the undo. Only the wrapper itself differs per SDK.
 */
import type { Resilience } from '../engine/resilience.js';

/** What an adapter needs of a `Resilience`. */
export type ResilienceCaller = Pick<Resilience, 'call'>;

/** Undoes `useResilience`: the SDK's own method is back. Calling it twice does nothing. */
export type Unwrap = () => void;

export interface WrapTarget<C, K extends keyof C> {
  client: C;
  /** The method routed through the engine: `invoke` (GramJS), `call` (mtcute). */
  key: K;
  /** For messages: `GramJS`, `mtcute`. */
  sdk: string;
  /** Marks a wrapped client (`Symbol.for`, so two copies of this package see each other's mark). */
  mark: symbol;
  resilience: unknown;
}

/**
 * Replaces `client[key]` with `makeWrapper(own, isActive)`. `own` is the SDK's method; once undone,
 * `isActive()` is false and the wrapper must pass calls straight to `own` (somebody may have wrapped
 * ours again on top, so ours can stay in the chain).
 */
export function replaceMethod<C extends object, K extends keyof C>(
  { client, key, sdk, mark, resilience }: WrapTarget<C, K>,
  makeWrapper: (own: C[K], isActive: () => boolean) => C[K],
): Unwrap {
  if (typeof (resilience as Partial<ResilienceCaller> | undefined)?.call !== 'function') {
    throw new TypeError('useResilience: resilience must come from createResilience()');
  }
  const marked = client as C & Record<symbol, true | undefined>;
  if (marked[mark]) {
    throw new Error(`useResilience: this ${sdk} client is already wrapped; call the function the first useResilience returned to undo it`);
  }
  const hadOwn = Object.prototype.hasOwnProperty.call(client, key);
  const own = client[key];
  let active = true;
  const wrapper = makeWrapper(own, () => active);

  Object.defineProperty(client, mark, { value: true, configurable: true, enumerable: false });
  client[key] = wrapper;
  return () => {
    if (!active) return;
    active = false;
    delete marked[mark];
    // Someone may have wrapped the method again on top of ours; then ours stays but passes through.
    if (client[key] !== wrapper) return;
    if (hadOwn) client[key] = own;
    else delete (client as Partial<C>)[key];
  };
}
