/**
 * Checks `startSimulator` options at the boundary: an unknown or mistyped option is a TypeError
 * that names it, so `{ blockedUser: [1] }` or `{ port: '8081' }` fails loudly instead of being ignored.
 */
import { checkOptions, isOptionsObject, rejectUnknownOptions, type OptionTable } from '../core/check-options.js';
import { boolean, finiteNonNegative, finitePositive, hasMethods, nonNegativeOrInfinity, type Check } from '../core/checks.js';
import { FAULT_KINDS, type FaultKind } from './faults.js';
import { TELEGRAM_LIMITS } from './limits.js';
import type { SimulatorOptions } from './types.js';

const WHERE = 'startSimulator';

const safeInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Checks of the fault schedule's fields (also used for fault files and `POST /sim/faults`). */
export const SCHEDULE_CHECKS = {
  seed: (v: unknown) => (safeInteger(v) ? undefined : 'a whole number'),
  rate: (v: unknown) => (typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'a number from 0 to 1'),
  kinds: (v: unknown) =>
    Array.isArray(v) && v.length > 0 && v.every((k) => FAULT_KINDS.includes(k as FaultKind)) ? undefined : `a non-empty array of ${FAULT_KINDS.join(', ')}`,
  methods: (v: unknown) => (Array.isArray(v) && v.every((m) => typeof m === 'string') ? undefined : 'an array of method names'),
  retryAfter: (v: unknown) => (safeInteger(v) && v > 0 ? undefined : 'a whole number of seconds > 0'),
} satisfies OptionTable;

const OPTION_CHECKS = {
  port: (v: unknown) => (safeInteger(v) && v >= 0 && v <= 65_535 ? undefined : 'a whole number from 0 to 65535'),
  token: (v: unknown) => (typeof v === 'string' && /^\d+:[A-Za-z0-9_-]+$/.test(v) ? undefined : 'a token like "123456:ABC-def"'),
  clock: hasMethods('a Clock ({ now, sleep })', 'now', 'sleep'),
  limits: (v: unknown) => (v === false || isOptionsObject(v) ? undefined : 'false or an object of limits'),
  strict: boolean,
  migratedGroups: (v: unknown) =>
    isOptionsObject(v) && Object.values(v).every((id) => safeInteger(id) && id < 0) ? undefined : 'an object { [oldGroupId]: newSupergroupId (< 0) }',
  migrateAllGroups: boolean,
  blockedUsers: (v: unknown) => (Array.isArray(v) && v.every((id) => safeInteger(id) && id > 0) ? undefined : 'an array of user ids (whole numbers > 0)'),
  faults: (v: unknown) => (isOptionsObject(v) ? undefined : 'an object { seed, rate, kinds?, methods?, retryAfter? }'),
  hangMs: nonNegativeOrInfinity,
  slowMs: finiteNonNegative,
  webhookRetryMs: finitePositive,
  webhookTimeoutMs: finitePositive,
} satisfies Record<keyof SimulatorOptions, Check>;

/** Throws a TypeError for any unknown or mistyped option of `startSimulator`. */
export function validateSimulatorOptions(options: unknown): void {
  const checked = checkOptions(WHERE, options, OPTION_CHECKS, { secrets: ['token'] });
  // Each limit's value is checked where the limits are built (limits.ts).
  if (isOptionsObject(checked.limits)) rejectUnknownOptions(WHERE, checked.limits, Object.keys(TELEGRAM_LIMITS), 'limits.');
  if (checked.faults !== undefined) checkOptions(WHERE, checked.faults, SCHEDULE_CHECKS, { prefix: 'faults.', required: ['seed', 'rate'] });
}
