import { isIdempotentMethod } from './idempotency.js';
import type { PolicyOptions, ResolvedPolicy } from './options.js';

export const DEFAULT_POLICY: ResolvedPolicy = Object.freeze({
  floodSleepThreshold: 60,
  floodJitterMs: 0,
  maxFloodWaits: 10,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxTotalDelayMs: 300_000,
  maxDcHops: 3,
  maxChatMigrations: 2,
  allowDuplicates: false,
  idempotent: undefined,
  maxElapsedMs: Number.POSITIVE_INFINITY,
  throttle: true,
  isIdempotent: isIdempotentMethod,
});

type Check = (value: unknown) => string | undefined;

const nonNegative: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a finite number >= 0';
const nonNegativeOrInfinity: Check = (v) =>
  typeof v === 'number' && !Number.isNaN(v) && v >= 0 ? undefined : 'a number >= 0 (Infinity allowed)';
const positiveInt: Check = (v) =>
  typeof v === 'number' && (Number.isInteger(v) || v === Infinity) && v >= 1 ? undefined : 'an integer >= 1 (or Infinity)';
const count: Check = (v) =>
  typeof v === 'number' && (Number.isInteger(v) || v === Infinity) && v >= 0 ? undefined : 'an integer >= 0 (or Infinity)';
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');
const fn: Check = (v) => (typeof v === 'function' ? undefined : 'a function');

/** How each policy option is validated. The keys are exactly the options `PolicyOptions` has. */
export const POLICY_CHECKS: Record<keyof PolicyOptions, Check> = {
  floodSleepThreshold: nonNegativeOrInfinity,
  floodJitterMs: nonNegative,
  maxFloodWaits: count,
  maxAttempts: positiveInt,
  baseDelayMs: nonNegative,
  maxDelayMs: nonNegativeOrInfinity,
  maxTotalDelayMs: nonNegativeOrInfinity,
  maxDcHops: count,
  maxChatMigrations: count,
  allowDuplicates: bool,
  idempotent: bool,
  maxElapsedMs: nonNegativeOrInfinity,
  throttle: bool,
  isIdempotent: fn,
};

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** Throws a TypeError naming the option when `value` is not valid for `key`. */
export function checkOption(where: string, key: string, value: unknown, check: Check): void {
  const expected = check(value);
  if (expected !== undefined) {
    throw new TypeError(`${where}: option "${key}" must be ${expected}, got ${describe(value)}`);
  }
}

/**
 * Validates the policy keys of `options` (unknown keys are the caller's concern) and returns them
 * merged over `base`. `undefined` values mean "keep the base value".
 */
export function resolvePolicy(where: string, options: PolicyOptions, base: ResolvedPolicy = DEFAULT_POLICY): ResolvedPolicy {
  const resolved: Record<string, unknown> = { ...base };
  for (const key of Object.keys(POLICY_CHECKS) as (keyof PolicyOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    checkOption(where, key, value, POLICY_CHECKS[key]);
    resolved[key] = value;
  }
  return resolved as ResolvedPolicy;
}
