/**
 * One chat's own limit, and what Telegram's 429s teach about it. Plain functions over the chat's
 * state (the scheduler keeps one object per chat, which also holds the chat's queue and its place in
 * a heap). Times are scheduler times: milliseconds since the scheduler started, small integers.
 *
 * - A private chat is spaced smoothly: one message every `spacingMs` (1000 / chatPerSecond), counted
 *   from the actual send. No margin: Telegram allows a private chat short bursts, which absorb any
 *   jitter shorter than the spacing.
 * - A group holds at most `perWindow` messages in any window of 60 s plus the margin, so it may send
 *   a burst of that many, each at least a margin after the one before (so they arrive in order).
 * The margin (round-trips.ts) is what keeps a window at Telegram's side, where messages are counted
 * when they arrive, one varying latency after we sent them.
 * - A 429 for a chat we kept within its configured limit proves the chat stricter: `learnChatFlood`
 *   learns its real limit from the wait Telegram announced. A bot-wide 429 lowers the bot's rate
 *   (`learnBotFlood`); a refused send takes no place in the bot-wide window (`forgetRefusedSend`).
 * The limiter decides which scopes a 429 closes (limiter.ts `onFailure`); what is learned is here.
 */
import type { BotRate } from './bot-rate.js';

/** No send yet (a small integer, so the field needs no boxed number). */
export const NEVER = -(2 ** 30);
export const GROUP_WINDOW_MS = 60_000;
/**
 * A group's next message waits for the answer to its previous one, at most this long. A message
 * sent behind one that Telegram refuses is on its way before the 429 comes back, and may be
 * accepted first: the group would read them out of order. Waiting costs a group nothing while
 * round trips are shorter than its window allows (20 messages per 60 s: 3 s each); a send whose
 * answer never comes (the network lost it, the call gave up) holds its group this long.
 */
export const ANSWER_WAIT_MS = 2_000;
/** How much request round trips may add to a wait Telegram announced (for reading a group's 429). */
const ROUND_TRIP_SLACK_MS = 2_000;
/**
 * Sends a group keeps beyond two windows' worth: the latest window tells what Telegram's window held
 * after a 429, the one before it proves what Telegram accepted (`acceptedInOneWindow`).
 */
const WINDOW_EXTRA = 4;
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
  /** Send times of the last messages (two configured windows' worth and a few: see recordSend), oldest first. */
  window: number[];
  /** Their send numbers (`PaceTicket.sendNo`), beside `window`: times can tie, send order cannot. */
  windowSendNos: number[];
  /** Messages per 60 s window in force: the configured number, or fewer once Telegram proved the group stricter. */
  perWindow: number;
  /** The send number of its latest message while its answer is awaited (-1: none). */
  awaitedSendNo: number;
  /** Until when the group's next message waits for that answer (NEVER: it does not). */
  awaitedUntil: number;
}

export type ChatLimit = PrivateLimit | GroupLimit;

/** A send Telegram refused: when it went (moved by late answers and stalls), and its send number (-1: not known). */
export interface RefusedSend {
  sentAt: number;
  sendNo: number;
}

/** When the chat's own limit next allows a message (gates aside); NEVER when it allows one now. */
export function limitReadyAt(chat: ChatLimit, marginMs: number): number {
  if (chat.kind === 'private') return chat.nextAt;
  const { window, perWindow } = chat;
  // Two sends to one chat closer than the margin could arrive the other way round.
  const inOrderAt = Math.max(chat.lastSentAt + marginMs, chat.awaitedUntil);
  return window.length >= perWindow ? Math.max(inOrderAt, window[window.length - perWindow]! + GROUP_WINDOW_MS + marginMs) : inOrderAt;
}

/**
 * A message to the chat goes at `now`. A group keeps the times of its last sends: two windows'
 * worth (`maxWindow` is the configured groupPerMinute) and a few more, to tell what arrived in
 * Telegram's window after a 429, and what it accepted before.
 */
