import type { Failure } from '../errors/failure.js';
import type { Clock } from './clock.js';
import type { ChatIdStore } from './chat-id-store.js';

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
  /** Aborted when the call's signal aborts. */
  signal: AbortSignal | undefined;
}

export type AttemptFn<T> = (attempt: Attempt) => T | PromiseLike<T>;

/** What the engine did about a failure (see `explain`). */
export type Action = 'sleep' | 'reroute' | 'rewrite' | 'backoff' | 'fail';

/** Payloads of the engine's events. Each carries the failure and the call's method. */
export interface RetryEvent {
  method: string | undefined;
  failure: Failure;
  /** The attempt that failed (1-based). */
  attempt: number;
  action: Exclude<Action, 'fail'>;
  /** How long the engine waits before the next attempt. */
  delayMs: number;
}
export interface FloodWaitEvent {
  method: string | undefined;
  failure: Failure;
  attempt: number;
  /** What Telegram asked for. */
  retryAfterMs: number;
  /** What the engine sleeps (never less than `retryAfterMs`). */
  delayMs: number;
}
export interface DcMigrateEvent {
  method: string | undefined;
  failure: Failure;
  attempt: number;
  fromDc: number | undefined;
  toDc: number;
}
export interface ChatMigrateEvent {
  method: string | undefined;
  failure: Failure;
  attempt: number;
  fromChatId: number | string;
  toChatId: number;
}
export interface GiveUpEvent {
  method: string | undefined;
  failure: Failure;
  /** Attempts made in all. */
  attempts: number;
  /** Why the engine stopped, in words. */
  reason: string;
  /** The error the call rejects with (the last original error, unchanged). */
  error: unknown;
}

export interface BackendEvent {
  /** The backend's name, e.g. `redis`. */
  backend: string;
  /** `down`: it failed or timed out (calls go on with local limits, or fail with `onBackendError: 'fail'`); `up`: it is back. */
  status: 'down' | 'up';
  error?: unknown;
}

export interface ResilienceEvents {
  backend: BackendEvent;
  retry: RetryEvent;
  floodWait: FloodWaitEvent;
  dcMigrate: DcMigrateEvent;
  chatMigrate: ChatMigrateEvent;
  giveUp: GiveUpEvent;
}

export type Listener<T> = (event: T) => void;
/** Calling it removes the listener. Calling it again does nothing. */
export type Disposer = () => void;

export type { Clock, ChatIdStore };
