/**
 * What the scheduler learns from a 429 on a send it paced (the limiter tells it, Limiter.onFailure):
 * the refused send took no place in Telegram's windows, so it leaves ours; and a limit stricter than
 * configured is learned, a chat's or the bot's (how, in chat-limit.ts and bot-rate.ts).
 */
import type { BotRate } from './bot-rate.js';
import type { ChatBook } from './chat-book.js';
import { forgetRefusedSend, groupWindowExplains, learnBotFlood, learnChatFlood } from './chat-limit.js';
import type { PaceTicket } from './job-queue.js';
import type { PaceTime } from './pace-time.js';

export class FloodLearning {
  /**
   * @param rateOf the bot-wide rate a send counts against (the paid one, or the free one).
   * @param marginMs the margin on every window in force (see arrival-watch.ts).
   */
  constructor(
    private readonly book: ChatBook,
    private readonly time: PaceTime,
    private readonly rateOf: (paid: boolean) => BotRate,
    private readonly marginMs: () => number,
  ) {}

  /** A group's messages per 60 s window in force, for tests. */
  groupWindow(key: string): number | undefined {
    const chat = this.book.get(key);
    return chat?.kind === 'group' ? chat.perWindow : undefined;
  }

  /** The bot-wide rate in force (free messages), for tests. */
  get botRate(): number {
    return this.rateOf(false).rate;
  }

  /** A 429 refused the paced send of `ticket` (to `chatKey`, if any): it leaves our windows. */
  refused(chatKey: string | undefined, paid: boolean, ticket: PaceTicket): void {
    const chat = chatKey === undefined ? undefined : this.book.get(chatKey);
    forgetRefusedSend(chat, this.rateOf(paid), ticket.sentAt, ticket.sendNo);
  }

  /** True when the group `key`'s own window explains a 429 for `ticket`'s send that holds it until `openAt` (clock time). */
  groupWindowExplains(key: string, openAt: number, ticket: PaceTicket): boolean {
    const chat = this.book.get(key);
    return chat?.kind === 'group' && groupWindowExplains(chat, openAt - this.time.epoch, ticket, this.marginMs());
  }

  /** A 429 held this chat until `openAt` (clock time) after `ticket`'s send: learn its real limit. */
  learnChatFlood(key: string, openAt: number, ticket: PaceTicket): void {
    const chat = this.book.get(key);
    if (!chat) return;
    const changed = learnChatFlood(chat, openAt - this.time.epoch, ticket, this.book.chatInterval, this.marginMs());
    // Its limit moved: so may its place among the waiting chats.
    if (changed && chat.size > 0) this.book.place(chat, this.time.now());
  }

  /** A 429 for the whole bot, for `ticket`'s send: lower the bot-wide rate. */
  learnBotFlood(paid: boolean, ticket: PaceTicket): void {
    learnBotFlood(this.rateOf(paid), ticket.sentAt, ticket.sendNo);
  }
}
