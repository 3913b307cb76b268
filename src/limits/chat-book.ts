/**
 * The chats the scheduler paces, one state each (chat-state.ts), and where each waits: `waiting`, by
 * when its own limit and gates next allow a message, or `ready`, when they allow one now and it
 * competes only for the bot-wide slots. Chats with nothing queued are freed once their limit no
 * longer matters (idle-chats.ts). A group's next message waits for the answer to its latest: the
 * book knows which send each such group waits for.
 */
import type { Clock } from '../core/clock.js';
import { IndexedHeap } from '../core/heap.js';
import { limitReadyAt, NEVER, recordSend as countSend } from './chat-limit.js';
import { newChatState, readyBefore, waitingBefore, type ChatState } from './chat-state.js';
import { IdleChats } from './idle-chats.js';
import type { PaceTime } from './pace-time.js';
import type { ChatScope } from './scope.js';
import type { ResolvedThrottle } from './throttle-options.js';

export class ChatBook {
  private readonly chats = new Map<string, ChatState>();
  /** Chats waiting for their own limit or gates, by when those next allow a message. */
  readonly waiting = new IndexedHeap<ChatState>(waitingBefore);
  /** Chats their own limit allows now, competing only for the bot-wide slots. */
  readonly ready = new IndexedHeap<ChatState>(readyBefore);
  /** Groups whose next message waits for the answer to their latest, by that send's number. */
  private readonly awaited = new Map<number, ChatState>();
  private readonly idle: IdleChats;
  /** A private chat's spacing as configured, in ms. */
  readonly chatInterval: number;

  /** @param marginMs the margin on every window in force (see arrival-watch.ts). */
  constructor(
    clock: Clock,
    private readonly time: PaceTime,
    private readonly limits: ResolvedThrottle,
    private readonly marginMs: () => number,
  ) {
    this.chatInterval = Math.ceil(1000 / limits.chatPerSecond);
    this.idle = new IdleChats(clock, limits.idleChatTtlMs, () => time.now(), (chat) => this.freeIdle(chat));
  }

  /** Number of chats with pacing state. */
  get size(): number {
    return this.chats.size;
  }

  get(key: string): ChatState | undefined {
    return this.chats.get(key);
  }

  /** The state of `scope`'s chat, made when it has none. */
  stateOf(scope: ChatScope): ChatState {
    let chat = this.chats.get(scope.key);
    if (!chat) {
      chat = newChatState(scope, this.limits.groupPerMinute, this.chatInterval);
      this.chats.set(scope.key, chat);
    }
    return chat;
  }

  all(): IterableIterator<ChatState> {
    return this.chats.values();
  }

  /** When this chat's own limit and gates next allow a message (for `method`). */
  readyAt(chat: ChatState, method: string | undefined): number {
    return Math.max(this.time.gateAt(chat.key), this.time.methodGateAt(method), limitReadyAt(chat, this.marginMs()));
  }

  /** Puts a chat whose head job changed into the right heap. */
  place(chat: ChatState, now: number): void {
    this.waiting.remove(chat);
    this.ready.remove(chat);
    const head = chat.first;
    if (!head) return;
    chat.readyAt = Math.max(this.readyAt(chat, head.method), head.notBefore);
    chat.heldByOwnLimit = chat.readyAt > head.queuedAt;
    if (chat.readyAt <= now) this.ready.push(chat);
    else this.waiting.push(chat);
  }

  /** Chats whose own limit allows them by `now` move to the ready heap. */
  promoteDue(now: number): void {
    for (let top = this.waiting.peek(); top && top.readyAt <= now; top = this.waiting.peek()) {
      this.waiting.pop();
      this.place(top, now);
    }
  }

  /**
   * The gate of `scope` closed: chats it holds may not be ready any more. A chat's gate concerns that
   * chat only (a broadcast to 100,000 chats must not re-sort them all for each 429); a method's gate
   * concerns every chat whose next call is of that method. (The bot's gate holds every slot, not a chat.)
   */
  replan(scope: string, now: number): void {
    if (scope.startsWith('method:')) {
      const method = scope.slice('method:'.length);
      const held: ChatState[] = [];
      for (const chat of this.chats.values()) if (chat.first?.method === method) held.push(chat);
      for (const chat of held) this.place(chat, now);
    } else if (scope !== 'bot') {
      const chat = this.chats.get(scope);
      if (chat && chat.size > 0) this.place(chat, now);
    }
  }

  /** `chat` sent `now` (send number `sendNo`): it counts in its limit, and a group waits for the answer. */
  recordSend(chat: ChatState, now: number, sendNo: number): void {
    if (chat.kind === 'group') {
      if (chat.awaitedSendNo >= 0) this.awaited.delete(chat.awaitedSendNo);
      this.awaited.set(sendNo, chat);
    }
    countSend(chat, now, this.limits.groupPerMinute, sendNo);
    if (chat.size === 0) this.becameIdle(chat);
  }

  /** The group that waited for the answer to send `sendNo`, its wait now over; undefined when none did. */
  release(sendNo: number): ChatState | undefined {
    const chat = this.awaited.get(sendNo);
    if (!chat) return undefined;
    this.awaited.delete(sendNo);
    if (chat.kind !== 'group' || chat.awaitedSendNo !== sendNo) return undefined;
    chat.awaitedSendNo = -1;
    chat.awaitedUntil = NEVER;
    return chat;
  }

  /**
   * A chat has nothing queued (its last job was sent or aborted). A chat that never sent has no
   * pacing to remember: it is freed now. Others are freed once their limit no longer matters.
   */
  becameIdle(chat: ChatState): void {
    if (chat.lastSentAt === NEVER) {
      if (this.chats.get(chat.key) === chat) this.chats.delete(chat.key);
      return;
    }
    this.idle.add(chat);
  }

  /** Frees every chat idle long enough by `now`. */
  sweepIdle(now: number): void {
    this.idle.sweep(now);
  }

  /** Forgets every chat (their queues are emptied already) and stops the idle timer. */
  close(): void {
    this.idle.close();
    this.chats.clear();
  }

  /** `chat`'s idle time is up: its state is freed unless it has queued work again. */
  private freeIdle(chat: ChatState): void {
    if (chat.size > 0 || this.chats.get(chat.key) !== chat) return;
    this.chats.delete(chat.key);
    if (chat.kind === 'group' && chat.awaitedSendNo >= 0) this.awaited.delete(chat.awaitedSendNo);
  }
}
