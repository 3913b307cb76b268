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

import { fromBotApi, fromHttpResponse } from './bot-api-answer.js';
import { FAILURE_KINDS, type Failure, type FailureKind } from './failure.js';
import { classifyRpc } from './mtproto.js';
import { isFetchFailed, readNetworkError, UNEXPLAINED_TRANSPORT } from './network.js';
import { fromOwnError } from './own-error.js';
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
  type Inner,
  type Verdict,
} from './shapes.js';
import { fromLibraryWrapper } from './sdk-wrappers.js';

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

// ---------------------------------------------------------------------------------------------
// 1. This package's own errors: own-error.ts
// 2. SDK wrappers whose meaning is in their name or string code: sdk-wrappers.ts
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
