/**
 * The journal of a broadcast: where each recipient stands, durable across crashes. The interface is
 * asynchronous and works on batches so that a shared store (Redis, with several workers on several
 * machines) can implement it with one round trip per batch; the SQLite journal is the local one.
 */

/** A recipient: a chat id, or a public `@username`. */
export type ChatId = number | string;

/**
 * Where one recipient stands.
 * - `pending`: known, not sent yet (or released unsent).
 * - `sending`: claimed; the request may be on its way. Durable before the request leaves.
 * - `sent`: Telegram answered with a message id.
 * - `blocked`: 403, the user blocked the bot, was deactivated, or the bot was kicked.
 * - `migrated`: the group became a supergroup; the message goes to `target` next.
 * - `failed`: Telegram refused it, or it surely never reached Telegram (`retryable`).
 * - `uncertain`: it may have been delivered (an answer lost after the request left, a run killed
 *   while it was in "sending"). Resent only when asked to (`resendUncertain`).
 */
export type RecipientState = 'pending' | 'sending' | 'sent' | 'blocked' | 'migrated' | 'failed' | 'uncertain';

export const RECIPIENT_STATES: readonly RecipientState[] = ['pending', 'sending', 'sent', 'blocked', 'migrated', 'failed', 'uncertain'];

/** One recipient as the journal holds it. */
export interface RecipientRecord {
  chatId: ChatId;
  state: RecipientState;
  /** Where the message goes (or went): the new supergroup id after a migration, else the chat itself. */
  target: ChatId;
  /** For `sent`: the id Telegram gave the message. */
  messageId?: number;
  /** For `failed` and `uncertain`: the failure's kind (`classify(error).kind`, or `interrupted`, `killed`). */
  kind?: string;
  /** For `blocked`, `failed` and `uncertain`: Telegram's words, or ours. Never the token. */
  description?: string;
  /** For `failed`: true when the request surely never reached Telegram, so a rerun retries it. */
  retryable?: boolean;
}

/** Which states a claim may take back into "sending" besides `pending` and `migrated`. */
export interface ClaimRules {
  /** `uncertain` recipients are resent (exactly those). */
  resendUncertain: boolean;
  /** Permanently `failed` recipients are resent (retryable failures always are). */
  retryFailed: boolean;
}

/** The journal's answer for one recipient offered to `claim`. */
export type ClaimResult =
  /** Now durably in "sending": send the message to `target`. */
  | { chatId: ChatId; claim: 'send'; target: ChatId }
  /** Not to be sent by this run: its state (an earlier run's `sent`, `blocked`, ...). */
  | { chatId: ChatId; claim: 'done'; record: RecipientRecord }
  /** Offered twice in one run (a repeated line): ignore it. */
  | { chatId: ChatId; claim: 'duplicate' };

/** What happened to a claimed recipient, to be recorded. */
export type Outcome =
  | { chatId: ChatId; state: 'sent'; target: ChatId; messageId: number | undefined }
  | { chatId: ChatId; state: 'blocked'; description: string }
  /** Not sent yet: the next claim of this chat returns `target`. */
  | { chatId: ChatId; state: 'migrated'; target: ChatId }
  | { chatId: ChatId; state: 'failed'; kind: string; description: string; retryable: boolean }
  | { chatId: ChatId; state: 'uncertain'; kind: string; description: string }
  /** Never left this machine: back to `pending`. */
  | { chatId: ChatId; state: 'pending' };

/** What a journal holds, for `openJournal` and `broadcast status`. */
export interface JournalSummary {
  /** Identifies the message the journal belongs to (see `messageFingerprint`). */
  fingerprint: string;
  method: string;
  /** How many runs opened it. */
  runs: number;
  /** Recipients per state (every state present, 0 when none). */
  counts: Record<RecipientState, number>;
  uncertain: ChatId[];
  failed: Array<{ chatId: ChatId; kind: string; description: string; retryable: boolean }>;
  blocked: ChatId[];
  migrated: Array<{ from: ChatId; to: ChatId }>;
}

/**
 * A broadcast journal. Every method may be called with batches; implementations commit each call
 * atomically (a claim either moves a recipient to "sending" durably or not at all).
 */
export interface BroadcastJournal {
  /**
   * Binds the journal to one message and starts a run. Rejects with a `JournalMismatchError` when
   * it already belongs to another message. Every recipient a dead run left in "sending" becomes
   * `uncertain` (a shared journal may do this lazily in `claim` instead, for claims of dead workers).
   */
  open(binding: { fingerprint: string; method: string }): Promise<void>;
  /**
   * Adds recipients it does not know yet (as `pending`) and atomically moves to "sending" those this
   * run may send under the journal's rules and `rules`; answers for each, in order.
   */
  claim(chatIds: readonly ChatId[], rules: ClaimRules): Promise<ClaimResult[]>;
  /** Records what happened to claimed recipients. */
  record(outcomes: readonly Outcome[]): Promise<void>;
  /** The whole journal's state. */
  summary(): Promise<JournalSummary>;
  /** Releases the store. Idempotent. */
  close(): Promise<void>;
}

const BRAND = Symbol.for('telegram-resilience.JournalMismatchError');

/** The journal belongs to another message (another text, method or parameters). */
export class JournalMismatchError extends Error {
  readonly [BRAND] = true;
  override name = 'JournalMismatchError';
  constructor(
    message: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(message);
  }
}

export function isJournalMismatchError(value: unknown): value is JournalMismatchError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
