/** The options, progress and report of `broadcast()`. */
import type { BroadcastJournal, ChatId } from './journal.js';

/** What `broadcast` sends through: a `createBotApi` client, or anything with the same `call`. */
export interface BroadcastApi {
  call(method: string, params: Record<string, unknown>, options: { signal: AbortSignal }): Promise<unknown>;
}

/** The parameters of the message for one recipient (`chat_id` is set by `broadcast`). */
export type MessageParams = Record<string, unknown>;

/** The message: fixed parameters, or parameters built per chat. */
export type BroadcastMessage =
  | {
      /**
       * The Bot API method: `sendMessage`, `copyMessage`, `forwardMessage`, `sendPhoto`, ...
       * @default 'sendMessage'
       */
      method?: string;
      params: MessageParams | ((chatId: ChatId) => MessageParams);
    }
  | ((chatId: ChatId) => MessageParams);

export interface BroadcastProgress {
  /** Recipients finished so far (sent, skipped, blocked, failed or uncertain; repeated ones once). */
  done: number;
  /** Sent by this run. */
  sent: number;
  /** Sent by an earlier run of this journal. */
  skipped: number;
  blocked: number;
  failed: number;
  uncertain: number;
  /** Requests on their way or queued in the engine. */
  inFlight: number;
  /** Flood waits the engine slept so far (needs the `resilience` option). */
  floodWaits: number;
  elapsedMs: number;
}

export interface BroadcastOptions {
  /** Sends each message: `createBotApi({ token, resilience: createResilience({ throttle: true }) })`. */
  api: BroadcastApi;
  /** Chat ids or `@usernames`, read as a stream (never held whole). An invalid one is a TypeError. */
  recipients: Iterable<ChatId> | AsyncIterable<ChatId>;
  /** What to send. */
  message: BroadcastMessage;
  /** The path of a SQLite journal file (created when missing), or a journal object. */
  journal: string | BroadcastJournal;
  /**
   * Sets `allow_paid_broadcast: true` on every message (Telegram then allows up to 1,000 messages/s,
   * paid in Stars) and keeps more requests in flight.
   * @default false
   */
  paid?: boolean;
  /**
   * Resends the recipients an earlier run left `uncertain` (exactly those). Some may get it twice.
   * @default false
   */
  resendUncertain?: boolean;
  /**
   * Resends the recipients Telegram refused for good in an earlier run (chat not found, bad request).
   * Failures that surely never reached Telegram are retried without it.
   * @default false
   */
  retryFailed?: boolean;
  /**
   * Stops the broadcast: no recipient is taken after it aborts; requests in flight get
   * `stopGraceMs` to finish, then the rest are recorded `uncertain`. The report is still returned.
   */
  signal?: AbortSignal;
  /** Called at most every 100 ms while the broadcast runs, and once at the end. */
  onProgress?: (progress: BroadcastProgress) => void;
  /**
   * The engine `api` runs through (`createResilience(...)`), to count its flood waits in the
   * progress and the report. Only `onFloodWait` is used.
   * @default undefined (floodWaits counts only 429s that reached `broadcast`)
   */
  resilience?: { onFloodWait(listener: (event: unknown) => void): () => void };
  /**
   * How many requests may be in flight (on their way, or queued in the engine). Each is "sending"
   * in the journal: after `kill -9` up to this many become `uncertain`, so keep it near what one
   * second of sending needs.
   * @default 16, or 500 with `paid`
   */
  maxInFlight?: number;
  /**
   * After `signal` aborts, how long requests in flight get to finish, in ms.
   * @default 2000
   */
  stopGraceMs?: number;
}

/** The truthful end of a broadcast: every recipient read is in exactly one of sent, skipped, blocked, failed, uncertain. */
export interface BroadcastReport {
  /**
   * Distinct recipients finished. After a stop (`signal`), recipients not reached are not counted:
   * they stay in the journal for the next run.
   */
  total: number;
  /** Sent by this run. */
  sent: number;
  /** Sent by an earlier run of this journal (not sent again). */
  skipped: number;
  /** The user blocked the bot, was deactivated, or the bot was kicked. */
  blocked: ChatId[];
  /** Groups that became supergroups; the message went (or goes) to `to`. */
  migrated: Array<{ from: ChatId; to: ChatId }>;
  /** Not delivered: Telegram refused it, or it surely never reached Telegram (a rerun retries those). */
  failed: Array<{ chatId: ChatId; kind: string; description: string }>;
  /** May have been delivered: the answer was lost. Resent only with `resendUncertain`. */
  uncertain: ChatId[];
  /** Flood waits slept during this run. */
  floodWaits: number;
  elapsedMs: number;
  /** The fastest Telegram's bot-wide limit (30/s, or 1,000/s paid) allows for this run's sends. */
  lowerBoundMs: number;
}
