/**
 * Pretty JSON of an update or of call parameters, made safe to show: secrets hidden, the token
 * scrubbed, and truncated sensibly (long strings, long arrays, deep nesting, then the whole text),
 * so that a 10 MB update still gives a readable message. Never throws, whatever the value holds.
 */
import { HIDDEN, isSecretKey, type Scrub } from './scrub.js';

/** Bounds on what one value may show. */
const MAX_STRING = 300;
const MAX_ITEMS = 20;
const MAX_KEYS = 50;
const MAX_DEPTH = 6;

/** Cuts `text` to `max` characters (never inside a surrogate pair), saying how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = offSurrogate(text, max);
  return `${text.slice(0, cut)}… (+${text.length - cut} chars)`;
}

/** `index`, or one less when cutting there would split a surrogate pair. */
function offSurrogate(text: string, index: number): number {
  const code = text.charCodeAt(index - 1);
  return code >= 0xd800 && code <= 0xdbff ? index - 1 : index;
}

function safeRead(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return '[unreadable]';
  }
}

/** A copy of `value` with only JSON in it, secrets hidden and every bound applied. */
function sanitize(value: unknown, scrub: Scrub, depth: number, seen: Set<object>): unknown {
  if (typeof value === 'string') return truncate(scrub(value), MAX_STRING);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object') return value === undefined ? undefined : `[${typeof value}]`;
  if (seen.has(value)) return '[circular]';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ITEMS).map((item) => sanitize(item, scrub, depth + 1, seen) ?? null);
      if (value.length > MAX_ITEMS) items.push(`… ${value.length - MAX_ITEMS} more items`);
      return items;
    }
    const out: Record<string, unknown> = {};
    const keys = Object.keys(value);
    for (const key of keys.slice(0, MAX_KEYS)) {
      const shownKey = truncate(scrub(key), MAX_STRING);
      out[shownKey] = isSecretKey(key) ? HIDDEN : sanitize(safeRead(value, key), scrub, depth + 1, seen);
    }
    if (keys.length > MAX_KEYS) out['…'] = `${keys.length - MAX_KEYS} more keys`;
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * `value` as indented JSON of at most about `maxChars` characters: when longer, it is cut at a line
 * break and ends with a note of how much was left out.
 */
export function prettyJson(value: unknown, scrub: Scrub, maxChars: number): string {
  let text: string;
  try {
    text = JSON.stringify(sanitize(value, scrub, 0, new Set()), null, 2) ?? String(value);
  } catch {
    text = '[not serializable]';
  }
  if (text.length <= maxChars) return text;
  const lineEnd = text.lastIndexOf('\n', maxChars);
  const cut = lineEnd > maxChars / 2 ? lineEnd : offSurrogate(text, maxChars);
  return `${text.slice(0, cut)}\n… (truncated, ${text.length - cut} more chars)`;
}