export function recordSend(chat: ChatLimit, now: number, maxWindow: number, sendNo = -1): void {
  chat.prevSentAt = chat.lastSentAt;
  chat.lastSentAt = now;
  if (chat.kind === 'private') chat.nextAt = now + chat.spacingMs;
  else {
    chat.window.push(now);
    chat.windowSendNos.push(sendNo);
    chat.awaitedSendNo = sendNo;
    chat.awaitedUntil = now + ANSWER_WAIT_MS;
    while (chat.window.length > 2 * maxWindow + WINDOW_EXTRA) {
      chat.window.shift();
      chat.windowSendNos.shift();
    }
  }
}

/**
 * The chat's sends made at or after `since` reached Telegram only at `at` (an event-loop stall held
 * them, or an answer came back late): count them at `at`. See `BotRate.restamp` and `BotRate.delay`.
 */
export function restampSends(chat: ChatLimit, since: number, at: number): void {
  if (chat.lastSentAt < since) return;
  chat.lastSentAt = Math.max(chat.lastSentAt, at);
  if (chat.kind === 'private') chat.nextAt = Math.max(chat.nextAt, at + chat.spacingMs);
  else for (let i = chat.window.length - 1; i >= 0 && chat.window[i]! >= since; i--) chat.window[i] = Math.max(chat.window[i]!, at);
}

/**
 * Telegram refused (429) the send made to this chat at `sentAt`: it took no place in Telegram's
 * windows, so it leaves ours (the bot's, and the group's), whichever send it was: sends made after
 * it may have been accepted, and they stay.
 */
export function forgetRefusedSend(chat: ChatLimit | undefined, rate: BotRate, sentAt: number, sendNo = -1): void {
  rate.forget(sentAt, sendNo);
  if (chat?.kind !== 'group') return;
  const i = sendNo >= 0 ? chat.windowSendNos.lastIndexOf(sendNo) : chat.window.lastIndexOf(sentAt);
  if (i < 0) return;
  chat.window.splice(i, 1);
  chat.windowSendNos.splice(i, 1);
}

/**
 * True when the group's own window explains a 429 for the `refused` send that holds the group until
 * `openAt`: one of the sends in its window leaves it then (60 s after it, plus the way there and
 * back, rounded up to a second), and the window held as many as the group has been seen to accept.
 * The refused send has left the window already.
 *
 * The second condition is for a 429 that was the bot's: a group's message that waited for a bot-wide
 * slot goes later than its window allowed, and when the bot's second is full just as a send leaves the
 * group's window, the timing alone would blame the group and learn it lower than it accepted.
 */
export function groupWindowExplains(chat: GroupLimit, openAt: number, refused: RefusedSend, marginMs: number): boolean {
  const refusedAt = refused.sentAt;
  const leavesThen = chat.window.some(
    (at) => at > refusedAt - GROUP_WINDOW_MS - 2 * marginMs && at + GROUP_WINDOW_MS <= openAt && at + GROUP_WINDOW_MS > openAt - 1_000 - ROUND_TRIP_SLACK_MS,
  );
  return leavesThen && heldBefore(chat, refused, marginMs) >= acceptedInOneWindow(chat, refused, marginMs);
}

/**
 * "Sent before the refused one": by send order where both numbers are known (late answers move sends
 * to one instant, often the refused one's), else by time.
 */
function sentBefore(chat: GroupLimit, i: number, refused: RefusedSend): boolean {
  const sendNo = chat.windowSendNos[i]!;
  return refused.sendNo >= 0 && sendNo >= 0 ? sendNo < refused.sendNo : chat.window[i]! < refused.sentAt;
}

/**
 * What Telegram's window held when it refused: the sends before the refused one that may have ARRIVED
 * in the 60 s before it, those sent up to twice the margin earlier too (the margin is an estimate).
 * Counting fewer would learn less than Telegram accepted (a 429 that latency explains would slow the
 * group for good). Sends after the refused one are left out: they are still on their way, most of
 * them to be refused as well.
 */
