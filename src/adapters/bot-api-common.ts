/**
 * What the three HTTP Bot API adapters (grammY, telegraf, node-telegram-bot-api) share: hiding the
 * bot token in the errors their SDKs throw, and spotting request bodies that cannot be sent twice.
 * Nothing here loads an SDK: every check is duck typing.
 */
import type { Resilience } from '../engine/resilience.js';

// ---------------------------------------------------------------------------------------------
// The bot token in SDK errors

/**
 * A bot token as it shows up in a request URL (`/bot123456:AA.../sendMessage`) or on its own:
 * the bot id, a colon (possibly URL-encoded), and the secret.
 */
const TOKEN_SHAPE = /(\d{3,})(?::|%3A)([A-Za-z0-9_-]{20,})/gi;

const PLACEHOLDER = '<token>';
/** Bounds for the walk over an error graph, so an odd object cannot stall the error path. */
const MAX_DEPTH = 6;
const MAX_OBJECTS = 60;

/** The spellings of `token` worth hiding: as is, URL-encoded, and its secret half alone. Longest first. */
function spellingsOf(token: string): string[] {
  const spellings = new Set<string>([token, encodeURIComponent(token)]);
  const colon = token.indexOf(':');
  const secret = colon >= 0 ? token.slice(colon + 1) : '';
  if (secret.length >= 8) spellings.add(secret);
  return [...spellings].filter((s) => s.length > 0);
}

/**
 * Only errors are walked (and arrays, for AggregateError's `errors`, whose errors are): SDK errors
 * also hold the caller's payload (telegraf's `error.on.payload`), which must never be rewritten, and
 * live objects (ntba 0.x keeps the whole `http.IncomingMessage`, with its socket).
 */
function walkable(value: unknown): value is object {
  return value instanceof Error || Array.isArray(value);
}

/** Calls `visit` on every own string property (message, stack, ...) of the error graph, with a setter. */
function eachString(root: unknown, visit: (text: string, replace: (next: string) => void) => void): void {
  const seen = new Set<object>();
  const walk = (value: unknown, depth: number): void => {
    if (!walkable(value) || seen.has(value) || seen.size >= MAX_OBJECTS) return;
    seen.add(value);
    if (Array.isArray(value)) {
      // Only the errors in it: an array of strings here would be somebody's data.
      if (depth < MAX_DEPTH) for (const item of value.slice(0, MAX_OBJECTS)) if (item instanceof Error) walk(item, depth + 1);
      return;
    }
    for (const key of Object.getOwnPropertyNames(value)) {
      let current: unknown;
      try {
        current = (value as Record<string, unknown>)[key];
      } catch {
        continue; // a getter that throws
      }
      if (typeof current === 'string') {
        visit(current, (next) => {
          try {
            (value as Record<string, unknown>)[key] = next;
          } catch {
            // Frozen or read-only: leave it; throwing here would hide the real error.
          }
        });
      } else if (depth < MAX_DEPTH) {
        walk(current, depth + 1);
      }
    }
  };
  walk(root, 0);
}

/**
 * Replaces the bot token in the messages and stacks of `error` and of the errors it wraps (`cause`,
 * grammY's `error`), in place, and returns `error` itself (its class and identity are kept, so the
 * user still gets the SDK's own error). node-fetch, used by grammY and telegraf, puts the full request
 * URL, token included, into its messages.
 *
 * `token` is hidden when given; any other token-shaped text is hidden too, which is what the grammY
 * adapter relies on (a grammY transformer never sees the token).
 */
export function hideToken<E>(error: E, token?: string): E {
  if (typeof error !== 'object' || error === null) return error;
  try {
    const secrets = new Set<string>(token ? spellingsOf(token) : []);
    eachString(error, (text) => {
      for (const match of text.matchAll(TOKEN_SHAPE)) {
        for (const spelling of spellingsOf(`${match[1]}:${match[2]}`)) secrets.add(spelling);
        secrets.add(match[0]);
      }
    });
    if (secrets.size === 0) return error;
    const ordered = [...secrets].sort((a, b) => b.length - a.length);
    eachString(error, (text, replace) => {
      let clean = text;
      for (const secret of ordered) clean = clean.split(secret).join(PLACEHOLDER);
      if (clean !== text) replace(clean);
    });
  } catch {
    // Hiding the token must never replace the real error with one of ours.
  }
  return error;
}

