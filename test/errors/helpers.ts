/**
 * Shared checks for the classify tests: the invariants every Failure must hold, whatever the input.
 */
import { expect } from 'vitest';
import { FAILURE_KINDS, type Failure } from '../../src/errors/failure.js';

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** Returns a list of broken invariants (empty when the Failure is well formed). */
export function failureProblems(failure: unknown, cause: unknown): string[] {
  const problems: string[] = [];
  if (typeof failure !== 'object' || failure === null) return ['not an object'];
  const f = failure as Failure;
  if (!FAILURE_KINDS.includes(f.kind)) problems.push(`kind ${String(f.kind)}`);
  if (typeof f.maybeDelivered !== 'boolean') problems.push('maybeDelivered not boolean');
  if (!Object.is(f.cause, cause)) problems.push('cause identity lost');
  if (f.retryAfterMs !== undefined) {
    if (typeof f.retryAfterMs !== 'number' || !Number.isFinite(f.retryAfterMs) || f.retryAfterMs < 0 || f.retryAfterMs > ONE_YEAR_MS) {
      problems.push(`retryAfterMs ${String(f.retryAfterMs)}`);
    }
  }
  if (f.kind === 'flood' && f.retryAfterMs === undefined) problems.push('flood without retryAfterMs');
  if (f.dc !== undefined && !(Number.isSafeInteger(f.dc) && f.dc > 0)) problems.push(`dc ${String(f.dc)}`);
  if (f.code !== undefined && !Number.isSafeInteger(f.code)) problems.push(`code ${String(f.code)}`);
  if (f.migrateToChatId !== undefined && !Number.isSafeInteger(f.migrateToChatId)) problems.push('migrateToChatId');
  if (f.description !== undefined && (typeof f.description !== 'string' || f.description.length > 500)) {
    problems.push('description too long or not a string');
  }
  if (f.type !== undefined && typeof f.type !== 'string') problems.push('type not a string');
  return problems;
}

export function expectWellFormed(failure: Failure, cause: unknown): void {
  expect(failureProblems(failure, cause)).toEqual([]);
}
