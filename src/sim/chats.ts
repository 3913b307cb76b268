/**
 * Chats and messages as the simulated Telegram knows them: chat id parsing, chat types,
 * per-chat message ids and the texts of the messages the bot sent (for edit/forward/copy/delete).
 */

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

/** Telegram's `-100...` ids (supergroups and channels) are below this. */
const SUPERGROUP_ID_LIMIT = -1_000_000_000_000;

/**
 * A `chat_id` parameter as a number, or `undefined` when absent/unusable. Numeric strings
 * (url-encoded and multipart bodies only carry strings) become numbers; `@username` becomes a
 * stable fake channel id, so a username and its id would still be different chats (as on Telegram
 * for a bot that never resolved it).
 */
export function parseChatId(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value !== 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^-?\d+$/.test(trimmed)) return parseChatId(Number(trimmed));
  if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(trimmed)) return usernameChatId(trimmed.toLowerCase());
  return undefined;
}

/** FNV-1a over the name, folded into the `-100xxxxxxxxxx` channel id range. */
function usernameChatId(username: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < username.length; i++) {
    hash ^= username.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return SUPERGROUP_ID_LIMIT - 1 - (hash % 1_000_000_000);
}

/** Positive: private; `-100...`: supergroup; other negative: basic group. Migration targets are supergroups. */
export function chatType(id: number, supergroups: ReadonlySet<number>): ChatType {
  if (id > 0) return 'private';
  if (supergroups.has(id) || id <= SUPERGROUP_ID_LIMIT) return 'supergroup';
  return 'group';
}

/** A Bot API `Chat` object. */
export function chatObject(id: number, type: ChatType): Record<string, unknown> {
  if (type === 'private') return { id, type, first_name: `User ${id}` };
  return { id, type, title: `Chat ${id}` };
}

export interface StoredMessage {
  text: string | undefined;
  /** False for messages users sent (pushed updates): the bot may not edit those. */
  fromBot: boolean;
  /** `reply_markup` as JSON, for "message is not modified". */
  markup?: string;
}

/** Messages per chat, with Telegram's per-chat incrementing message ids. */
export class MessageStore {
  private readonly lastId = new Map<number, number>();
  private readonly messages = new Map<number, Map<number, StoredMessage>>();

  /** Stores a new message and returns its id (1, 2, 3, ... per chat, shared by the bot's and users' messages). */
  add(chatId: number, text: string | undefined, fromBot = true): number {
    const id = (this.lastId.get(chatId) ?? 0) + 1;
    this.lastId.set(chatId, id);
    let chat = this.messages.get(chatId);
    if (!chat) {
      chat = new Map();
      this.messages.set(chatId, chat);
    }
    chat.set(id, { text, fromBot });
    return id;
  }

  /** Makes ids up to `messageId` taken in `chatId` (a pushed message that brought its own id). */
  reserve(chatId: number, messageId: number, text: string | undefined): void {
    if (messageId > (this.lastId.get(chatId) ?? 0)) this.lastId.set(chatId, messageId);
    let chat = this.messages.get(chatId);
    if (!chat) {
      chat = new Map();
      this.messages.set(chatId, chat);
    }
    chat.set(messageId, { text, fromBot: false });
  }

  get(chatId: number, messageId: number): StoredMessage | undefined {
    return this.messages.get(chatId)?.get(messageId);
  }

  delete(chatId: number, messageId: number): boolean {
    return this.messages.get(chatId)?.delete(messageId) ?? false;
  }

  clear(): void {
    this.lastId.clear();
    this.messages.clear();
  }
}

/** A `message_id` parameter as a positive integer, or `undefined`. */
export function parseMessageId(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
