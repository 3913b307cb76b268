/** Helpers to prove the bot token never leaks through a thrown error. Test helper only. */
import { expect } from 'vitest';

/** Shaped like a real token; its secret half is long enough to be searched on its own. */
export const TOKEN = '7777777:AAE-secret_Token0123456789abcdefXYZ';
export const TOKEN_SECRET_HALF = TOKEN.slice(TOKEN.indexOf(':') + 1);

/** JSON of anything, cycles and bigints included; never throws. */
export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return String(v);
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[cycle]';
          seen.add(v);
        }
        return v;
      }) ?? ''
    );
  } catch (error) {
    return `[unserializable: ${String(error)}]`;
  }
}

/**
 * Everything a user could print of `error`: `String(err)`, `err.stack`, `JSON.stringify(err)` and of
 * each own property (enumerable or not, symbols too), and the same for every object reachable from
 * it (causes, `errors`, `parameters`), several levels deep.
 */
export function visibleText(error: unknown): string {
  const parts: string[] = [String(error), safeJson(error)];
  const seen = new Set<object>();
  const walk = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 8) return;
    seen.add(value);
    if (value instanceof Error) parts.push(String(value), String(value.stack), value.message);
    for (const key of Reflect.ownKeys(value)) {
      let v: unknown;
      try {
        v = (value as Record<PropertyKey, unknown>)[key];
      } catch {
        continue;
      }
      parts.push(String(key), typeof v === 'object' && v !== null ? safeJson(v) : String(v));
      walk(v, depth + 1);
    }
  };
  walk(error, 0);
  return parts.join('\n');
}

/** Fails when any spelling of the token can be read from `error`. */
export function expectNoToken(error: unknown): void {
  const text = visibleText(error);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(encodeURIComponent(TOKEN));
  expect(text).not.toContain(TOKEN_SECRET_HALF);
  if (error instanceof Error) expect(error.message).not.toContain('/bot');
}

/** The rejection value of `promise`; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, it resolved');
}
