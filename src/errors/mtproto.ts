/**
 * MTProto `rpc_error` (code + name, e.g. `420 FLOOD_WAIT_30`) to a Failure.
 *
 * Why match by NAME first and by code only as a fallback:
 * - the code is a coarse family, and the databases disagree on it: core.json lists `FILE_MIGRATE_X`
 *   under 400 while Telegram's docs and Telethon put it under 303; GramJS' `TimedOutError` says 503
 *   where Telegram sends -503;
 * - one code holds names that need opposite handling: 420 holds `FLOOD_WAIT_X` (sleep X seconds,
 *   then retry) next to `FROZEN_METHOD_INVALID` (no wait will ever fix it); 400 holds `FILE_MIGRATE_X`
 *   (repeat on DC X) next to `PEER_ID_INVALID` (fail fast).
 * Codes Telegram does not list (418, -500, ...) are "treated as 500", as Telegram's docs say.
 *
 * Names that carry a number but are deliberately NOT flood waits (the engine must not sleep on them;
 * the caller still gets the raw name in `type`):
 * - `PASSWORD_TOO_FRESH_X`, `SESSION_TOO_FRESH_X` (400): a security cool-down of hours to days.
 * - `STORY_SEND_FLOOD_WEEKLY_X`/`_MONTHLY_X`, `STARGIFT_*_TOO_EARLY_X` (400): quota windows of days.
 * - `PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_XMIN` (406): a pending import the user must finish first.
 * - `PREMIUM_SUB_ACTIVE_UNTIL_X` (420): X is a unix time, not a wait.
 * - `FILE_PART_X_MISSING`, `FILE_REFERENCE_X_*`, `EMAIL_UNCONFIRMED_X`: X is an index or a length.
 * They keep the kind of their code (bad_request, not_acceptable, ...), i.e. they fail fast.
 */

import type { FailureKind } from './failure.js';
import { DEFAULT_FLOOD_WAIT_MS, positiveInteger, secondsToMs, type Verdict } from './shapes.js';

/** What an rpc_error name alone tells us. */
export interface MtprotoNameInfo {
  kind: FailureKind;
  /** For `flood`: the wait the name carries, in ms (clamped to [0, one year]). */
  retryAfterMs?: number;
  /** For `dc_migrate`: the data center the name points to (a positive integer). */
  dc?: number;
}

// Waits Telegram asks the client to sit out; the number is seconds.
const FLOOD_NAME =
  /^(?:FLOOD_WAIT|FLOOD_PREMIUM_WAIT|SLOWMODE_WAIT|FLOOD_TEST_PHONE_WAIT|TAKEOUT_INIT_DELAY|2FA_CONFIRM_WAIT)_(\d+)$/;
// "Repeat this call on DC X."
const MIGRATE_NAME = /^(?:PHONE|FILE|NETWORK|USER|STATS)_MIGRATE_(\d+)$/;
// Telegram's own transient internal failures; retrying later may succeed.
const SERVER_NAMES = new Set([
  'RPC_CALL_FAIL',
  'RPC_MCGET_FAIL',
  'WORKER_BUSY_TOO_LONG_RETRY',
  'MSGID_DECREASE_RETRY',
  'MEMBER_OCCUPY_PRIMARY_LOC_FAILED',
]);
const INTERDC_NAME = /^INTERDC_\d+_CALL(?:_RICH)?_ERROR$/;
// 500 `TIMEOUT`, -503 `Timeout`/`Timedout`: Telegram gave up waiting for an internal answer.
const TIMEOUT_NAME = /^time(?:d)?out$/i;
// Heuristic for other 420 names: `SOMETHING_WAIT_X`, `SOMETHING_DELAY_X`, bare `FLOOD`, or a
// template whose number the SDK kept elsewhere (`FLOOD_WAIT_%d`).
const WAIT_LIKE_NAME = /(?:^|_)(?:WAIT|DELAY|FLOOD)(?:_(\d+|%d))?$/;
// A name that looks like an rpc_error name (and not like a sentence); mtcute keeps `%d` in it.
const RPC_NAME = /^(?:(?:[A-Z0-9_]|%d){2,120}|Timeout|Timedout)$/;

/** True when `text` is shaped like an rpc_error name (`FLOOD_WAIT_30`, `Timedout`), not prose. */
export function looksLikeRpcName(text: unknown): text is string {
  return typeof text === 'string' && RPC_NAME.test(text);
}

/**
 * Reads what an rpc_error name decides on its own, whatever its code: flood waits (with the wait),
 * DC migrations (with the DC), Telegram's transient internal errors, timeouts and
 * `AUTH_KEY_DUPLICATED`. Returns undefined for every other name: its code decides then.
 */
