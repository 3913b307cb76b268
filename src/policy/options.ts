/**
 * The retry policy's options: documented once here (and in the README's table), with their defaults.
 * The engine's own options (clock, throttle, backend, ...) are in engine/options.ts. The default
 * values themselves are written once, in `DEFAULT_POLICY` (defaults.ts).
 */

/** The retry policy: every knob that decides what to do about a failure. */
export interface PolicyOptions {
  /**
   * Flood waits (429 `retry_after`, `FLOOD_WAIT_X`, `SLOWMODE_WAIT_X`, ...) up to this many
   * **seconds** are slept through and retried; longer ones fail at once, and the error carries the
   * wait. Telegram sends waits of hours; 60 is Telethon's and GramJS's default.
   * @default 60
   */
  floodSleepThreshold?: number;
  /**
   * Up to this many milliseconds of random delay are *added* to each flood sleep (never taken away),
   * so calls woken by the same wait do not all come back in the same millisecond.
   * @default 0
   */
  floodJitterMs?: number;
  /**
   * At most this many flood sleeps in one call (guards against a server that keeps saying "wait 0").
   * @default 10
   */
  maxFloodWaits?: number;
  /**
   * Attempts in all for network failures, timeouts and 5xx, counting the first. Flood waits and
   * migrations do not use these up.
   * @default 5
   */
  maxAttempts?: number;
  /**
   * First backoff window for network/timeout/5xx retries, in ms (full jitter: the delay is random in [0, window]).
   * @default 500
   */
  baseDelayMs?: number;
  /**
   * Largest backoff window, in ms.
   * @default 30000
   */
  maxDelayMs?: number;
  /**
   * The most one call may sleep in all (flood waits and backoff), in ms. A flood wait that does not
   * fit in what is left fails at once: the engine never sleeps when it knows it will give up after.
   * @default 300000 (5 minutes)
   */
  maxTotalDelayMs?: number;
  /**
   * At most this many DC migrations (`*_MIGRATE_X`) in one call, so a migration loop cannot run forever.
   * @default 3
   */
  maxDcHops?: number;
  /**
   * At most this many chat-id rewrites (group -> supergroup) in one call.
   * @default 2
   */
  maxChatMigrations?: number;
  /**
   * Resend calls that create something (send*, forward*, copy*, ...) even when an earlier attempt
   * may have been delivered (a reset after the request was written, a read timeout, a 5xx). The
   * default never duplicates a message; it rejects with the error instead.
   * @default false
   */
  allowDuplicates?: boolean;
  /**
   * Forces the idempotency verdict for the calls this applies to (mostly used in `rules`): `true`
   * lets them be resent after a possibly-delivered failure, `false` never does. A call's own
   * `idempotent` flag wins over it.
   * @default undefined (`isIdempotent(method)` decides)
   */
  idempotent?: boolean | undefined;
  /**
   * Give up rather than start a wait that would end more than this many ms after the call began
   * (the answer would come too late to matter, e.g. for `answerCallbackQuery`).
   * @default Infinity
   */
  maxElapsedMs?: number;
  /**
   * Whether the calls this applies to are paced by the engine's throttle (when it has one). Mostly
   * for `rules`: `{ match: 'sendMessage', throttle: false }`. At the top level, `throttle` instead
   * takes the limits (see `ResilienceOptions.throttle` in engine/options.ts).
   * @default true
   */
  throttle?: boolean;
  /**
   * Decides whether a method may be resent after a possibly-delivered failure. The built-in list:
   * send*, forward*, copy*, create*, ... are not; reads, edits, deletes are.
   * @default isIdempotentMethod
   */
  isIdempotent?: (method: string | undefined) => boolean;
}

/** The policy with every default filled in (`idempotent` may stay unset). */
export type ResolvedPolicy = Required<Omit<PolicyOptions, 'idempotent'>> & { idempotent: boolean | undefined };
