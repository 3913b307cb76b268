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
  /**
   * Every basic group (ids from -1 to -999999999999) became a supergroup: calls to it answer 400 with
   * `migrate_to_chat_id` -100000000000N for group -N (e.g. -42 -> -1000000000042). Default `false`.
   */
  migrateAllGroups?: boolean;
  /** Private chats whose user blocked the bot: calls to them answer 403. */
  blockedUsers?: number[];
  /** A seeded, reproducible random fault schedule applied to incoming requests. */
  faults?: FaultScheduleOptions;
  /** How long a `hang` fault holds the request before dropping the socket. Default `Infinity` (until `close()`). */
  hangMs?: number;
  /** How long a `slow` fault delays the request before processing it normally. Default 1000 ms. */
  slowMs?: number;
  /** First delay before a failed webhook delivery is retried; it doubles per failure, up to 60 s. Default 1000 ms. */
  webhookRetryMs?: number;
  /** How long one webhook delivery may take before it counts as failed (`Read timeout expired`). Default 10 000 ms. */
  webhookTimeoutMs?: number;
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
export type RequestOutcome = 'ok' | '400' | '401' | '403' | '404' | '409' | '429' | FaultKind;

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
  /** Set when the bot made this call in its answer to a webhook delivery (a "webhook reply"). */
  viaWebhookReply?: true;
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
  /**
   * Queues an update for the bot (for `getUpdates`, or POSTed to the webhook) and returns its
   * `update_id`. Fills what Telegram would have: `update_id`; for messages `message_id`, `date`,
   * `chat.type`, `from` (private chats) and `bot_command` entities; for callback queries `id`.
   * An update of a type the bot's `allowed_updates` leaves out is dropped, as Telegram never creates it.
   * Throws a TypeError for a malformed update.
   */
  pushUpdate(update: Record<string, unknown>): number;
  /**
   * Forgets ledger, request log, flood-limit state, messages, pending updates, unanswered callback
   * queries, the webhook's last error and every planned fault; restarts the fault schedule. Keeps what
   * the bot configured (webhook, commands) and keeps update ids growing, so a running bot goes on working.
   */
  reset(): void;
  /** Injects `kind` into the next request matching `match` (one shot; queued faults are used in the order queued). */
  queueFault(kind: FaultKind, match?: FaultMatch): void;
  /** REPLACES every standing fault: `kind` hits every request matching `match` until changed; `null` removes them all. */
  setFault(kind: FaultKind | null, match?: FaultMatch): void;
  /** Adds a standing fault beside the others (the first added that matches a request wins). */
  addFault(kind: FaultKind, match?: FaultMatch): void;
  /** Replaces (or with `null` removes) the seeded fault schedule. Queued, then standing faults win over it. */
  setFaultSchedule(schedule: FaultScheduleOptions | null): void;
}