export function parseMtprotoName(name: string): MtprotoNameInfo | undefined {
  if (typeof name !== 'string' || name.length > 120) return undefined;
  const flood = FLOOD_NAME.exec(name);
  if (flood) return { kind: 'flood', retryAfterMs: secondsToMs(Number(flood[1])) ?? DEFAULT_FLOOD_WAIT_MS };
  const migrate = MIGRATE_NAME.exec(name);
  if (migrate) {
    const dc = positiveInteger(Number(migrate[1]));
    // `FILE_MIGRATE_0` cannot be acted on: treat it like any other internal oddity.
    return dc === undefined ? { kind: 'server' } : { kind: 'dc_migrate', dc };
  }
  if (SERVER_NAMES.has(name) || INTERDC_NAME.test(name)) return { kind: 'server' };
  if (TIMEOUT_NAME.test(name)) return { kind: 'timeout' };
  // The session's key is used elsewhere at the same time: retrying only makes it worse.
  if (name === 'AUTH_KEY_DUPLICATED') return { kind: 'not_acceptable' };
  return undefined;
}

/** An rpc_error as the SDKs expose it, after their differences have been read away. */
export interface RpcInput {
  code: number | undefined;
  /** The raw name (`FLOOD_WAIT_30`), with any `%d` already replaced by the number. */
  name: string | undefined;
  /** A wait in seconds the SDK parsed out of the name (`seconds`), when the name itself is lost. */
  seconds?: number | undefined;
  /** A DC the SDK parsed out of the name (`newDc`, `dc`), when the name itself is lost. */
  dc?: number | undefined;
  /** The SDK's human-readable message; defaults to the name. */
  description?: string | undefined;
}

/** Kinds where Telegram may have acted before failing; every other rpc_error is a refusal. */
function mayHaveActed(kind: FailureKind): boolean {
  return kind === 'server' || kind === 'timeout' || kind === 'unknown';
}

/** Classifies an rpc_error: by name first, by code for names the table does not decide. */
export function classifyRpc(input: RpcInput): Verdict {
  const info = (input.name === undefined ? undefined : parseMtprotoName(input.name)) ?? kindFromCode(input);
  const verdict: Verdict = { kind: info.kind, maybeDelivered: mayHaveActed(info.kind) };
  if (input.code !== undefined) verdict.code = input.code;
  if (input.name !== undefined) verdict.type = input.name;
  if (info.retryAfterMs !== undefined) verdict.retryAfterMs = info.retryAfterMs;
  if (info.dc !== undefined) verdict.dc = info.dc;
  const description = input.description ?? input.name;
  if (description !== undefined) verdict.description = description;
  return verdict;
}

function kindFromCode({ code, name, seconds, dc }: RpcInput): MtprotoNameInfo {
  switch (code) {
    case 303: {
      // An unknown *_MIGRATE-like name: usable only if we can tell where to go.
      const target = positiveInteger(dc) ?? positiveInteger(Number(/_(\d{1,6})$/.exec(name ?? '')?.[1]));
      return target === undefined ? { kind: 'server' } : { kind: 'dc_migrate', dc: target };
    }
    case 420:
      return floodFrom420(name, seconds);
    case 429:
    case -429: // transport-level flood ("too many connections"), sent without a name
      return { kind: 'flood', retryAfterMs: secondsToMs(seconds) ?? DEFAULT_FLOOD_WAIT_MS };
    case 400:
      return { kind: 'bad_request' };
    case 401:
      return { kind: 'unauthorized' };
    case 403:
      return { kind: 'forbidden' };
    case 404:
      return { kind: 'not_found' };
    case 406:
      return { kind: 'not_acceptable' };
    case -503:
      return { kind: 'timeout' };
    default:
      return { kind: 'server' };
  }
}

/**
 * 420 is Telegram's FLOOD family, but it also holds refusals no wait will fix
 * (`FROZEN_METHOD_INVALID`, `PREMIUM_SUB_ACTIVE_UNTIL_X`, `ADDRESS_INVALID`): those are `forbidden`.
 * A 420 with a wait the SDK parsed (`seconds`), a wait-like name or no name at all is a flood.
 */
function floodFrom420(name: string | undefined, seconds: number | undefined): MtprotoNameInfo {
  const fromSdk = secondsToMs(seconds);
  if (fromSdk !== undefined) return { kind: 'flood', retryAfterMs: fromSdk };
  if (name === undefined) return { kind: 'flood', retryAfterMs: DEFAULT_FLOOD_WAIT_MS };
  const waitLike = WAIT_LIKE_NAME.exec(name);
  if (waitLike) {
    const ms = waitLike[1] === undefined ? undefined : secondsToMs(Number(waitLike[1]));
    return { kind: 'flood', retryAfterMs: ms ?? DEFAULT_FLOOD_WAIT_MS };
  }
  return { kind: 'forbidden' };
}
