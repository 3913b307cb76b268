/**
 * `classify`: whatever a Telegram call threw or returned, one normalized `Failure`.
 *
 * Why duck typing and no SDK imports: the core must work with grammY, telegraf, both
 * node-telegram-bot-api lines, GramJS and mtcute without depending on any of them (and with several
 * copies of the same SDK in one tree, where `instanceof` fails). So errors are recognized by the
 * fields and class names those SDKs document, in this order, most specific first:
 *   1. this package's own errors (`isTelegramError`);
 *   2. wrappers whose meaning is in their name or string code (grammY `HttpError`,
 *      node-telegram-bot-api `EFATAL`/`EPARSE`/`EFETCH`/`ETIMEOUT`, GramJS `MsgWaitError`, mtcute
 *      `MtTimeoutError`);
 *   3. Bot API answers `{ ok: false, error_code, description, parameters }`, bare or inside the SDK's
 *      error (`GrammyError`, telegraf `TelegramError.response`, ntba 0.x `response.body`);
 *   4. transport errors (`ECONNRESET`, undici `UND_ERR_*`, `AbortError`, node-fetch `FetchError`);
 *   5. MTProto rpc_errors (see mtproto.ts for why they are matched by name);
 *   6. plain HTTP responses (`status`/`statusCode`, body not a Bot API answer);
 *   7. the `cause` chain (a few levels, cycle-safe), for errors that only wrap the real one.
 * Everything else is `unknown` with `maybeDelivered: true`: we cannot know, so we must not resend.
 *
 * `classify` never throws: every read is guarded (see shapes.ts) and the whole walk is in a
 * try/catch as a last resort, because it runs in the engine's error path.
 *
 * Bot API decisions worth knowing:
 * - A 429 without `retry_after` and without "retry after N" in its description still is a `flood`,
 *   with `retryAfterMs: 1000` (DEFAULT_FLOOD_WAIT_MS): every `flood` carries a finite wait.
 * - Any code not in Telegram's list (and any 5xx) is `server`, as Telegram's docs say codes not
 *   listed are to be treated as 500.
 * - A body that is not a Bot API answer (an HTML page) is `server`, unless its HTTP status is 404
 *   (a proxy's page, a wrong api root): `not_found`, not delivered. Only where the status is kept
 *   (our client, ntba 0.x); grammY, telegraf and ntba 2.x drop it and give a parse error alone.
 * - `maybeDelivered` is false for Telegram's refusals (4xx, flood, migrations): it surely did not
 *   act. It is true for `server` and `timeout`.
 */

import { botApiVerdict, fromBotApi, fromHttpResponse, pageVerdict } from './bot-api-answer.js';
import { FAILURE_KINDS, type Failure, type FailureKind } from './failure.js';
import { classifyRpc } from './mtproto.js';
import { isFetchFailed, networkCodeInText, networkRule, readNetworkError, UNEXPLAINED_TRANSPORT } from './network.js';
import { readRpcError } from './rpc-error-shape.js';
import {
  DEFAULT_FLOOD_WAIT_MS,
  clampWaitMs,
  cleanDescription,
  constructorNameOf,
  integer,
  isReadable,
  nameOf,
  positiveInteger,
  primitiveText,
  safeGet,
  safePath,
  type Verdict,
} from './shapes.js';
import { isTelegramError } from './telegram-error.js';

export { parseMtprotoName, type MtprotoNameInfo } from './mtproto.js';

/** Turns anything thrown or returned by a Telegram call into a `Failure`. Never throws. */
export function classify(error: unknown): Failure {
  let verdict: Verdict | undefined;
  try {
    verdict = classifyValue(error, { seen: new Set(), depth: 0 });
  } catch {
    verdict = undefined; // a hostile value got past the guards: it stays `unknown`
  }
  return finalize(verdict ?? unknownVerdict(error), error);
}

// ---------------------------------------------------------------------------------------------
// The walk

/** How far down `cause` chains we follow: real wrappers nest 2-3 deep. */
const MAX_DEPTH = 5;

interface Trail {
  /** Objects already visited, so `a.cause = a` cannot loop. */
  seen: Set<object>;
  depth: number;
}

