/**
 * The Bot API client's error for a request that got no response: a rejected `fetch` (a
 * NetworkError, which says whether the request may have reached Telegram) or a timeout.
 */
import { NetworkError, TimedOut } from '../errors/telegram-error.js';
import { messageFor, withMessage } from './error-message.js';

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

/** Every error reachable from `error` through `cause` and `AggregateError#errors`, breadth first. */
function causeChain(error: unknown): object[] {
  const found: object[] = [];
  const queue: Array<{ value: unknown; depth: number }> = [{ value: error, depth: 0 }];
  for (let next = 0; next < queue.length && found.length < MAX_VISITS; next++) {
    const { value, depth } = queue[next]!;
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
