/**
 * The chat a call is bound to, as a limiter key. Positive ids are private chats (1 message/s),
 * negative ids are groups, supergroups and channels (20 messages/min), and `@username` strings are
 * keyed by the string itself: a channel's username is its own scope, not one shared "NaN" queue.
 * MTProto requests name the chat in `peer` (`{ userId }`, `{ chatId }`, `{ channelId }`).
 */
import type { CallParams } from '../core/call.js';

export type ChatKind = 'private' | 'group';

export interface ChatScope {
  /** `chat:<id>` or `chat:@name`: stable across processes (used as a Redis key part). */
  key: string;
  kind: ChatKind;
}

function fromBotApiChatId(value: unknown): ChatScope | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value !== 0) {
    return { key: `chat:${value}`, kind: value > 0 ? 'private' : 'group' };
  }
  if (typeof value === 'bigint') return fromBotApiChatId(String(value));
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^-?\d{1,20}$/.test(text) && text !== '0') return { key: `chat:${text}`, kind: text.startsWith('-') ? 'group' : 'private' };
    if (text.startsWith('@') && text.length > 1) return { key: `chat:${text.toLowerCase()}`, kind: 'group' };
  }
  return undefined;
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  // big-integer style objects (GramJS) print as their decimal value
  if (value !== null && typeof value === 'object' && typeof (value as { toString?: unknown }).toString === 'function') {
    const text = String(value);
    return /^-?\d+$/.test(text) ? text : undefined;
  }
  return undefined;
}

function fromPeer(peer: unknown): ChatScope | undefined {
  if (peer === null || typeof peer !== 'object') return undefined;
  const p = peer as Record<string, unknown>;
  const user = idOf(p.userId ?? p.user_id);
  if (user) return { key: `chat:${user}`, kind: 'private' };
  const chat = idOf(p.chatId ?? p.chat_id);
  if (chat) return { key: `chat:-${chat}`, kind: 'group' };
  const channel = idOf(p.channelId ?? p.channel_id);
  if (channel) return { key: `chat:-100${channel}`, kind: 'group' };
  return undefined;
}

/** The chat scope of a call, or undefined when it names no chat. Never throws. */
export function chatScopeOf(params: CallParams | undefined): ChatScope | undefined {
  if (!params || typeof params !== 'object') return undefined;
  try {
    return fromBotApiChatId(params.chat_id) ?? fromPeer(params.peer) ?? fromPeer(params.toPeer ?? params.to_peer);
  } catch {
    return undefined;
  }
}
