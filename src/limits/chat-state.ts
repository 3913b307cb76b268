/**
 * What the scheduler keeps about one chat, in one object (its heaps hold it, its jobs point to it):
 * its queue, its place in a heap, and its own limit (chat-limit.ts), private or group. With the
 * orders of the scheduler's two heaps.
 */
import type { HeapItem } from '../core/heap.js';
import { NEVER, type ChatLimit } from './chat-limit.js';
import type { JobList } from './job-queue.js';
import type { ChatScope } from './scope.js';

/** A chat's queue and its place in the scheduler's heaps. */
interface ChatQueue extends HeapItem, JobList {
  key: string;
  /** When this chat next becomes ready (valid while it sits in `waiting`). */
  readyAt: number;
  /** Its head job was held by the chat's own limit or gate (not only by the bot-wide one). */
  heldByOwnLimit: boolean;
}

export type ChatState = ChatQueue & ChatLimit;

/**
 * A new chat's state: a group may send `groupPerMinute` in any window, a private chat one every
 * `chatIntervalMs`. One whole literal per kind (no spread of a common part): each kind keeps one
 * compact shape.
 */
export function newChatState({ key, kind }: ChatScope, groupPerMinute: number, chatIntervalMs: number): ChatState {
  if (kind === 'group') {
    return {
      key, kind: 'group', first: undefined, last: undefined, size: 0,
      window: [], windowSendNos: [], perWindow: groupPerMinute, awaitedSendNo: -1, awaitedUntil: NEVER,
      readyAt: 0, heldByOwnLimit: false, lastSentAt: NEVER, prevSentAt: NEVER, heapIndex: -1,
    };
  }
  return {
    key, kind: 'private', first: undefined, last: undefined, size: 0,
    nextAt: 0, spacingMs: chatIntervalMs,
    readyAt: 0, heldByOwnLimit: false, lastSentAt: NEVER, prevSentAt: NEVER, heapIndex: -1,
  };
}

/** Chats waiting for their own limit: the one it allows soonest first, then first come, first served. */
export function waitingBefore(a: ChatState, b: ChatState): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && headSeq(a) < headSeq(b));
}

/**
 * Among chats their own limit allows now: the one with the most queued work first (it is the long
 * pole), then a message its own limit was holding (it must not queue again behind messages that
 * only the bot-wide limit held), then first come, first served.
 */
export function readyBefore(a: ChatState, b: ChatState): boolean {
  if (a.size !== b.size) return a.size > b.size;
  if (a.heldByOwnLimit !== b.heldByOwnLimit) return a.heldByOwnLimit;
  return headSeq(a) < headSeq(b);
}

function headSeq(chat: ChatState): number {
  return chat.first?.seq ?? Number.MAX_SAFE_INTEGER;
}
