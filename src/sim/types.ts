import type { Clock } from '../core/clock.js';
import type { FaultKind, FaultMatch, FaultScheduleOptions } from './faults.js';
import type { LimitScope, RateLimitOptions } from './limits.js';

/** Options of `startSimulator`. Every field is optional. */
export interface SimulatorOptions {
  /** TCP port to listen on (127.0.0.1 only). Default 0: an ephemeral port chosen by the OS. */
  port?: number;
  /** The only token the simulator accepts. Default: a fake but realistically shaped `123456789:AA...` token. */
  token?: string;
  /**
   * Source of time for rate limits, `hang`/`slow` faults, `Message.date` and log timestamps.
   * Default `systemClock`; pass `createManualClock()` to make tests deterministic.
   */
  clock?: Clock;
  /**
   * Telegram's flood limits. Omitted fields keep Telegram's documented values (30 msg/s per bot,
   * about 1 msg/s per chat with a burst of 3, 20 msg/min per group). `Infinity` disables one limit,
   * `false` disables them all.
   */
  limits?: Partial<RateLimitOptions> | false;
  /**
   * Stricter than Telegram: no per-chat burst (`chatBurst: 1`), so any client throttle that allows
   * short bursts is caught. Explicit `limits` fields still win.
   */
  strict?: boolean;
  /** `{ [oldGroupId]: newSupergroupId }`: calls to an old id answer 400 with `migrate_to_chat_id`. */
  migratedGroups?: Record<string, number>;
  /** Private chats whose user blocked the bot: calls to them answer 403. */
  blockedUsers?: number[];
  /** A seeded, reproducible random fault schedule applied to incoming requests. */
  faults?: FaultScheduleOptions;
  /** How long a `hang` fault holds the request before dropping the socket. Default `Infinity` (until `close()`). */
  hangMs?: number;
  /** How long a `slow` fault delays the request before processing it normally. Default 1000 ms. */
  slowMs?: number;
}

/** One message the simulated Telegram actually delivered to a chat. */
export interface LedgerEntry {
  /** Destination chat (numeric; `@username` chats get a stable fake id). */
  chatId: number;
  /** The id Telegram assigned (increments per chat, from 1). */
  messageId: number;
  /** `sendMessage`, `forwardMessage`, `copyMessage`, `sendPhoto` or `sendDocument`. */
  method: string;
  /** Message text (or caption; the source message's text for forwards/copies). */
  text: string | undefined;
  /** `clock.now()` when it was delivered. */
  at: number;
}

/** What the simulator did with a request. A fault kind when a fault was injected. */
export type RequestOutcome = 'ok' | '400' | '401' | '403' | '404' | '429' | FaultKind;

/** One request as received. Never contains the token. */
export interface RequestLogEntry {
  /** Arrival order, from 1. */
  seq: number;
  /** Method as named in the URL (canonical spelling when known); `undefined` for paths that are not `/bot<token>/<method>`. */
  method: string | undefined;
  /** `chat_id` parameter, normalized to a number when it is one. */
  chatId: number | string | undefined;
  outcome: RequestOutcome;
  /** HTTP status sent back; `null` when the socket was dropped (or is still hanging). */
  status: number | null;
  /** The injected fault, if any (`outcome` then names it too, except when the fault let the call be processed). */
  fault?: FaultKind;
  /** Which flood limit refused the call, for rate-limit 429s. */
  limit?: LimitScope;
  /** `parameters.retry_after` sent with a 429. */
  retryAfter?: number;
  /** True when the call delivered a message (it is in the ledger), whatever the client saw. */
  delivered: boolean;
  /** `clock.now()` on arrival. */
  at: number;
}

/** Filter for `ledger()` and `requests()`. */
export interface SimFilter {
  chatId?: number | string;
  method?: string;
}

/** A running simulator. */
export interface Simulator {
  /** E.g. `http://127.0.0.1:34567`; clients append `/bot<token>/<method>`. */
  readonly apiRoot: string;
  /** The token it accepts. */
  readonly token: string;
  readonly port: number;
  /** `apiRoot + '/bot' + token + '/' + method`. */
  methodUrl(method: string): string;
  /** Stops listening, drops every socket (hanging ones too) and releases every timer. Idempotent. */
  close(): Promise<void>;
  /** Delivered messages in order, optionally only those matching `filter`. */
  ledger(filter?: SimFilter): LedgerEntry[];
  /** Shorthand for `ledger({ chatId })`. */
  deliveredTo(chatId: number | string): LedgerEntry[];
  /** Every request received, in order, optionally only those matching `filter`. */
  requests(filter?: SimFilter): RequestLogEntry[];
  /** Forgets ledger, request log, flood-limit state, messages, queued/standing faults; restarts the fault schedule. */
  reset(): void;
  /** Injects `kind` into the next request matching `match` (one shot; queued faults are used in order). */
  queueFault(kind: FaultKind, match?: FaultMatch): void;
  /** Injects `kind` into every request matching `match` until `setFault(null)`. */
  setFault(kind: FaultKind | null, match?: FaultMatch): void;
  /** Replaces (or with `null` removes) the seeded fault schedule. */
  setFaultSchedule(schedule: FaultScheduleOptions | null): void;
}
