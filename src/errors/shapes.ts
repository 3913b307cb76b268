/**
 * Defensive readers for values of unknown shape.
 *
 * `classify` runs inside the retry engine's error path: if it threw, the caller would lose the
 * original error and the engine would lose its decision. So every property read here goes through
 * `safeGet`, which survives throwing getters, hostile Proxies and revoked Proxies, and nothing here
 * calls `toString`/`valueOf` on objects (a user-defined one could throw or loop). Only primitives
 * are turned into text.
 */

import type { Failure } from './failure.js';

/** Values above this are clamped: no sane Telegram wait is longer than a year. */
export const MAX_WAIT_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The wait used for a flood error that names no duration (a 429 without `retry_after` or a number in
 * its description, a bare 420 `FLOOD`, a transport-level -429). The engine needs some wait to honour;
 * one second is what Telegram asks for most often and what node-telegram-bot-api 2.x assumes too.
 */
export const DEFAULT_FLOOD_WAIT_MS = 1000;

/** Longest `description` we keep; Telegram's own texts are far shorter. */
export const MAX_DESCRIPTION_LENGTH = 500;

/** An object or function we may read properties from (never null). */
export type Readable = object;

export function isReadable(value: unknown): value is Readable {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Reads `obj[key]`, returning undefined instead of throwing (getters, Proxy traps, revoked Proxies). */
export function safeGet(obj: unknown, key: PropertyKey): unknown {
  if (!isReadable(obj)) return undefined;
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The value at `obj.k1.k2...`, or undefined as soon as one step is missing or throws. */
export function safePath(obj: unknown, ...keys: PropertyKey[]): unknown {
  let current = obj;
  for (const key of keys) current = safeGet(current, key);
  return current;
}

/** A finite number, or undefined. Numeric strings are NOT accepted: codes come as numbers. */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A safe integer (a Telegram code, a chat id, a dc id), or undefined. */
export function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/** The first of `keys` on `obj` that holds a finite number. */
export function firstNumber(obj: unknown, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = finiteNumber(safeGet(obj, key));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** `obj.name` when it is a string (`GrammyError`, `AbortError`, ...). */
export function nameOf(obj: unknown): string | undefined {
  const name = safeGet(obj, 'name');
  return typeof name === 'string' ? name : undefined;
}

/**
 * The constructor's name (`FloodWaitError`, `RpcError`, ...). Several SDKs never set `name`, so
 * the class name is the only way to tell their errors apart without importing them.
 */
export function constructorNameOf(obj: unknown): string | undefined {
  const ctor = safeGet(obj, 'constructor');
  if (typeof ctor !== 'function') return undefined;
  const name = safeGet(ctor, 'name');
  return typeof name === 'string' ? name : undefined;
}

/**
 * Converts a wait in seconds to milliseconds, clamped so the engine can always sleep on it:
 * NaN or non-numbers give undefined, negatives give 0, anything above a year gives a year.
 */
export function secondsToMs(seconds: unknown): number | undefined {
  if (typeof seconds !== 'number' || Number.isNaN(seconds)) return undefined;
  return clampWaitMs(seconds * 1000);
}

/** Clamps a wait in milliseconds to [0, MAX_WAIT_MS]; NaN or non-numbers give undefined. */
export function clampWaitMs(ms: unknown): number | undefined {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return undefined;
  if (ms <= 0) return 0;
  return Math.min(Math.round(ms), MAX_WAIT_MS);
}

/** A positive safe integer (a data center id), or undefined. */
export function positiveInteger(value: unknown): number | undefined {
  const n = integer(value);
  return n !== undefined && n > 0 ? n : undefined;
}

// `123456789:AA...` as it appears in a URL (`/bot<token>/`) or on its own.
const BOT_TOKEN = /\d{3,}:[A-Za-z0-9_-]{20,}/g;

/**
 * Turns a description into something safe to log: a string, without a bot token (node-fetch and
 * request put the full URL, token included, into their messages), at most MAX_DESCRIPTION_LENGTH long.
 */
export function cleanDescription(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  // Cut before the regex so a multi-megabyte message costs nothing; the cut is wider than the
  // final length so a token straddling the cut is beyond the kept part anyway.
  const head = text.length > MAX_DESCRIPTION_LENGTH * 4 ? text.slice(0, MAX_DESCRIPTION_LENGTH * 4) : text;
  const redacted = head.replace(BOT_TOKEN, '<redacted>');
  return redacted.length > MAX_DESCRIPTION_LENGTH
    ? `${redacted.slice(0, MAX_DESCRIPTION_LENGTH - 1)}…`
    : redacted;
}

/** Text for a thrown primitive (`throw 'boom'`, `throw 42`, `throw Symbol()`); objects give undefined. */
export function primitiveText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'symbol':
      try {
        return String(value);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

/** A classification before the original value is attached as `cause`. */
export type Verdict = Omit<Failure, 'cause'>;

/** Classifies a value found inside another (its `cause`, a wrapped error), one level deeper in the walk. */
export type Inner = (next: unknown) => Verdict | undefined;