/** The classification of `value`, or undefined when nothing in it is recognized. */
function classifyValue(value: unknown, trail: Trail): Verdict | undefined {
  if (!isReadable(value) || trail.depth > MAX_DEPTH || trail.seen.has(value)) return undefined;
  trail.seen.add(value);
  const inner = (next: unknown): Verdict | undefined =>
    classifyValue(next, { seen: trail.seen, depth: trail.depth + 1 });

  return (
    fromOwnError(value, inner) ??
    fromLibraryWrapper(value, inner) ??
    fromBotApi(value) ??
    readNetworkError(value) ??
    fromRpc(value) ??
    fromHttpResponse(value) ??
    fromCause(value, inner)
  );
}

type Inner = (next: unknown) => Verdict | undefined;

// ---------------------------------------------------------------------------------------------
// 1. This package's own errors (src/errors/telegram-error.ts)

function fromOwnError(e: object, inner: Inner): Verdict | undefined {
  let ours = false;
  try {
    ours = isTelegramError(e);
  } catch {
    ours = false; // a Proxy whose `get` trap throws
  }
  if (!ours) return undefined;

  const code = integer(safeGet(e, 'error_code'));
  const verdict = ownErrorVerdict(e, nameOf(e), code, inner);
  const description = safeGet(e, 'description');
  if (verdict.description === undefined && typeof description === 'string') verdict.description = description;
  if (verdict.code === undefined && code !== undefined) verdict.code = code;
  // The client knows best whether its request may have left (it saw where the failure happened).
  const maybeDelivered = safeGet(e, 'maybeDelivered');
  if (typeof maybeDelivered === 'boolean') verdict.maybeDelivered = maybeDelivered;
  return verdict;
}

function ownErrorVerdict(e: object, name: string | undefined, code: number | undefined, inner: Inner): Verdict {
  switch (name) {
    case 'RetryAfter':
      return botApiVerdict(code ?? 429, safeGet(e, 'description'), safeGet(e, 'parameters'), safeGet(e, 'retryAfter'));
    case 'ChatMigrated': {
      const newChatId = integer(safeGet(e, 'newChatId'));
      if (newChatId === undefined) break;
      return { kind: 'chat_migrated', code: code ?? 400, migrateToChatId: newChatId, maybeDelivered: false };
    }
    case 'TimedOut':
      return { kind: 'timeout', maybeDelivered: true };
    case 'NetworkError': {
      // Our client also reports a 5xx answer as NetworkError: that is Telegram's side failing.
      if (code !== undefined && code >= 500) return { kind: 'server', code, maybeDelivered: true };
      const underlying = inner(safeGet(e, 'cause'));
      if (underlying && (underlying.kind === 'network' || underlying.kind === 'timeout')) return underlying;
      return { ...UNEXPLAINED_TRANSPORT };
    }
    case 'InvalidServerResponse':
      return pageVerdict(code);
    case 'InvalidToken':
      return { kind: 'unauthorized', maybeDelivered: false };
  }
  return botApiVerdict(code, safeGet(e, 'description'), safeGet(e, 'parameters'));
}

// ---------------------------------------------------------------------------------------------
// 2. SDK wrappers whose meaning is in their name or string code

function fromLibraryWrapper(e: object, inner: Inner): Verdict | undefined {
  const name = nameOf(e);
  const className = constructorNameOf(e);

  // grammY: the fetch failed or its body was not JSON; the reason is in `error`.
  if (name === 'HttpError' && safeGet(e, 'error') !== undefined) {
    const underlying = inner(safeGet(e, 'error'));
    if (underlying && underlying.kind !== 'unknown') return underlying;
    // grammY's own timeout is a plain Error "Request to 'x' timed out after N seconds".
    const text = safeGet(safeGet(e, 'error'), 'message');
    if (typeof text === 'string' && /timed out/i.test(text)) return { kind: 'timeout', maybeDelivered: true };
    return { ...UNEXPLAINED_TRANSPORT };
  }
  // GramJS: MSG_WAIT_FAILED/MSG_WAIT_TIMEOUT, dressed as a 420 FLOOD without a wait.
  if (className === 'MsgWaitError' || name === 'MsgWaitError') return { kind: 'server', maybeDelivered: true };
  // mtcute: the client's own request timeout.
  if (className === 'MtTimeoutError') return { kind: 'timeout', maybeDelivered: true };

  const code = safeGet(e, 'code');
  switch (code) {
    case 'ETELEGRAM': // ntba 0.x and 2.x: a Bot API answer, read below; a broken one is Telegram's fault
      return fromBotApi(e) ?? { kind: 'server', maybeDelivered: true };
    case 'EPARSE':
      // The body was not JSON: an HTML error page from a proxy, a truncated answer.
      return { ...pageVerdict(integer(safePath(e, 'response', 'statusCode'))), type: code };
    case 'EFATAL': // ntba 0.x keeps only the text of the request error ("EFATAL: Error: read ECONNRESET")
      return inner(safeGet(e, 'cause')) ?? networkFromText(safeGet(e, 'message')) ?? { ...UNEXPLAINED_TRANSPORT, type: code };
    case 'EFETCH': {
      // ntba 2.x: a transport failure (reason in `cause`), or "Server error 502 on sendMessage".
      const underlying = inner(safeGet(e, 'cause'));
      if (underlying) return underlying;
      const message = safeGet(e, 'message');
      const status = typeof message === 'string' ? /Server error (\d{3})/.exec(message)?.[1] : undefined;
      if (status !== undefined) return { kind: 'server', code: Number(status), maybeDelivered: true };
      return { ...UNEXPLAINED_TRANSPORT, type: code };
    }
    case 'ETIMEOUT': // ntba 2.x: its own client timeout
      return { kind: 'timeout', maybeDelivered: true, type: code };
  }
  return undefined;
}

