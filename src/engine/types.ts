import type { Action } from '../core/call.js';
import type { Failure } from '../errors/failure.js';

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
