/**
 * The call types every layer speaks: what a call is (`CallInfo`, `CallParams`), what each attempt of
 * it is given (`Attempt`), and what the engine may do about a failure (`Action`).
 */

/** Parameters of a Telegram call, as a plain object (Bot API params, or an MTProto request). */
export type CallParams = Record<string, unknown>;

/** What the engine knows about a call. All fields are optional; the more it knows, the better it decides. */
export interface CallInfo {
  /** Method name: Bot API (`sendMessage`) or MTProto (`messages.sendMessage`). Drives idempotency and pacing. */
  method?: string;
  /** Call parameters. Chat ids in them are rewritten after a chat migration; read them from `attempt.params`. */
  params?: CallParams;
  /** MTProto data center to send the first attempt to. */
  dc?: number;
  /** Aborting it rejects the call (within milliseconds, also during sleeps) with `signal.reason`. */
  signal?: AbortSignal;
  /** `true`: this call may be resent even when an earlier attempt may have been delivered. */
  idempotent?: boolean;
}

/** What each attempt of `fn` is given. */
export interface Attempt {
  method: string | undefined;
  /**
   * The parameters to send on this attempt. The caller's own object while nothing needed rewriting
   * (so SDK request objects keep their class); after a chat migration, a shallow copy with the chat
   * ids rewritten: the caller's object is never modified.
   */
  params: CallParams | undefined;
  /** The data center to send this attempt to (`undefined`: the SDK's default / home DC). */
  dc: number | undefined;
  /** 1 for the first attempt, then 2, 3, ... */
  number: number;
  /**
   * Aborted when the call's signal aborts. Always a signal (one that never aborts when the call has
   * none), so `fetch(url, { signal: attempt.signal })` compiles under `exactOptionalPropertyTypes`.
   */
  signal: AbortSignal;
}

export type AttemptFn<T> = (attempt: Attempt) => T | PromiseLike<T>;

/** What the engine did about a failure (see `explain`). */
export type Action = 'sleep' | 'reroute' | 'rewrite' | 'backoff' | 'fail';

/**
 * For this package's adapters only, not part of the public API: the `CallInfo` key of an
 * `AttemptOutcome`, and (set to `true`) the mark of an engine that reads it. `Symbol.for`, so a
 * second copy of the package agrees; an engine without the mark is called the ordinary way.
 */
export const ATTEMPT_OUTCOME: unique symbol = Symbol.for('telegram-resilience.attemptOutcome');

/**
 * How the engine reads an attempt whose SDK resolves failures instead of rejecting (a grammY
 * transformer gets `{ ok: false }` answers back). Read by the engine itself, so checking an answer
 * costs the call no extra promise reaction on its success path.
 */
export interface AttemptOutcome {
  /** The failure in a resolved value, as the error the engine handles; `undefined` when it is a success. */
  failureIn(value: unknown, method: string | undefined): unknown;
  /** An attempt's own rejection as the engine (its events, the caller) may see it: the token hidden. */
  errorOf(error: unknown): unknown;
  /** The call's final failure, as its caller gets it: a value resolves the call, a throw rejects it. */
  onGiveUp(error: unknown): unknown;
}

/** A `CallInfo` from an adapter that reads its attempts' outcomes itself. */
export interface AdapterCallInfo extends CallInfo {
  [ATTEMPT_OUTCOME]?: AttemptOutcome;
}
