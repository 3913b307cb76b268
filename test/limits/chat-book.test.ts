import { expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { ChatBook } from '../../src/limits/chat-book.js';
import { ANSWER_WAIT_MS, NEVER } from '../../src/limits/chat-limit.js';
import { FloodGates } from '../../src/limits/flood-gates.js';
import { enqueue, NOT_HELD, type PaceJob } from '../../src/limits/job-queue.js';
import { PaceTime } from '../../src/limits/pace-time.js';
import { chatScopeOf } from '../../src/limits/scope.js';
import { TELEGRAM_LIMITS } from '../../src/limits/throttle-options.js';

const MARGIN = 50;

function setup() {
  const clock = createManualClock(10_000);
  const gates = new FloodGates(clock);
  const time = new PaceTime(clock, gates);
  const book = new ChatBook(clock, time, TELEGRAM_LIMITS, () => MARGIN);
  return { clock, gates, time, book };
}

let seq = 0;
function job(method = 'sendMessage'): PaceJob {
  return {
    seq: seq++, sentAt: 0, sendNo: -1, notBefore: NOT_HELD, queuedAt: 0, next: undefined, prev: undefined, list: undefined,
    onAbort: undefined, paid: false, method, signal: undefined, proceed() {}, refuse() {},
  };
}

it('puts a chat its own limit allows now in `ready`, else in `waiting` until then', () => {
  const { book } = setup();
  const chat = book.stateOf(chatScopeOf({ chat_id: 7 })!);
  expect(book.stateOf(chatScopeOf({ chat_id: 7 })!)).toBe(chat);
  enqueue(chat, job());
  book.place(chat, 0);
  expect(book.ready.has(chat)).toBe(true);
  // It sends: a private chat's next message is one spacing later.
  book.recordSend(chat, 0, 0);
  book.place(chat, 0);
  expect(book.waiting.has(chat)).toBe(true);
  expect(chat.readyAt).toBe(1_000);
  book.promoteDue(999);
  expect(book.waiting.has(chat)).toBe(true);
  book.promoteDue(1_000);
  expect(book.ready.has(chat)).toBe(true);
});

it("reads a chat's gate and its next method's gate in scheduler time; replan moves only the chats a gate holds", () => {
  const { book, gates, clock } = setup();
  const a = book.stateOf(chatScopeOf({ chat_id: 1 })!);
  const b = book.stateOf(chatScopeOf({ chat_id: 2 })!);
  enqueue(a, job('sendMessage'));
  enqueue(b, job('sendPhoto'));
  book.place(a, 0);
  book.place(b, 0);
  gates.close('chat:1', clock.now() + 3_000);
  book.replan('chat:1', 0);
  expect(a.readyAt).toBe(3_000);
  expect(book.waiting.has(a)).toBe(true);
  expect(book.ready.has(b)).toBe(true);
  gates.close('method:sendPhoto', clock.now() + 5_000);
  book.replan('method:sendPhoto', 0);
  expect(b.readyAt).toBe(5_000);
  expect(book.waiting.has(b)).toBe(true);
});

it("a group waits for the answer to its latest send; release() ends the wait only for that send", () => {
  const { book } = setup();
  const group = book.stateOf(chatScopeOf({ chat_id: -100 })!);
  enqueue(group, job());
  enqueue(group, job());
  book.recordSend(group, 0, 4);
  expect(group.kind === 'group' && group.awaitedUntil).toBe(ANSWER_WAIT_MS);
  book.recordSend(group, 60, 5);
  // The answer to an older send no longer holds anything.
  expect(book.release(4)).toBeUndefined();
  expect(book.release(5)).toBe(group);
  expect(group.kind === 'group' && [group.awaitedSendNo, group.awaitedUntil]).toEqual([-1, NEVER]);
  expect(book.release(5)).toBeUndefined();
});

it('frees a chat that never sent at once when it goes idle, and one that sent only after its idle time', () => {
  const { book } = setup();
  const never = book.stateOf(chatScopeOf({ chat_id: 1 })!);
  book.becameIdle(never);
  expect(book.get('chat:1')).toBeUndefined();
  const sent = book.stateOf(chatScopeOf({ chat_id: 2 })!);
  book.recordSend(sent, 0, 0); // nothing queued: it goes idle
  expect(book.size).toBe(1);
  book.sweepIdle(TELEGRAM_LIMITS.idleChatTtlMs - 1);
  expect(book.size).toBe(1);
  book.sweepIdle(TELEGRAM_LIMITS.idleChatTtlMs);
  expect(book.size).toBe(0);
  book.close();
});
