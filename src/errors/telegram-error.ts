/**
 * The errors thrown by this package's own Bot API client (`createBotApi`), modelled on
 * python-telegram-bot's `telegram.error` classes. Each keeps what Telegram said
 * (`error_code`, `description`, `parameters`) so nothing is lost on the way to the user.
 *
 * Messages are built only from Telegram's description and the method name: the bot token
 * is never part of them.
 */

/** The `parameters` object of a failed Bot API response. */
export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
  [key: string]: unknown;
}

export interface TelegramErrorFields {
  /** The Bot API method that failed, e.g. `sendMessage`. */
  method?: string;
  /** `error_code` from the response, or the HTTP status when the body was not a Bot API response. */
  error_code?: number;
  /** `description` from the response. */
  description?: string;
  /** `parameters` from the response. */
  parameters?: ResponseParameters;
  /** The underlying error (a network error, a JSON parse error, ...). */
  cause?: unknown;
  /**
   * For network-level failures: whether the request may have reached Telegram. `classify` honours it,
   * so the engine never resends a message that may already have been delivered.
   */
  maybeDelivered?: boolean;
}

const BRAND = Symbol.for('telegram-resilience.TelegramError');

/** Base class of every error this package's Bot API client throws. */
export class TelegramError extends Error {
  /** Brand used by `isTelegramError`, so the check survives duplicated copies of this package. */
  readonly [BRAND] = true;
  override name = 'TelegramError';
  readonly method: string | undefined;
  readonly error_code: number | undefined;
  readonly description: string;
  readonly parameters: ResponseParameters | undefined;
  readonly maybeDelivered: boolean | undefined;

  constructor(message: string, fields: TelegramErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.method = fields.method;
    this.error_code = fields.error_code;
    this.description = fields.description ?? message;
    this.parameters = fields.parameters;
    this.maybeDelivered = fields.maybeDelivered;
  }
}

/** Type guard for any error of this package's Bot API client, also across package copies. */
export function isTelegramError(value: unknown): value is TelegramError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** 429 Too Many Requests: flood limits were exceeded. */
export class RetryAfter extends TelegramError {
  override name = 'RetryAfter';
  /** Seconds Telegram asked to wait before retrying. */
  readonly retryAfter: number;
  constructor(retryAfter: number, fields: TelegramErrorFields = {}) {
    super(`Flood control exceeded. Retry in ${retryAfter} seconds`, fields);
    this.retryAfter = retryAfter;
  }
}

/** 400 with `migrate_to_chat_id`: the group became a supergroup with a new id. */
export class ChatMigrated extends TelegramError {
  override name = 'ChatMigrated';
  /** The new chat id of the group. */
  readonly newChatId: number;
  constructor(newChatId: number, fields: TelegramErrorFields = {}) {
    super(`Group migrated to supergroup. New chat id: ${newChatId}`, fields);
    this.newChatId = newChatId;
  }
}

/** The request failed on the way: connection refused or reset, DNS, a 5xx from Telegram. */
export class NetworkError extends TelegramError {
  override name = 'NetworkError';
}

/** The request took longer than the client's timeout. */
export class TimedOut extends NetworkError {
  override name = 'TimedOut';
  constructor(message = 'Timed out', fields: TelegramErrorFields = {}) {
    super(message, fields);
  }
}

/** 400: Telegram could not process the request as sent. */
export class BadRequest extends TelegramError {
  override name = 'BadRequest';
}

/** 403: the bot may not do this (blocked by the user, kicked, no rights). */
export class Forbidden extends TelegramError {
  override name = 'Forbidden';
}

/** 401 (or 404 on the bot's own URL): the token is wrong or revoked. */
export class InvalidToken extends TelegramError {
  override name = 'InvalidToken';
  constructor(message = 'Invalid token', fields: TelegramErrorFields = {}) {
    super(message, fields);
  }
}

/** 409: another long poll or webhook is active for this bot. */
export class Conflict extends TelegramError {
  override name = 'Conflict';
}

/** The server answered something that is not a Bot API response (an HTML error page, bad JSON). */
export class InvalidServerResponse extends TelegramError {
  override name = 'InvalidServerResponse';
  constructor(message = 'Invalid server response', fields: TelegramErrorFields = {}) {
    super(message, fields);
  }
}
