/**
 * Transport failures (Node system errors, undici, DOMException aborts) to a Failure.
 *
 * The one decision that matters here is `maybeDelivered`. Resending a message Telegram already
 * delivered makes a duplicate the user sees, so `maybeDelivered` is false ONLY where the request
 * surely never left this machine: the connection was refused, the name did not resolve, there was no
 * route, or the connect itself timed out. A reset, a broken pipe, a socket error or a read timeout
 * can happen after Telegram received (and acted on) the request, so they are `true`. `ETIMEDOUT` is
 * ambiguous in Node (connect or read), so it is `true` too.
 */

import { nameOf, safeGet, type Verdict } from './shapes.js';

type NetworkRule = Pick<Verdict, 'kind' | 'maybeDelivered'>;

const NEVER_LEFT = { kind: 'network', maybeDelivered: false } as const satisfies NetworkRule;
const CONNECT_TIMEOUT = { kind: 'timeout', maybeDelivered: false } as const satisfies NetworkRule;
const MAYBE_SENT = { kind: 'network', maybeDelivered: true } as const satisfies NetworkRule;
const READ_TIMEOUT = { kind: 'timeout', maybeDelivered: true } as const satisfies NetworkRule;

const RULES: ReadonlyMap<string, NetworkRule> = new Map<string, NetworkRule>([
  // The request never left: nothing to duplicate.
  ['ECONNREFUSED', NEVER_LEFT],
  ['ENOTFOUND', NEVER_LEFT],
  ['EAI_AGAIN', NEVER_LEFT],
  ['ENETUNREACH', NEVER_LEFT],
  ['EHOSTUNREACH', NEVER_LEFT],
  ['ENETDOWN', NEVER_LEFT],
  ['EHOSTDOWN', NEVER_LEFT],
  ['EADDRNOTAVAIL', NEVER_LEFT],
  ['UND_ERR_CONNECT_TIMEOUT', CONNECT_TIMEOUT],
  ['ERR_SOCKET_CONNECTION_TIMEOUT', CONNECT_TIMEOUT],
  // The connection broke while the request or its answer was in flight.
  ['ECONNRESET', MAYBE_SENT],
  ['EPIPE', MAYBE_SENT],
  ['ECONNABORTED', MAYBE_SENT],
  ['ERR_STREAM_PREMATURE_CLOSE', MAYBE_SENT],
  ['UND_ERR_SOCKET', MAYBE_SENT],
  ['UND_ERR_CLOSED', MAYBE_SENT],
  // The answer did not come in time.
  ['ETIMEDOUT', READ_TIMEOUT],
  ['ESOCKETTIMEDOUT', READ_TIMEOUT],
  ['UND_ERR_HEADERS_TIMEOUT', READ_TIMEOUT],
  ['UND_ERR_BODY_TIMEOUT', READ_TIMEOUT],
  ['UND_ERR_ABORTED', READ_TIMEOUT],
]);

/**
 * The rule for a Node/undici error `code`, or undefined when it is not a transport code we know.
 * Any other `UND_ERR_*` is an undici transport failure at an unknown point: network, maybe delivered.
 */
export function networkRule(code: unknown): NetworkRule | undefined {
  if (typeof code !== 'string') return undefined;
  const rule = RULES.get(code);
  if (rule) return rule;
  return code.startsWith('UND_ERR_') ? MAYBE_SENT : undefined;
}

/**
 * Names of DOMExceptions (and look-alikes from node-fetch, node-telegram-bot-api) raised when a
 * signal aborts a request: `AbortSignal.timeout()` gives `TimeoutError`, a manual abort `AbortError`.
 * Both are treated as timeouts whose request may have been delivered.
 */
export function isAbortName(name: unknown): boolean {
  return name === 'AbortError' || name === 'TimeoutError';
}

export const ABORT_RULE: NetworkRule = READ_TIMEOUT;

const CODE_IN_TEXT = /\b(?:E[A-Z]{2,}(?:_[A-Z]+)*|UND_ERR_[A-Z_]+)\b/g;

/**
 * Finds a known transport code inside a message, for wrappers that kept only the text of the
 * original error (node-telegram-bot-api 0.x `EFATAL: Error: connect ECONNREFUSED 127.0.0.1:443`).
 */
export function networkCodeInText(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  for (const match of text.slice(0, 2000).matchAll(CODE_IN_TEXT)) {
    if (networkRule(match[0]) !== undefined) return match[0];
  }
  return undefined;
}

/** node-fetch 2 `FetchError.type` values that are not plain system errors (grammY and telegraf use node-fetch). */
const FETCH_ERROR_TYPES: ReadonlyMap<string, NetworkRule> = new Map<string, NetworkRule>([
  ['request-timeout', READ_TIMEOUT],
  ['body-timeout', READ_TIMEOUT],
  ['aborted', READ_TIMEOUT],
  // The server answered, but not with JSON (an nginx 502 page in front of the Bot API).
  ['invalid-json', { kind: 'server', maybeDelivered: true }],
]);

/**
 * Classifies an error object by its own transport markers only (its `code`, its abort `name`,
 * node-fetch's `type`); following `cause` is the caller's job. Returns undefined when none is present.
 */
export function readNetworkError(obj: object): Verdict | undefined {
  const code = safeGet(obj, 'code');
  const rule = networkRule(code);
  if (rule) return { ...rule, type: code as string };
  const name = nameOf(obj);
  if (isAbortName(name)) return { ...ABORT_RULE, type: name as string };
  if (name === 'FetchError') {
    const type = safeGet(obj, 'type');
    const byType = typeof type === 'string' ? FETCH_ERROR_TYPES.get(type) : undefined;
    return byType ? { ...byType, type: type as string } : { ...MAYBE_SENT, type: 'FetchError' };
  }
  return undefined;
}

/** undici's `TypeError: fetch failed`: the real reason is in `cause`; on its own it is a transport failure. */
export function isFetchFailed(obj: object): boolean {
  return nameOf(obj) === 'TypeError' && safeGet(obj, 'message') === 'fetch failed';
}

/** What an otherwise unexplained transport wrapper (grammY `HttpError`, ntba `EFATAL`) amounts to. */
export const UNEXPLAINED_TRANSPORT: NetworkRule = MAYBE_SENT;
