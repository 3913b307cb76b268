import { boolean, checkOption, count, finiteNonNegative, func, nonNegativeOrInfinity, positiveCount, type Check } from '../core/checks.js';
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

/** How each policy option is validated. The keys are exactly the options `PolicyOptions` has. */
export const POLICY_CHECKS: Record<keyof PolicyOptions, Check> = {
  floodSleepThreshold: nonNegativeOrInfinity,
  floodJitterMs: finiteNonNegative,
  maxFloodWaits: count,
  maxAttempts: positiveCount,
  baseDelayMs: finiteNonNegative,
  maxDelayMs: nonNegativeOrInfinity,
  maxTotalDelayMs: nonNegativeOrInfinity,
  maxDcHops: count,
  maxChatMigrations: count,
  allowDuplicates: boolean,
  idempotent: boolean,
  maxElapsedMs: nonNegativeOrInfinity,
  throttle: boolean,
  isIdempotent: func,
};

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
