/**
 * Finding and rewriting chat ids in call parameters, for chat migrations. Bot API methods name the
 * target chat `chat_id`, and some name a second chat (`from_chat_id` in forwardMessage/copyMessage,
 * `sender_chat_id` in banChatSenderChat): a migrated group can sit in any of them.
 */
import type { CallParams } from '../core/call.js';

/** Parameter keys that hold a chat id. */
export const CHAT_ID_KEYS: readonly string[] = ['chat_id', 'from_chat_id', 'sender_chat_id'];

/** A chat id as the store keys it: numbers and numeric strings agree (`-123` and `"-123"`). */
export function chatKey(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return value;
  return undefined;
}

/**
 * Basic groups have negative ids that do not start with -100 (supergroups and channels do).
 * Only a basic group can be upgraded, so only such an id can be the one that migrated.
 */
function looksLikeBasicGroup(key: string): boolean {
  return key.startsWith('-') && !key.startsWith('-100');
}

/**
 * Which chat id of `params` the migration error is about: `chat_id` when it can be the migrated
 * group, else the first other chat-id parameter that can be. Falls back to `chat_id`.
 */
export function migratedChatIdIn(params: CallParams | undefined): { key: string; value: number | string } | undefined {
  if (!params) return undefined;
  let fallback: { key: string; value: number | string } | undefined;
  for (const key of CHAT_ID_KEYS) {
    const value = params[key];
    const k = chatKey(value);
    if (k === undefined) continue;
    const found = { key, value: value as number | string };
    if (looksLikeBasicGroup(k)) return found;
    if (key === 'chat_id') fallback = found;
  }
  return fallback;
}

/** A shallow copy of `params` with every chat-id parameter equal to `from` replaced by `to`. */
export function rewriteChatId(params: CallParams, from: number | string, to: number): CallParams {
  const fromKey = chatKey(from);
  const copy: CallParams = { ...params };
  for (const key of CHAT_ID_KEYS) {
    if (fromKey !== undefined && chatKey(copy[key]) === fromKey) copy[key] = to;
  }
  return copy;
}

/** Does `params` carry any chat-id parameter at all? Cheap check for the fast path. */
export function hasChatId(params: CallParams | undefined): boolean {
  if (!params) return false;
  for (const key of CHAT_ID_KEYS) if (params[key] !== undefined) return true;
  return false;
}
