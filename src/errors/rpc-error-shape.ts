/**
 * Reading an rpc_error out of any MTProto SDK's object (GramJS, mtcute, raw TL), for `classify`:
 * its code, its name (put back together where the SDK cut the number out of it), and the numbers
 * the SDK parsed. What the name means is mtproto.ts's.
 */
import { looksLikeRpcName, parseMtprotoName, type RpcInput } from './mtproto.js';
import { finiteNumber, firstNumber, integer, safeGet } from './shapes.js';

// Where the SDKs keep the code, the name and the number they cut out of the name.
const CODE_FIELDS = ['code', 'errorCode', 'error_code'] as const;
const NAME_FIELDS = ['errorMessage', 'error_message', 'text'] as const;
const NUMBER_FIELDS = ['seconds', 'newDc', 'new_dc', 'dc', 'minutes', 'which', 'codeLength', 'code_length'] as const;
const DC_FIELDS = ['newDc', 'new_dc', 'dc'] as const;

/**
 * GramJS replaces the raw name of its typed errors with a family word (`FloodWaitError` has
 * `errorMessage: 'FLOOD'` and the wait in `seconds`; `FileMigrateError` has `'ERROR_SEE_OTHER'` and
 * `newDc`), so the class name is what says which rpc_error it was. Some classes listed here exist
 * only in other GramJS versions; listing them costs nothing.
 */
const CLASS_TEMPLATES: ReadonlyMap<string, string> = new Map([
  ['FloodWaitError', 'FLOOD_WAIT_%d'],
  ['FloodPremiumWaitError', 'FLOOD_PREMIUM_WAIT_%d'],
  ['SlowModeWaitError', 'SLOWMODE_WAIT_%d'],
  ['FloodTestPhoneWaitError', 'FLOOD_TEST_PHONE_WAIT_%d'],
  ['TakeoutInitDelayError', 'TAKEOUT_INIT_DELAY_%d'],
  ['FileMigrateError', 'FILE_MIGRATE_%d'],
  ['PhoneMigrateError', 'PHONE_MIGRATE_%d'],
  ['UserMigrateError', 'USER_MIGRATE_%d'],
  ['NetworkMigrateError', 'NETWORK_MIGRATE_%d'],
  ['StatsMigrateError', 'STATS_MIGRATE_%d'],
  ['EmailUnconfirmedError', 'EMAIL_UNCONFIRMED_%d'],
  ['AuthKeyDuplicatedError', 'AUTH_KEY_DUPLICATED'],
]);

/** mtcute writes `FLOOD_WAIT_%d` and keeps the number in `seconds`/`newDc`/...: put it back. */
function fillTemplate(name: string, value: number | undefined): string {
  if (!name.includes('%d') || value === undefined || !Number.isSafeInteger(value) || value < 0) return name;
  return name.replace('%d', String(value));
}

/**
 * Reads an rpc_error out of any SDK's object: a raw TL `{ errorCode, errorMessage }`, GramJS'
 * `RPCError` family (`code`, `errorMessage`, typed subclasses), mtcute's `tl.RpcError` (`code`,
 * `text`, `seconds`/`newDc`/`dc`), or a plain `{ code, message }`. Returns undefined when the object
 * is not shaped like one.
 */
export function readRpcError(
  obj: object,
  classNames: readonly (string | undefined)[],
): RpcInput | undefined {
  let code: number | undefined;
  for (const key of CODE_FIELDS) {
    code = integer(safeGet(obj, key));
    if (code !== undefined) break;
  }
  const number = firstNumber(obj, NUMBER_FIELDS);
  let name = firstRpcName(obj, NAME_FIELDS);
  // A bare `message` is prose for most errors; it counts as a name only next to a numeric code.
  if (name === undefined && code !== undefined) name = firstRpcName(obj, ['message']);
  if (name !== undefined) name = fillTemplate(name, number);

  const template = classNames.map((n) => (n === undefined ? undefined : CLASS_TEMPLATES.get(n))).find(Boolean);
  if (template !== undefined && (name === undefined || parseMtprotoName(name) === undefined)) {
    name = fillTemplate(template, number);
  }

  if (code === undefined) {
    // Without a code only a name that decides on its own is trusted (`{ errorMessage: 'FLOOD_WAIT_5' }`).
    if (name === undefined || parseMtprotoName(name) === undefined) return undefined;
  } else if (name === undefined && Math.abs(code) < 300) {
    // Telegram codes are 303..500 or negative transport codes; small numbers are someone else's
    // (a DOMException's `code: 23`, GramJS' BadMessageError 16..64).
    return undefined;
  }
  const message = safeGet(obj, 'message');
  return {
    code,
    name,
    seconds: finiteNumber(safeGet(obj, 'seconds')),
    dc: firstNumber(obj, DC_FIELDS),
    description: typeof message === 'string' && message.length > 0 ? message : name,
  };
}

function firstRpcName(obj: object, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = safeGet(obj, key);
    if (looksLikeRpcName(value)) return value;
  }
  return undefined;
}
