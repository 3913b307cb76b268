/**
 * One chat's own limit, and what Telegram's 429s teach about it. Plain functions over the chat's
 * state (the scheduler keeps one object per chat, which also holds the chat's queue and its place in
 * a heap). Times are scheduler times: milliseconds since the scheduler started, small integers.
 *
 * - A private chat is spaced smoothly: one message every `spacingMs` (1000 / chatPerSecond).
 * - A group holds at most `perWindow` messages in any 60 s window, so it may send a burst of that many.
 * - A 429 for a chat we kept within its configured limit proves the chat stricter: `learnChatFlood`
 *   learns its real limit from the wait Telegram announced. A bot-wide 429 lowers the bot's rate
 *   (`learnBotFlood`); a refused send takes no place in the bot-wide window (`forgetRefusedSend`).
 * The limiter decides which scopes a 429 closes (limiter.ts `onFailure`); what is learned is here.
 */
import type { BotRate } from './bot-rate.js';

/** No send yet (a small integer, so the field needs no boxed number). */
export const NEVER = -(2 ** 30);
export const GROUP_WINDOW_MS = 60_000;
/** How much request round trips may add to a wait Telegram announced (for reading a group's 429). */
const ROUND_TRIP_SLACK_MS = 2_000;
/** A private chat's learned spacing never exceeds this many times the configured one. */
const MAX_LEARNED_SPACING_FACTOR = 10;

interface SendTimes {
  lastSentAt: number;
  /** The send before `lastSentAt` (NEVER: none): the last one Telegram surely accepted when the latest earns a 429. */
  prevSentAt: number;
}

export interface PrivateLimit extends SendTimes {
  kind: 'private';
  /** The earliest time the next message may go. */
  nextAt: number;
  /** The spacing in force, in ms: the configured one, or longer once Telegram proved the chat stricter. */
  spacingMs: number;
}

export interface GroupLimit extends SendTimes {
  kind: 'group';
  /** Send times of the last messages (at most the configured `groupPerMinute`), oldest first. */
  window: number[];
  /** Messages per 60 s window in force: the configured number, or fewer once Telegram proved the group stricter. */
  perWindow: number;
}

export type ChatLimit = PrivateLimit | GroupLimit;

/** When the chat's own limit next allows a message (gates aside); NEVER when it allows one now. */
export function limitReadyAt(chat: ChatLimit): number {
  if (chat.kind === 'private') return chat.nextAt;
  const { window, perWindow } = chat;
  return window.length >= perWindow ? window[window.length - perWindow]! + GROUP_WINDOW_MS : NEVER;
}

/** A message to the chat goes at `now`. `maxWindow`: the configured groupPerMinute (sends a group keeps). */
export function recordSend(chat: ChatLimit, now: number, maxWindow: number): void {
  chat.prevSentAt = chat.lastSentAt;
  chat.lastSentAt = now;
  if (chat.kind === 'private') chat.nextAt = Math.max(chat.nextAt, now) + chat.spacingMs;
  else {
    chat.window.push(now);
    while (chat.window.length > maxWindow) chat.window.shift();
  }
}

/**
 * Telegram refused (429) the latest paced send to this chat: it took no place in Telegram's
 * bot-wide window, so it leaves ours.
 */
export function forgetRefusedSend(chat: ChatLimit, rate: BotRate): void {
  if (chat.lastSentAt !== NEVER) rate.forget(chat.lastSentAt);
}

/**
 * Telegram refused a send to a chat we paced by its limit, until `openAt`: it is stricter for this
 * chat than configured. Learn its real limit, so the chat earns one 429, not one per message or per
 * window:
 * - private: the time from the send before the refused one to when Telegram lets us send again is
 *   its spacing (`configuredSpacingMs` bounds what is believed);
 * - group: the sends Telegram accepted in the 60 s before the refused one, from the one whose leaving
 *   the window matches the announced wait, are what its window holds.
 * Called for every such 429, also while the chat's gate is closed: each one is a refused send.
 * Returns true when the group's window changed (its place among waiting chats may change with it).
 */
export function learnChatFlood(chat: ChatLimit, openAt: number, configuredSpacingMs: number): boolean {
  if (chat.lastSentAt === NEVER) return false;
  if (chat.kind === 'private') {
    if (chat.prevSentAt === NEVER) return false;
    const spacing = Math.ceil(openAt - chat.prevSentAt);
    // A long wait is a flood of another kind (the bot, the account), not this chat's spacing: the
    // gate covers it, and learning it would slow the chat for good.
    if (spacing <= MAX_LEARNED_SPACING_FACTOR * configuredSpacingMs) chat.spacingMs = Math.max(chat.spacingMs, spacing);
    return false;
  }
  // The newest send is the refused one: sends still on their way when the first 429 came back are
  // refused too, and their 429s come back in the order they were sent, each taking the newest off.
  // The refused send took no place in Telegram's window, so it leaves ours.
  const window = chat.window;
  const refusedAt = window.pop();
  if (refusedAt === undefined) return false;
  // If the group's window refused it, Telegram lets us send again when the oldest send in that
  // window leaves it (60 s after it, plus the way there and back, rounded up to a second). Find that
  // send: it and those after it are what the window holds. No such send: the 429 was not the
  // group's window (the bot's limit, met while sending to a group), and nothing is learned.
  const oldest = window.findIndex(
    (at) => at > refusedAt - GROUP_WINDOW_MS && at + GROUP_WINDOW_MS <= openAt && at + GROUP_WINDOW_MS > openAt - 1_000 - ROUND_TRIP_SLACK_MS,
  );
  if (oldest >= 0) chat.perWindow = Math.min(chat.perWindow, window.length - oldest);
  return true;
}

/**
 * Telegram refused a send bot-wide: lower the bot-wide rate to what it accepted in the second before
 * the refused send (that send's time is its chat's latest; without a chat, `now`). See `BotRate`.
 */
export function learnBotFlood(chat: ChatLimit | undefined, rate: BotRate, now: number): void {
  rate.slowDown(chat && chat.lastSentAt !== NEVER ? chat.lastSentAt : now);
}
