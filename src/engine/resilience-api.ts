/**
 * What `createResilience` returns: the engine's public face (resilience.ts builds it), with what
 * `explain` answers and what `with` accepts.
 */
import type { AttemptFn, CallInfo, CallParams } from '../core/call.js';
import type { Disposer, Listener } from '../core/events.js';
import type { Failure } from '../errors/failure.js';
import type { CallBudget, Decision } from '../policy/decide.js';
import type { PolicyOptions, ResolvedPolicy } from '../policy/options.js';
import type { Rule } from '../policy/rules.js';
import type { ResilienceEvents } from './types.js';

/** What `explain` says the policy would do with one failure: a `Decision`, with what it was about. */
export type Explanation = Decision & {
  /** The failure as `classify` saw it. */
  failure: Failure;
  /** The name of the rule whose overrides applied, if one matched. */
  rule?: string;
};

/** What `resilience.with()` accepts: policy options, and rules that go before the parent's. */
export interface DerivedOptions extends PolicyOptions {
  rules?: Rule[];
}

export interface Resilience {
  /** Runs `fn(attempt)` and reacts to its failures. Rejects with the last original error when it gives up. */
  call<T>(fn: AttemptFn<T>, info?: CallInfo): Promise<T>;
  /**
   * Binds `fn` and `info` into a function. Calling it runs `call(fn, info)`; `params` (when given)
   * replace `info.params`, and `options` may add a signal, a DC or an idempotency flag for that call.
   */
  wrap<T>(
    fn: AttemptFn<T>,
    info?: CallInfo,
  ): (params?: CallParams, options?: Pick<CallInfo, 'signal' | 'dc' | 'idempotent'>) => Promise<T>;
  /** What the policy would do with `error` on a first failed attempt of this call, without running anything. */
  explain(error: unknown, info?: CallInfo, budget?: Partial<CallBudget>): Explanation;
  /**
   * A policy with `overrides` on top of this one, sharing its listeners, chat-id store, home DC,
   * limiters and flood gates (a 429 seen through one still pauses the other).
   */
  with(overrides: DerivedOptions): Resilience;
  /** The resolved policy (defaults filled in). */
  readonly policy: Readonly<ResolvedPolicy>;
  /** The home DC learned from USER/PHONE/NETWORK_MIGRATE, if any. */
  readonly homeDc: number | undefined;
  on<K extends keyof ResilienceEvents>(name: K, listener: Listener<ResilienceEvents[K]>): Disposer;
  onRetry(listener: Listener<ResilienceEvents['retry']>): Disposer;
  onFloodWait(listener: Listener<ResilienceEvents['floodWait']>): Disposer;
  onDcMigrate(listener: Listener<ResilienceEvents['dcMigrate']>): Disposer;
  onChatMigrate(listener: Listener<ResilienceEvents['chatMigrate']>): Disposer;
  onGiveUp(listener: Listener<ResilienceEvents['giveUp']>): Disposer;
  /**
   * Releases timers, limiters and subscriptions. Calls still waiting (queued, at a gate, sleeping out
   * a flood wait or a backoff) reject; an attempt already sent is left to finish. Later calls reject.
   * Idempotent.
   */
  close(): Promise<void>;
}
