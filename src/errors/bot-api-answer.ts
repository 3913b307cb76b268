/**
 * Reading Telegram's answers for `classify` (classify.ts): a Bot API error answer
 * `{ ok: false, error_code, description, parameters }`, wherever an SDK keeps it; an HTTP response
 * whose body is not one; and a page (HTML) where JSON was expected.
 */
import type { FailureKind } from './failure.js';
import { DEFAULT_FLOOD_WAIT_MS, integer, isReadable, safeGet, safePath, secondsToMs, type Verdict } from './shapes.js';

/**
 * Bot API fields: on the object itself, in an HTTP response's `body` (raw or JSON text), or inside
 * the SDK error's `response` (telegraf) or `response.body` (ntba 0.x).
 */
export function fromBotApi(e: object): Verdict | undefined {
  const candidates = [e, safeGet(e, 'body'), safeGet(e, 'response'), safePath(e, 'response', 'body')];
  for (const candidate of candidates) {
    const envelope = typeof candidate === 'string' ? parseJsonObject(candidate) : candidate;
    if (!isReadable(envelope) || !looksLikeBotApiAnswer(envelope)) continue;
    const code = safeGet(envelope, 'error_code') ?? safeGet(envelope, 'errorCode') ?? safeGet(envelope, 'code');
    return botApiVerdict(code, safeGet(envelope, 'description'), safeGet(envelope, 'parameters'));
  }
  return undefined;
}

/**
 * `{ ok: false, error_code, ... }` as sent, or an SDK error with a numeric code next to Telegram's
 * `description`/`parameters` (GrammyError, telegraf `TelegramError`, ntba 2.x `TelegramApiError`).
 * A fetch `Response` also has `ok: false` but no `error_code`/`description`: it is not one.
 */
function looksLikeBotApiAnswer(obj: object): boolean {
  const description = safeGet(obj, 'description');
  const hasTelegramFields = typeof description === 'string' || isReadable(safeGet(obj, 'parameters'));
  const errorCode = safeGet(obj, 'error_code');
  if (safeGet(obj, 'ok') === false && (errorCode !== undefined || typeof description === 'string')) return true;
  const anyCode = [errorCode, safeGet(obj, 'errorCode'), safeGet(obj, 'code')].some((c) => typeof c === 'number');
  return anyCode && hasTelegramFields;
}

const BOT_API_KINDS: ReadonlyMap<number, FailureKind> = new Map<number, FailureKind>([
  [400, 'bad_request'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'not_found'],
  [406, 'not_acceptable'],
  [409, 'conflict'],
]);

/**
 * The Failure for a Bot API error answer. `retry_after` (or a 429/420 code) means flood,
 * `migrate_to_chat_id` means the group became a supergroup; otherwise the code decides.
 * `retrySecondsOverride` is our own `RetryAfter.retryAfter`.
 */
export function botApiVerdict(rawCode: unknown, rawDescription: unknown, rawParameters: unknown, retrySecondsOverride?: unknown): Verdict {
  const code = integer(rawCode);
  const description = typeof rawDescription === 'string' ? rawDescription : undefined;
  const parameters = isReadable(rawParameters) ? rawParameters : undefined;
  const base: Verdict = { kind: 'server', maybeDelivered: true };
  if (code !== undefined) base.code = code;
  if (description !== undefined) base.description = description;

  const retryAfterMs = secondsToMs(retrySecondsOverride) ?? secondsToMs(safeGet(parameters, 'retry_after'));
  const saysTooMany = code === undefined && description !== undefined && /too many requests|retry after/i.test(description);
  if (code === 429 || code === 420 || retryAfterMs !== undefined || saysTooMany) {
    return { ...base, kind: 'flood', maybeDelivered: false, retryAfterMs: retryAfterMs ?? waitFromText(description) };
  }
  const migrateToChatId = integer(safeGet(parameters, 'migrate_to_chat_id'));
  if (migrateToChatId !== undefined) return { ...base, kind: 'chat_migrated', maybeDelivered: false, migrateToChatId };

  const kind = code === undefined ? undefined : BOT_API_KINDS.get(code);
  // Codes not listed by Telegram (and every 5xx) are "treated as 500".
  return kind === undefined ? base : { ...base, kind, maybeDelivered: false };
}

/** "Too Many Requests: retry after 35" / "FLOOD_WAIT_35" in a description, else the default wait. */
function waitFromText(description: string | undefined): number {
  const text = description?.slice(0, 1000) ?? '';
  const seconds = /retry after (\d+)/i.exec(text)?.[1] ?? /FLOOD_WAIT_(\d+)/.exec(text)?.[1];
  return (seconds === undefined ? undefined : secondsToMs(Number(seconds))) ?? DEFAULT_FLOOD_WAIT_MS;
}

/** JSON.parse for a response body that may be HTML, huge or garbage. */
function parseJsonObject(text: string): unknown {
  if (text.length > 100_000 || !text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An HTTP response whose body is not a Bot API answer: its status decides. */
export function fromHttpResponse(e: object): Verdict | undefined {
  const status = integer(safeGet(e, 'status')) ?? integer(safeGet(e, 'statusCode'));
  if (status === undefined || status < 100 || status > 599) return undefined;
  const statusText = safeGet(e, 'statusText') ?? safeGet(e, 'statusMessage');
  const description = typeof statusText === 'string' && statusText !== '' ? statusText : `HTTP ${status}`;
  if (status === 429) return { kind: 'flood', code: status, description, retryAfterMs: DEFAULT_FLOOD_WAIT_MS, maybeDelivered: false };
  const kind = BOT_API_KINDS.get(status);
  if (kind !== undefined) return { kind, code: status, description, maybeDelivered: false };
  // 5xx, and a 2xx/3xx whose body was not a Bot API answer: Telegram's side misbehaved.
  return { kind: 'server', code: status, description, maybeDelivered: true };
}

/**
 * An answer whose body is not a Bot API answer (an HTML page), by its HTTP status: a 404 page (a
 * proxy's, a wrong api root) means nothing was found to act on the request, so `not_found`, surely
 * not delivered; any other status is Telegram's side (or a proxy in front of it) failing: `server`.
 */
export function pageVerdict(status: number | undefined): Verdict {
  if (status === 404) return { kind: 'not_found', code: status, maybeDelivered: false };
  return { kind: 'server', maybeDelivered: true, ...(status !== undefined && { code: status }) };
}
