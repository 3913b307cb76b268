/**
 * What the three HTTP Bot API adapters (grammY, telegraf, node-telegram-bot-api) share: spotting
 * request bodies that cannot be sent twice, and mirroring polyfilled abort signals. (Hiding the bot
 * token in their SDKs' errors is `hideToken`, errors/scrub-token.ts.)
 * Nothing here loads an SDK: every check is duck typing.
 */
import { onAbort } from '../core/abort.js';
import type { Resilience } from '../engine/resilience.js';

// ---------------------------------------------------------------------------------------------
// Request bodies that can be sent only once

const ONE_SHOT_DEPTH = 4;
const ONE_SHOT_MAX_OBJECTS = 200;

/**
 * A plain payload of primitives only (`{ chat_id, text }`), the usual case: nothing in it can be a
 * stream, so the walk (a Set, a closure, Object.keys per level) is skipped. A getter that throws,
 * a Proxy, or any object value: not flat, the full walk decides.
 */
function isFlat(params: object): boolean {
  try {
    if (isOneShotSource(params)) return false;
    for (const key in params) {
      const value = (params as Record<string, unknown>)[key];
      if (typeof value === 'object' && value !== null) return false;
    }
    return true;
  } catch {
    return false;
  }
}

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
  if (typeof params !== 'object' || params === null) return false;
  if (isFlat(params)) return false;
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

/** The `release` of a signal that needed no mirror: nothing to do (compare to skip the call). */
export const nothingToRelease = () => {};
/** What `usableSignal(undefined)` answers: one object, not one per call. */
const NO_SIGNAL: UsableSignal = Object.freeze({ signal: undefined, release: nothingToRelease });

/**
 * grammY and telegraf make their signals with the `abort-controller` polyfill, whose `AbortSignal`
 * lacks `throwIfAborted` and `reason`. Such a signal is mirrored into a native one (aborted with a
 * DOMException `AbortError`, which telegraf's polling loop recognizes as "stopped"); a native
 * signal is used as it is. `release` removes the listener from the caller's long-lived signal
 * (grammY reuses one for all of its getUpdates calls).
 */
export function usableSignal(signal: AbortSignal | undefined): UsableSignal {
  if (signal === undefined || signal === null) return NO_SIGNAL;
  if (typeof signal.throwIfAborted === 'function') return { signal, release: nothingToRelease };
  const controller = new AbortController();
  const reason = () => (signal as { reason?: unknown }).reason;
  if (signal.aborted) {
    controller.abort(reason());
    return { signal: controller.signal, release: nothingToRelease };
  }
  return { signal: controller.signal, release: onAbort(signal, () => controller.abort(reason())) };
}
