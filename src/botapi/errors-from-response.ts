/**
 * Turns the response to one Bot API request into its `result` or one of the typed errors of
 * `src/errors/telegram-error.ts`, with the bot token scrubbed out (a rejected `fetch`:
 * errors-from-fetch.ts).
 *
 * Nothing here performs I/O: `client.ts` does the request and hands the outcome over.
 */
import {
  BadRequest,
  ChatMigrated,
  Conflict,
  Forbidden,
  InvalidServerResponse,
  InvalidToken,
  NetworkError,
  RetryAfter,
  TelegramError,
  type ResponseParameters,
  type TelegramErrorFields,
} from '../errors/telegram-error.js';
import { messageFor, withMessage } from './error-message.js';

/** A failed Bot API answer: `{ ok: false, error_code, description, parameters }`. */
export interface BotApiFailureBody {
  ok: false;
  error_code?: number;
  description?: string;
  parameters?: ResponseParameters;
}

/** The outcome of reading one HTTP response: the `result`, or the error to throw. */
export type ResponseOutcome<T> = { ok: true; result: T } | { ok: false; error: TelegramError };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite, non-negative number of seconds, or `undefined` when `value` is not one. */
function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Telegram's 429 descriptions read "Too Many Requests: retry after 35". */
function retryAfterFromText(description: string | undefined): number | undefined {
  const match = description === undefined ? null : /retry after (\d+)/i.exec(description);
  return match ? Number(match[1]) : undefined;
}

/** Checks the shape of a Bot API answer; anything else is "not a Bot API response". */
function isBotApiBody(body: unknown): body is { ok: true; result: unknown } | BotApiFailureBody {
  if (!isRecord(body)) return false;
  if (body.ok === true) return 'result' in body;
  if (body.ok !== false) return false;
  if (body.error_code !== undefined && !Number.isInteger(body.error_code)) return false;
  if (body.description !== undefined && typeof body.description !== 'string') return false;
  return body.parameters === undefined || isRecord(body.parameters);
}

/**
 * The typed error for a failed Bot API answer. `retry_after` and `migrate_to_chat_id` win over the
 * error code, because they tell the caller exactly what to do next.
 */
export function errorFromFailureBody(method: string, body: BotApiFailureBody, httpStatus: number): TelegramError {
  const code = body.error_code ?? httpStatus;
  const description = body.description ?? `Error ${code}`;
  const fields: TelegramErrorFields = {
    method,
    error_code: code,
    description,
    parameters: body.parameters,
  };
  const text = messageFor(method, description);
  const retryAfter = seconds(body.parameters?.retry_after);
  if (retryAfter !== undefined) return withMessage(new RetryAfter(retryAfter, fields), text);
  if (code === 429) {
    // No usable `retry_after`: read it from the text, else wait a second rather than not at all.
    return withMessage(new RetryAfter(retryAfterFromText(body.description) ?? 1, fields), text);
  }
  const newChatId = body.parameters?.migrate_to_chat_id;
  if (typeof newChatId === 'number' && Number.isFinite(newChatId)) {
    return withMessage(new ChatMigrated(newChatId, fields), text);
  }
  return withMessage(errorForCode(code, text, fields), text);
}

function errorForCode(code: number, text: string, fields: TelegramErrorFields): TelegramError {
  if (code === 400) return new BadRequest(text, fields);
  if (code === 401) return new InvalidToken(text, fields);
  if (code === 403) return new Forbidden(text, fields);
  if (code === 409) return new Conflict(text, fields);
  // Telegram's own 5xx (its backend failed or restarted): the request may well have been processed.
  if (code >= 500 && code <= 599) return new NetworkError(text, { ...fields, maybeDelivered: true });
  // 404 lands here too: Telegram answers it for an unknown method as well as for a bad token URL,
  // so it cannot be told apart from the response alone.
  return new TelegramError(text, fields);
}

/**
 * Reads one HTTP response body. A body that is not JSON, or JSON that is not a Bot API answer
 * (an nginx error page, a truncated body), becomes `InvalidServerResponse` carrying the HTTP status
 * (`classify` makes a 404 one `not_found`, any other `server`).
 */
export function outcomeFromResponse<T>(
  method: string,
  httpStatus: number,
  httpStatusText: string,
  text: string,
): ResponseOutcome<T> {
  let body: unknown;
  let cause: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    cause = error;
  }
  if (cause === undefined && isBotApiBody(body)) {
    if (body.ok) return { ok: true, result: body.result as T };
    return { ok: false, error: errorFromFailureBody(method, body, httpStatus) };
  }
  const status = `HTTP ${httpStatus}${httpStatusText ? ` ${httpStatusText}` : ''}`;
  const what = cause === undefined ? 'not a Bot API response' : 'body is not JSON';
  const message = messageFor(method, `Invalid server response (${status}, ${what})`);
  // A 404 page (a proxy's, a wrong api root) found nothing to act on the request; other pages may
  // come from a proxy after Telegram got the request.
  const fields: TelegramErrorFields = { method, error_code: httpStatus, maybeDelivered: httpStatus !== 404 };
  if (cause !== undefined) fields.cause = cause;
  return { ok: false, error: withMessage(new InvalidServerResponse(message, fields), message) };
}
