/**
 * Flood gates by scope: which gates a call waits at, and which a flood answer closes (a chat's, an
 * MTProto method's, or the whole bot's).
 */
import type { Attempt } from '../core/call.js';
import type { Failure } from '../errors/failure.js';
import type { ChatScope } from './scope.js';

/** What the limiter reads of an attempt (not its `signal`: the caller's own is passed, or none). */
export type Sending = Pick<Attempt, 'method' | 'params'>;

/** Two 429s for different chats within this window mean the whole bot is being limited. */
const BOT_WIDE_WINDOW_MS = 1_000;

/** The gates a call waits at: its method's (MTProto), and for paced calls the bot's and its chat's. */
export function gateScopes(method: string | undefined, paced: boolean, chatKey: string | undefined): string[] {
  const scopes: string[] = [];
  if (method) scopes.push(`method:${method}`);
  if (paced) {
    scopes.push('bot');
    if (chatKey) scopes.push(chatKey);
  }
  return scopes;
}

/** Remembers recent chats' 429s, to tell a chat's flood from the bot's. */
export class FloodScopes {
  private readonly recentChatFloods = new Map<string, number>();

  /**
   * Which scopes a flood answer closes. MTProto: SLOWMODE_WAIT is the chat's, FLOOD_WAIT the method's.
   * Bot API 429: the chat's when the call names one; the whole bot's when it names none, or when a
   * second chat is hit within a second (Telegram is limiting the bot, not one chat).
   */
  closedBy(failure: Failure, attempt: Sending, chat: ChatScope | undefined, now: number): string[] {
    const type = failure.type ?? '';
    if (type.startsWith('SLOWMODE_WAIT')) return chat ? [chat.key] : ['bot'];
    if (failure.code !== 429 && /WAIT|DELAY/.test(type) && attempt.method) return [`method:${attempt.method}`];
    if (!chat) return ['bot'];
    for (const [key, at] of this.recentChatFloods) if (at <= now - BOT_WIDE_WINDOW_MS) this.recentChatFloods.delete(key);
    this.recentChatFloods.set(chat.key, now);
    return this.recentChatFloods.size >= 2 ? [chat.key, 'bot'] : [chat.key];
  }
}
