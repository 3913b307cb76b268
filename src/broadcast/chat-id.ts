/** Recipients as the journal keys them: numeric ids as decimal text, usernames lowercased. */
import type { ChatId } from './journal.js';

const USERNAME = /^@[A-Za-z][A-Za-z0-9_]{3,31}$/;

/** A valid recipient (a non-zero safe integer, or `@username` of 5-32 characters), else undefined. */
export function parseChatId(value: unknown): ChatId | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value !== 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^-?\d{1,16}$/.test(text)) return parseChatId(Number(text));
  return USERNAME.test(text) ? text : undefined;
}

/** The journal's key: Telegram usernames are case-insensitive, so `@News` and `@news` are one chat. */
export function chatKey(id: ChatId): string {
  return typeof id === 'number' ? String(id) : id.toLowerCase();
}

/** Back from a key to the id a report shows. */
export function fromChatKey(key: string): ChatId {
  return key.startsWith('@') ? key : Number(key);
}
