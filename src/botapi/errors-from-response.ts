/**
 * Turns what came back from one Bot API request (a response body, or a rejected `fetch`) into
 * the typed errors of `src/errors/telegram-error.ts`, and scrubs the bot token out of them.
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
  TimedOut,
  type ResponseParameters,
  type TelegramErrorFields,
} from '../errors/telegram-error.js';

/** A failed Bot API answer: `{ ok: false, error_code, description, parameters }`. */
export interface BotApiFailureBody {
  ok: false;
  error_code?: number;
  description?: string;
  parameters?: ResponseParameters;
}

/** The outcome of reading one HTTP response: the `result`, or the error to throw. */
export type ResponseOutcome<T> = { ok: true; result: T } | { ok: false; error: TelegramError };

/**
 * Error codes that can only happen before a single byte of the request was written, so the
 * request surely never reached Telegram. Everything else (resets, socket errors, read timeouts)
 * may have happened after Telegram received and acted on the request.
 */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * How far the cause-chain walks descend. undici nests two or three causes; an `errors` array and a
 * details object under each add a level or two more.
 */
const MAX_DEPTH = 8;
/** Upper bound on objects visited by one walk, so a huge or odd error graph cannot stall us. */
const MAX_VISITS = 100;

/** `sendMessage failed: Forbidden: bot was blocked by the user`. Never contains the URL. */
function messageFor(method: string, text: string): string {
  return `${method} failed: ${text}`;
}

/**
 * Gives `error` the message we want and a stack whose first line matches it. The subclasses of
 * `TelegramError` build their own messages (e.g. `RetryAfter`), so we set ours afterwards.
 */
function withMessage<E extends Error>(error: E, message: string): E {
  error.message = message;
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const frames = stack.indexOf('\n    at ');
  error.stack = `${error.name}: ${message}${frames >= 0 ? stack.slice(frames) : ''}`;
  return error;
}

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

/** Every error reachable from `error` through `cause` and `AggregateError#errors`, breadth first. */
function causeChain(error: unknown): object[] {
  const found: object[] = [];
  const queue: Array<{ value: unknown; depth: number }> = [{ value: error, depth: 0 }];
  while (queue.length > 0 && found.length < MAX_VISITS) {
    const { value, depth } = queue.shift()!;
    if (typeof value !== 'object' || value === null || found.includes(value)) continue;
    found.push(value);
    if (depth >= MAX_DEPTH) continue;
    const record = value as { cause?: unknown; errors?: unknown };
    queue.push({ value: record.cause, depth: depth + 1 });
    if (Array.isArray(record.errors)) {
      for (const inner of record.errors) queue.push({ value: inner, depth: depth + 1 });
    }
  }
  return found;
}

/** The system / undici error codes (`ECONNRESET`, `UND_ERR_SOCKET`, ...) anywhere in the chain. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (const item of causeChain(error)) {
    const code = (item as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** The innermost message in the chain: "connect ECONNREFUSED 127.0.0.1:443" says more than "fetch failed". */
function deepestMessage(error: unknown): string {
  const chain = causeChain(error);
  for (let i = chain.length - 1; i >= 0; i--) {
    const message = (chain[i] as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return String(error);
}

/**
 * The error for a `fetch` that rejected (not because of an abort or our timeout).
 *
 * @param afterResponse true when the response headers had already arrived (the body failed):
 *   Telegram surely got the request then.
 */
export function errorFromFetchFailure(method: string, error: unknown, afterResponse: boolean): NetworkError {
  const codes = errorCodes(error);
  // Only a failure we can pin on the connect phase proves the request never left.
  const neverSent = !afterResponse && codes.length > 0 && codes.every((code) => NEVER_SENT_CODES.has(code));
  // Keep the detail ("connect ECONNREFUSED 1.2.3.4:443") but never a URL: it holds the token.
  const deepest = deepestMessage(error).replace(/\bhttps?:\/\/\S+/gi, '<url>');
  const detail = codes[0] && !deepest.includes(codes[0]) ? `${deepest} [${codes[0]}]` : deepest;
  const text = `Network error${afterResponse ? ' while reading the response' : ''} (${detail})`;
  const message = messageFor(method, text);
  return withMessage(new NetworkError(message, { method, cause: error, maybeDelivered: !neverSent }), message);
}

/** The error for a request that ran past the client's `timeoutMs`. */
export function timedOut(method: string, timeoutMs: number, cause: unknown): TimedOut {
  const message = messageFor(method, `Timed out after ${timeoutMs} ms`);
  return withMessage(new TimedOut(message, { method, cause, maybeDelivered: true }), message);
}
