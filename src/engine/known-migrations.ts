/**
 * The chat ids a call names, rewritten to where they migrated, before the request is sent: a group
 * that became a supergroup has a new id, and a call with the old one would fail.
 */
import { resolveChatId } from '../core/chat-id-store.js';
import type { CallParams } from '../core/call.js';
import { chatKey, CHAT_ID_KEYS, rewriteChatId } from '../policy/chat-ids.js';
import type { EngineState } from './state.js';

/**
 * Rewrites chat ids the store knows to have migrated, before the request is sent. Synchronous while
 * the store answers synchronously (the in-memory one does): no promise per call for a lookup.
 */
export function applyKnownMigrations(state: EngineState, params: CallParams, from = 0): CallParams | Promise<CallParams> {
  let result = params;
  for (let i = from; i < CHAT_ID_KEYS.length; i++) {
    const key = CHAT_ID_KEYS[i]!;
    const k = chatKey(result[key]);
    if (k === undefined) continue;
    // Follows chained migrations (A -> B -> C): a call with A goes straight to C. Never throws.
    const mapped = resolveChatId(state.chatIdStore, k, state.reportError);
    if (isPromise(mapped)) {
      const current = result;
      return mapped.then((id) =>
        applyKnownMigrations(state, id === undefined ? current : rewriteChatId(current, current[key] as number | string, id), i + 1),
      );
    }
    if (mapped !== undefined) result = rewriteChatId(result, result[key] as number | string, mapped);
  }
  return result;
}

export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
