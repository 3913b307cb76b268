/**
 * Checking options at the boundary: each check says what a value must be, in words, or nothing when
 * it is fine. The words are shared by every factory and by policy files, so a wrong value reads the
 * same wherever it was written.
 */

/** `undefined` when `value` is valid; otherwise what it must be (`'a finite number > 0'`). */
export type Check = (value: unknown) => string | undefined;

export const finiteNonNegative: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'a finite number >= 0';
export const finitePositive: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'a finite number > 0';
export const nonNegativeOrInfinity: Check = (v) =>
  typeof v === 'number' && !Number.isNaN(v) && v >= 0 ? undefined : 'a number >= 0 (Infinity allowed)';
export const positiveCount: Check = (v) =>
  typeof v === 'number' && (Number.isInteger(v) || v === Infinity) && v >= 1 ? undefined : 'an integer >= 1 (or Infinity)';
export const count: Check = (v) =>
  typeof v === 'number' && (Number.isInteger(v) || v === Infinity) && v >= 0 ? undefined : 'an integer >= 0 (or Infinity)';
export const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'a boolean');
export const func: Check = (v) => (typeof v === 'function' ? undefined : 'a function');
export const string: Check = (v) => (typeof v === 'string' ? undefined : 'a string');
export const nonEmptyString: Check = (v) => (typeof v === 'string' && v !== '' ? undefined : 'a non-empty string');
export const wholePositive: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : 'a whole number >= 1');
export const abortSignal: Check = (v) => (v instanceof AbortSignal ? undefined : 'an AbortSignal');

/** One of `values` (strings): `'"fallback" or "fail"'`. */
export function oneOf(...values: readonly string[]): Check {
  const words = values.map((v) => JSON.stringify(v)).join(values.length === 2 ? ' or ' : ', ');
  return (v) => (typeof v === 'string' && values.includes(v) ? undefined : words);
}

/** An object with these methods. */
export function hasMethods(expected: string, ...methods: readonly string[]): Check {
  return (v) =>
    typeof v === 'object' && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function') ? undefined : expected;
}

/** A value as an error message shows it: short, and never the whole of a long string. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** The one wording of a wrong option: ``option `key` must be <expected>, got <given>``. */
export function mustBe(key: string, expected: string, given: string): string {
  return `option \`${key}\` must be ${expected}, got ${given}`;
}

/** Throws a TypeError naming the option when `value` is not valid for `key`. */
export function checkOption(where: string, key: string, value: unknown, check: Check): void {
  const expected = check(value);
  if (expected !== undefined) throw new TypeError(`${where}: ${mustBe(key, expected, describeValue(value))}`);
}
