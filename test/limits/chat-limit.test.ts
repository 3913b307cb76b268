import { describe, expect, it } from 'vitest';
import { groupWindowExplains, learnChatFlood, recordSend, type GroupLimit } from '../../src/limits/chat-limit.js';
import { newChatState } from '../../src/limits/chat-state.js';

const GROUP_PER_MINUTE = 20;
const MARGIN = 33;

/** A group that sent at `times` (scheduler time), its sends numbered in that order. */
function groupThatSent(times: number[]): GroupLimit {
  const chat = newChatState({ key: 'chat:-1000', kind: 'group' }, GROUP_PER_MINUTE, 1_000);
  if (chat.kind !== 'group') throw new Error('expected a group');
  times.forEach((at, sendNo) => recordSend(chat, at, GROUP_PER_MINUTE, sendNo));
  return chat;
}

const burst = (from: number, count: number, step: number) => Array.from({ length: count }, (_, i) => from + i * step);

describe("a group's 429", () => {
  it('learns what the group accepted when its window refused the next message', () => {
    // Telegram takes 11 per 60 s here: the 12th is refused until the first leaves the window.
    const chat = groupThatSent(burst(0, 11, 70));
    const refused = { sentAt: 770, sendNo: 11 };
    const openAt = 60_100;
    expect(groupWindowExplains(chat, openAt, refused, MARGIN)).toBe(true);
    expect(learnChatFlood(chat, openAt, refused, 1_000, MARGIN)).toBe(true);
    expect(chat.perWindow).toBe(11);
  });

  it('is not the group\'s when its window held fewer than it was seen to accept in one window', () => {
    // 18 accepted within 1.2 s, then 13 more a minute later; the next is refused by the bot's limit
    // (its second was full) just as the burst's last send leaves the group's window. The timing
    // alone matches the group's window, which holds 14: learning 14 would be 4 below what it took.
    const chat = groupThatSent([...burst(0, 18, 70), ...burst(60_317, 13, 69)]);
    chat.perWindow = 18;
    const refused = { sentAt: 61_211, sendNo: 31 };
    const openAt = 62_219;
    expect(groupWindowExplains(chat, openAt, refused, MARGIN)).toBe(false);
    expect(learnChatFlood(chat, openAt, refused, 1_000, MARGIN)).toBe(false);
    expect(chat.perWindow).toBe(18);
  });

  it('counts as proof the sends of the two windows before only: a group that became stricter is learned a window later', () => {
    // 18 accepted, then the group takes 14: the 15th is refused until the second burst's first leaves.
    const chat = groupThatSent([...burst(0, 18, 70), ...burst(61_000, 14, 70)]);
    chat.perWindow = 18;
    expect(groupWindowExplains(chat, 121_100, { sentAt: 61_980, sendNo: 32 }, MARGIN)).toBe(false);
    // A window later the 18 are more than two windows old: what the window held is learned.
    burst(122_000, 14, 70).forEach((at, i) => recordSend(chat, at, GROUP_PER_MINUTE, 32 + i));
    const refused = { sentAt: 122_980, sendNo: 46 };
    expect(learnChatFlood(chat, 182_100, refused, 1_000, MARGIN)).toBe(true);
    expect(chat.perWindow).toBe(14);
  });

  it('keeps two windows of sends and a few', () => {
    const chat = groupThatSent(burst(0, 100, 70));
    expect(chat.window.length).toBe(2 * GROUP_PER_MINUTE + 4);
    expect(chat.window[0]).toBe(56 * 70);
  });
});
