/**
 * Checks `startSimulator` options at the boundary: an unknown or mistyped option is a TypeError
 * that names it, so `{ blockedUser: [1] }` or `{ port: '8081' }` fails loudly instead of being ignored.
 */
import { FAULT_KINDS, type FaultKind } from './faults.js';
import { TELEGRAM_LIMITS } from './limits.js';

const WHERE = 'startSimulator';

/** `undefined` when valid, else what was expected. */
type Check = (value: unknown) => string | undefined;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonNegative: Check = (v) => (typeof v === 'number' && v >= 0 ? undefined : 'a number >= 0');
const finitePositive: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a finite number > 0');
const safeInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Checks of the fault schedule's fields (also used for fault files and `POST /sim/faults`). */
export const SCHEDULE_CHECKS: Record<string, Check> = {
  seed: (v) => (safeInteger(v) ? undefined : 'a whole number'),
  rate: (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'a number from 0 to 1'),
  kinds: (v) => (Array.isArray(v) && v.length > 0 && v.every((k) => FAULT_KINDS.includes(k as FaultKind)) ? undefined : `a non-empty array of ${FAULT_KINDS.join(', ')}`),
  methods: (v) => (Array.isArray(v) && v.every((m) => typeof m === 'string') ? undefined : 'an array of method names'),
  retryAfter: (v) => (safeInteger(v) && v > 0 ? undefined : 'a whole number of seconds > 0'),
};

const OPTION_CHECKS: Record<string, Check> = {
  port: (v) => (safeInteger(v) && v >= 0 && v <= 65_535 ? undefined : 'a whole number from 0 to 65535'),
  token: (v) => (typeof v === 'string' && /^\d+:[A-Za-z0-9_-]+$/.test(v) ? undefined : 'a token like "123456:ABC-def"'),
  clock: (v) => (isObject(v) && typeof v.now === 'function' && typeof v.sleep === 'function' ? undefined : 'a Clock ({ now, sleep })'),
  limits: (v) => (v === false || isObject(v) ? undefined : 'false or an object of limits'),
  strict: (v) => (typeof v === 'boolean' ? undefined : 'a boolean'),
  migratedGroups: (v) => (isObject(v) && Object.values(v).every((id) => safeInteger(id) && id < 0) ? undefined : 'an object { [oldGroupId]: newSupergroupId (< 0) }'),
  migrateAllGroups: (v) => (typeof v === 'boolean' ? undefined : 'a boolean'),
  blockedUsers: (v) => (Array.isArray(v) && v.every((id) => safeInteger(id) && id > 0) ? undefined : 'an array of user ids (whole numbers > 0)'),
  faults: (v) => (isObject(v) ? undefined : 'an object { seed, rate, kinds?, methods?, retryAfter? }'),
  hangMs: nonNegative,
  slowMs: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a finite number >= 0'),
  webhookRetryMs: finitePositive,
  webhookTimeoutMs: finitePositive,
};

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** Throws a TypeError naming every unknown key of `value` (an object) under `prefix`. */
export function rejectUnknownKeys(where: string, prefix: string, value: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => `"${prefix}${key}"`).join(', ');
    throw new TypeError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${names} (known: ${known.join(', ')})`);
  }
}

/** Checks `value`'s defined fields against `checks`; unknown keys are refused. */
export function checkFields(where: string, prefix: string, value: Record<string, unknown>, checks: Record<string, Check>): void {
  rejectUnknownKeys(where, prefix, value, Object.keys(checks));
  for (const [key, check] of Object.entries(checks)) {
    if (value[key] === undefined) continue;
    const expected = check(value[key]);
    if (expected !== undefined) throw new TypeError(`${where}: option "${prefix}${key}" must be ${expected}, got ${describe(value[key])}`);
  }
}

/** Throws a TypeError for any unknown or mistyped option of `startSimulator`. */
export function validateSimulatorOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isObject(options)) throw new TypeError(`${WHERE}: options must be an object, got ${describe(options)}`);
  checkFields(WHERE, '', options, OPTION_CHECKS);
  if (isObject(options.limits)) {
    rejectUnknownKeys(WHERE, 'limits.', options.limits, Object.keys(TELEGRAM_LIMITS));
  }
  if (isObject(options.faults)) {
    checkFields(WHERE, 'faults.', options.faults, SCHEDULE_CHECKS);
    for (const key of ['seed', 'rate']) {
      if (options.faults[key] === undefined) throw new TypeError(`${WHERE}: option "faults.${key}" is required`);
    }
  }
}