// ---------------------------------------------------------------------------------------------
// Request bodies that can be sent only once

const ONE_SHOT_DEPTH = 4;
const ONE_SHOT_MAX_OBJECTS = 200;

/** A Node stream, a web `ReadableStream` or an async iterator: reading it once uses it up. */
function isOneShotSource(value: object): boolean {
  const v = value as Record<string | symbol, unknown>;
  return (
    typeof v.pipe === 'function' ||
    typeof v.getReader === 'function' ||
    typeof v[Symbol.asyncIterator] === 'function'
  );
}

/**
 * True when `params` holds a stream anywhere an SDK reads upload data from (a bare value, grammY's
 * `InputFile.fileData`, telegraf's `{ source }`, ntba's `formData`, ntba 2.x's `InputFile.data`, media
 * arrays). Such a call gets exactly one attempt: a retry would send an empty or broken file (or make
 * the SDK throw "Cannot reuse InputFile data source!"). Paths, buffers, URLs and file ids are re-read
 * on each attempt and are not one-shot.
 */
export function hasOneShotBody(params: unknown): boolean {
  const seen = new Set<object>();
  const walk = (value: unknown, depth: number): boolean => {
    if (typeof value !== 'object' || value === null || seen.has(value) || seen.size >= ONE_SHOT_MAX_OBJECTS) return false;
    seen.add(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
    if (isOneShotSource(value)) return true;
    if (depth >= ONE_SHOT_DEPTH) return false;
    for (const key of Object.keys(value)) {
      let child: unknown;
      try {
        child = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      if (walk(child, depth + 1)) return true;
    }
    return false;
  };
  try {
    return walk(params, 0);
  } catch {
    return false;
  }
}

const singleAttemptEngines = new WeakMap<Resilience, Resilience>();

/**
 * The engine to run a call through: `resilience` itself, or (for a one-shot body) a derived engine
 * that makes exactly one attempt. The derived one still shares the throttle, flood gates and the
 * chat-id store, so known migrations are applied and a 429 still pauses the other calls.
 */
export function engineFor(resilience: Resilience, params: unknown): Resilience {
  if (!hasOneShotBody(params)) return resilience;
  let once = singleAttemptEngines.get(resilience);
  if (!once) {
    once = resilience.with({
      rules: [
        {
          name: 'upload from a stream: one attempt only',
          match: () => true,
          maxAttempts: 1,
          maxFloodWaits: 0,
          maxChatMigrations: 0,
          maxDcHops: 0,
        },
      ],
    });
    singleAttemptEngines.set(resilience, once);
  }
  return once;
}

/** A signal the engine can use, and a function to call once the call has settled. */
export interface UsableSignal {
  signal: AbortSignal | undefined;
  release: () => void;
}

const nothingToRelease = () => {};

/**
 * grammY and telegraf make their signals with the `abort-controller` polyfill, whose `AbortSignal`
 * lacks `throwIfAborted` and `reason`. Such a signal is mirrored into a native one (aborted with a
 * DOMException `AbortError`, which telegraf's polling loop recognizes as "stopped"); a native
 * signal is used as it is. `release` removes the listener from the caller's long-lived signal
 * (grammY reuses one for all of its getUpdates calls).
 */
export function usableSignal(signal: AbortSignal | undefined): UsableSignal {
  if (signal === undefined || signal === null || typeof signal.throwIfAborted === 'function') {
    return { signal: signal ?? undefined, release: nothingToRelease };
  }
  const controller = new AbortController();
  const reason = () => (signal as { reason?: unknown }).reason;
  if (signal.aborted) {
    controller.abort(reason());
    return { signal: controller.signal, release: nothingToRelease };
  }
  const onAbort = () => controller.abort(reason());
  signal.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, release: () => signal.removeEventListener('abort', onAbort) };
}

/** Reads `obj[key]` without ever throwing (getters, Proxies). */
export function readField(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' && typeof obj !== 'function') return undefined;
  if (obj === null) return undefined;
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