function networkFromText(text: unknown): Verdict | undefined {
  const code = networkCodeInText(text);
  const rule = networkRule(code);
  return rule && code !== undefined ? { ...rule, type: code } : undefined;
}

// ---------------------------------------------------------------------------------------------
// 3. Bot API answers and 6. HTTP responses whose body is not one: bot-api-answer.ts
// 4. Transport errors: network.ts

// ---------------------------------------------------------------------------------------------
// 5. MTProto rpc_errors

function fromRpc(e: object): Verdict | undefined {
  const rpc = readRpcError(e, [nameOf(e), constructorNameOf(e)]);
  return rpc && classifyRpc(rpc);
}

// ---------------------------------------------------------------------------------------------
// 7. Wrappers: the reason is in `cause` (or in an AggregateError's `errors`)

function fromCause(e: object, inner: Inner): Verdict | undefined {
  const fromChain = inner(safeGet(e, 'cause'));
  if (fromChain) return fromChain;
  // AggregateError (Node's happy-eyeballs connect): the first few attempts tell the story.
  const errors = safeGet(e, 'errors');
  const count = integer(safeGet(errors, 'length')) ?? 0;
  for (let i = 0; i < Math.min(count, 3); i++) {
    const found = inner(safeGet(errors, i));
    if (found) return found;
  }
  // undici's "fetch failed" with an unrecognized (or no) cause is still a transport failure.
  return isFetchFailed(e) ? { ...UNEXPLAINED_TRANSPORT } : undefined;
}

// ---------------------------------------------------------------------------------------------
// The result

function unknownVerdict(error: unknown): Verdict {
  const verdict: Verdict = { kind: 'unknown', maybeDelivered: true };
  const code = safeGet(error, 'code');
  if (typeof code === 'string') verdict.type = code;
  return verdict;
}

/**
 * Builds the Failure and enforces its invariants whatever the verdict holds: a known kind, integer
 * codes and ids, a wait in [0, one year] (always present for `flood`), a short token-free description,
 * and the original value as `cause`.
 */
function finalize(verdict: Verdict, cause: unknown): Failure {
  const kind: FailureKind = FAILURE_KINDS.includes(verdict.kind) ? verdict.kind : 'unknown';
  const failure: Failure = {
    kind,
    maybeDelivered: typeof verdict.maybeDelivered === 'boolean' ? verdict.maybeDelivered : true,
    cause,
  };
  const code = integer(verdict.code);
  if (code !== undefined) failure.code = code;
  if (typeof verdict.type === 'string' && verdict.type !== '') failure.type = verdict.type.slice(0, 120);
  const retryAfterMs = clampWaitMs(verdict.retryAfterMs) ?? (kind === 'flood' ? DEFAULT_FLOOD_WAIT_MS : undefined);
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  const dc = positiveInteger(verdict.dc);
  if (dc !== undefined) failure.dc = dc;
  const migrateToChatId = integer(verdict.migrateToChatId);
  if (migrateToChatId !== undefined) failure.migrateToChatId = migrateToChatId;
  const description = cleanDescription(verdict.description) ?? cleanDescription(messageOf(cause));
  if (description !== undefined) failure.description = description;
  return failure;
}

function messageOf(value: unknown): string | undefined {
  if (!isReadable(value)) return primitiveText(value);
  const message = safeGet(value, 'message');
  return typeof message === 'string' ? message : undefined;
}