function heldBefore(chat: GroupLimit, refused: RefusedSend, marginMs: number): number {
  let held = 0;
  for (let i = 0; i < chat.window.length; i++) {
    if (sentBefore(chat, i, refused) && chat.window[i]! > refused.sentAt - GROUP_WINDOW_MS - 2 * marginMs) held++;
  }
  return held;
}

/**
 * The most sends before the refused one that Telegram accepted within one of its windows for sure:
 * sent less than 60 s less twice the margin apart, so they arrived less than 60 s apart. Every send
 * in the window before the refused one was accepted: a refused one leaves the window, and a group's
 * next message waits for the answer to its previous one (a send lost to the network aside). Only
 * spans ending in the two windows before the refused one count: had a group become stricter, a
 * window later the proof is gone and its window is learned.
 */
function acceptedInOneWindow(chat: GroupLimit, refused: RefusedSend, marginMs: number): number {
  const span = GROUP_WINDOW_MS - 2 * marginMs;
  const since = refused.sentAt - 2 * GROUP_WINDOW_MS;
  let most = 0;
  for (let last = 0; last < chat.window.length; last++) {
    if (!sentBefore(chat, last, refused) || chat.window[last]! <= since) continue;
    let count = 0;
    for (let i = 0; i <= last; i++) if (sentBefore(chat, i, refused) && chat.window[i]! > chat.window[last]! - span) count++;
    most = Math.max(most, count);
  }
  return most;
}

/**
 * Telegram refused a send to a chat we paced by its limit, until `openAt`: it is stricter for this
 * chat than configured. Learn its real limit, so the chat earns one 429, not one per message or per
 * window:
 * - private: the time from the send before the refused one to when Telegram lets us send again is
 *   its spacing (`configuredSpacingMs` bounds what is believed);
 * - group: the sends in our window from the one whose leaving the window matches the announced wait
 *   (the refused one taken out) are what Telegram's window holds.
 * Called for every such 429, also while the chat's gate is closed: each one is a refused send.
 * Returns true when the group's window changed (its place among waiting chats may change with it).
 */
export function learnChatFlood(chat: ChatLimit, openAt: number, refused: RefusedSend, configuredSpacingMs: number, marginMs: number): boolean {
  if (chat.lastSentAt === NEVER) return false;
  const refusedAt = refused.sentAt;
  if (chat.kind === 'private') {
    // The send before the refused one is the last Telegram surely accepted.
    const before = refusedAt === chat.lastSentAt ? chat.prevSentAt : NEVER;
    if (before === NEVER) return false;
    const spacing = Math.ceil(openAt - before);
    // A long wait is a flood of another kind (the bot, the account), not this chat's spacing: the
    // gate covers it, and learning it would slow the chat for good.
    if (spacing <= MAX_LEARNED_SPACING_FACTOR * configuredSpacingMs) chat.spacingMs = Math.max(chat.spacingMs, spacing);
    return false;
  }
  // The refused send already left the window (forgetRefusedSend): what is there was sent and not
  // (yet) refused. If the group's window refused it, Telegram lets us send again when the oldest
  // send in that window leaves it. Else (the bot's limit, met while sending to a group) nothing is
  // learned. What Telegram's window held is `heldBefore`.
  if (!groupWindowExplains(chat, openAt, refused, marginMs)) return false;
  const held = heldBefore(chat, refused, marginMs);
  if (held >= chat.perWindow) return false;
  chat.perWindow = held;
  return true;
}

/**
 * Telegram refused the send made at `refusedAt` bot-wide: lower the bot-wide rate to what it
 * accepted in the second before it. See `BotRate`.
 */
export function learnBotFlood(rate: BotRate, refusedAt: number, sendNo = -1): void {
  rate.slowDown(refusedAt, sendNo);
}
