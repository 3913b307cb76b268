/**
 * The pacing scheduler. One bot-wide rate (smooth spacing, so no 1 s window ever sees more than
 * the limit) is shared by all chats; each chat has its own limit (private: smooth 1/s; group: at most
 * N in any 60 s window, which allows a burst of N). Chats wait in two heaps:
 *  - `waiting`, by the time their own limit (and their flood gates) next allow a message;
 *  - `ready`, chats their limit allows now, competing only for the bot-wide slots. The chat with the
 *    most queued work goes first (its own limit makes it the long pole of a broadcast), then FIFO.
 * So a message its chat's limit allows never waits behind messages only the bot-wide limit holds, and
 * a busy chat gets each next slot as soon as its limit allows. A call that needs no waiting is let
 * through synchronously: no timer, no promise.
 */
import { abortReason } from '../engine/abort.js';
import type { Clock } from '../engine/clock.js';
import type { FloodGates } from './flood-gates.js';
import { BotRate } from './bot-rate.js';
import { IndexedHeap, type HeapItem } from './heap.js';
import type { ChatKind, ChatScope } from './scope.js';
import type { ResolvedThrottle } from './throttle-options.js';

const GROUP_WINDOW_MS = 60_000;
/** A private chat's learned spacing never exceeds this many times the configured one. */
const MAX_LEARNED_SPACING_FACTOR = 10;

interface Job {
  seq: number;
  /** When the job was queued. */
  queuedAt: number;
  /** The next job of the same chat (a chat's queue is a linked list: no array per chat). */
  next: Job | undefined;
  chat: ChatState | undefined;
  paid: boolean;
  method: string | undefined;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface ChatState extends HeapItem {
  key: string;
  kind: ChatKind;
  /** Jobs waiting, oldest first: `first` -> `next` -> ... -> `last`; `size` of them. */
  first: Job | undefined;
  last: Job | undefined;
  size: number;
  /** Private chats: the earliest time the next message may go. */
  nextAt: number;
  /** Private chats: the spacing in force; wider than the configured one once Telegram proved it stricter. */
  interval: number;
  /** Groups: send times of the last N messages, oldest first (private chats: undefined). */
  window: number[] | undefined;
  /** When this chat next becomes ready (valid while it sits in `waiting`). */
  readyAt: number;
  /** Its head job was held by the chat's own limit or gate (not only by the bot-wide one). */
  heldByOwnLimit: boolean;
  lastSentAt: number;
  /** The send before `lastSentAt` (-Infinity: none): the last one Telegram surely accepted when the latest earns a 429. */
  prevSentAt: number;
}

export interface PaceRequest {
  chat: ChatScope | undefined;
  paid: boolean;
  method: string | undefined;
  signal: AbortSignal | undefined;
}

export class PacingScheduler {
  private readonly chats = new Map<string, ChatState>();
  private readonly waiting = new IndexedHeap<ChatState>((a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && headSeq(a) < headSeq(b)));
  private readonly ready = new IndexedHeap<ChatState>(readyBefore);
  /** Jobs bound to no chat: they only wait for the bot-wide slot, FIFO. */
  private readonly unbound: Job[] = [];
  /**
   * Chats that went idle, in the order they did (so by `lastSentAt`, which is when they may be freed
   * from); `idleHead` is the next to look at (no O(n) shift).
   */
  private idle: ChatState[] = [];
  private idleHead = 0;
  private readonly free: BotRate;
  private readonly paid: BotRate;
  private seq = 0;
  private wake: { at: number; controller: AbortController } | undefined;
  /** Frees idle chats' state on time even if no call comes; unref'd, so it never keeps a process alive. */
  private sweeper: AbortController | undefined;
  private closed = false;
  private readonly chatInterval: number;

  constructor(
    private readonly clock: Clock,
    private readonly limits: ResolvedThrottle,
    private readonly gates: FloodGates,
  ) {
    this.free = new BotRate(limits.globalPerSecond);
    this.paid = new BotRate(limits.paidBroadcastPerSecond);
    this.chatInterval = Math.ceil(1000 / limits.chatPerSecond);
    gates.onClose((scope, openAt) => {
      this.learn(scope, openAt);
      this.replan();
    });
  }

  /** Number of chats with pacing state (for tests and the memory benchmark). */
  get trackedChats(): number {
    return this.chats.size;
  }

  get queued(): number {
    let n = this.unbound.length;
    for (const chat of this.chats.values()) n += chat.size;
    return n;
  }

  /**
   * Waits for a slot. Returns `undefined` when the call may go at once (the slot is already taken),
   * else a promise that resolves when it may go, or rejects on abort or close.
   */
  acquire(request: PaceRequest): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new Error('telegram-resilience: the limiter was closed'));
    const now = this.clock.now();
    this.sweepIdle(now);
    const chat = request.chat ? this.chatState(request.chat) : undefined;
    const nobodyAhead = chat ? chat.size === 0 : this.unbound.length === 0;
    if (nobodyAhead && this.ready.size === 0 && this.unbound.length === 0) {
      const at = Math.max(this.globalReadyAt(request.paid), chat ? this.chatReadyAt(chat, request.method) : 0, this.gates.openAt('bot'));
      if (at <= now) {
        this.take(chat, request.paid, now);
        return undefined;
      }
    }
    return new Promise<void>((resolve, reject) => {
      const job: Job = {
        seq: this.seq++,
        queuedAt: now,
        next: undefined,
        chat,
        paid: request.paid,
        method: request.method,
        resolve,
        reject,
        signal: request.signal,
        onAbort: undefined,
      };
      if (request.signal) {
        if (request.signal.aborted) return reject(abortReason(request.signal));
        job.onAbort = () => this.cancel(job, abortReason(request.signal!));
        request.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      if (chat) {
        if (chat.last) chat.last.next = job;
        else chat.first = job;
        chat.last = job;
        chat.size++;
        if (chat.size === 1) this.placeChat(chat, now);
        else if (this.ready.has(chat)) this.ready.update(chat);

      } else {
        this.unbound.push(job);
      }
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    this.wake?.controller.abort();
    this.wake = undefined;
    this.sweeper?.abort();
    this.sweeper = undefined;
    const error = new Error('telegram-resilience: the limiter was closed');
    for (const job of this.unbound.splice(0)) this.settle(job, error);
    for (const chat of this.chats.values()) {
      for (let job = chat.first; job; job = job.next) this.settle(job, error);
      chat.first = chat.last = undefined;
      chat.size = 0;
    }
    this.chats.clear();
  }

  private chatState(scope: ChatScope): ChatState {
    let chat = this.chats.get(scope.key);
    if (!chat) {
      chat = {
        key: scope.key,
        kind: scope.kind,
        first: undefined,
        last: undefined,
        size: 0,
        nextAt: 0,
        interval: this.chatInterval,
        window: scope.kind === 'group' ? [] : undefined,
        readyAt: 0,
        heldByOwnLimit: false,
        lastSentAt: Number.NEGATIVE_INFINITY,
        prevSentAt: Number.NEGATIVE_INFINITY,
        heapIndex: -1,
      };
      this.chats.set(scope.key, chat);
    }
    return chat;
  }

  private globalReadyAt(paid: boolean): number {
    return (paid ? this.paid : this.free).readyAt();
  }

  /** When this chat's own limit and gates next allow a message (for `method`). */
  private chatReadyAt(chat: ChatState, method: string | undefined): number {
    let at = Math.max(this.gates.openAt(chat.key), method ? this.gates.openAt(`method:${method}`) : 0);
    if (chat.kind === 'private') at = Math.max(at, chat.nextAt);
    else if (chat.window!.length >= this.limits.groupPerMinute) at = Math.max(at, chat.window![0]! + GROUP_WINDOW_MS);
    return at;
  }

  private take(chat: ChatState | undefined, paid: boolean, now: number): void {
    (paid ? this.paid : this.free).take(now);
    if (!chat) return;
    chat.prevSentAt = chat.lastSentAt;
    chat.lastSentAt = now;
    if (chat.kind === 'private') chat.nextAt = Math.max(chat.nextAt, now) + chat.interval;
    else {
      chat.window!.push(now);
      while (chat.window!.length > this.limits.groupPerMinute) chat.window!.shift();
    }
    if (chat.size === 0) {
      this.idle.push(chat);
      this.scheduleSweep();
    }
  }

  /** Puts a chat whose head job changed into the right heap. */
  private placeChat(chat: ChatState, now: number): void {
    this.waiting.remove(chat);
    this.ready.remove(chat);
    const head = chat.first;
    if (!head) return;
    chat.readyAt = this.chatReadyAt(chat, head.method);
    chat.heldByOwnLimit = chat.readyAt > head.queuedAt;
    if (chat.readyAt <= now) this.ready.push(chat);
    else this.waiting.push(chat);
  }

  /**
   * Telegram said "wait" for a private chat we paced by our limit: it is stricter for this chat than we
   * thought. The time from the message before the refused one to when it lets us send again is its
   * real spacing; use it
   * from now on, so the chat earns one 429, not one per message. (Groups are held by a window, where
   * one wait says nothing about the spacing, so they only get the gate.)
   */
  private learn(scope: string, openAt: number): void {
    const chat = this.chats.get(scope);
    if (!chat || chat.kind !== 'private' || chat.prevSentAt === Number.NEGATIVE_INFINITY) return;
    const spacing = Math.ceil(openAt - chat.prevSentAt);
    // A long wait is a flood of another kind (the bot, the account), not this chat's spacing: the gate
    // covers it, and learning it would slow the chat for good.
    if (spacing <= MAX_LEARNED_SPACING_FACTOR * this.chatInterval) chat.interval = Math.max(chat.interval, spacing);
  }

  /** A gate closed: chats that were ready may not be anymore. */
  private replan(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const all: ChatState[] = [];
    for (const chat of this.chats.values()) if (chat.size > 0) all.push(chat);
    for (const chat of all) this.placeChat(chat, now);
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    const now = this.clock.now();
    // Chats whose own limit now allows them move to the ready heap.
    for (let top = this.waiting.peek(); top && top.readyAt <= now; top = this.waiting.peek()) {
      this.waiting.pop();
      this.placeChat(top, now);
    }
    const botOpenAt = this.gates.openAt('bot');
    for (;;) {
      const chat = this.ready.peek();
      const job = chat ? chat.first! : this.unbound[0];
      if (!job) break;
      // Unbound jobs queue FIFO with ready chats: whichever was asked for first.
      const useUnbound = this.unbound.length > 0 && (!chat || this.unbound[0]!.seq < job.seq);
      const next = useUnbound ? this.unbound[0]! : job;
      const at = Math.max(this.globalReadyAt(next.paid), botOpenAt);
      if (at > now) return this.sleepUntil(at);
      if (useUnbound) this.unbound.shift();
      else shiftJob(chat!);
      // Take the slot first: where the chat goes next depends on the slot it just used.
      this.take(next.chat, next.paid, now);
      if (!useUnbound) this.placeChat(chat!, now);
      this.settle(next);
    }
    const nextChat = this.waiting.peek();
    if (nextChat) this.sleepUntil(nextChat.readyAt);
  }

  private sleepUntil(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.controller.abort();
    const controller = new AbortController();
    this.wake = { at, controller };
    this.clock.sleep(at - this.clock.now(), controller.signal).then(
      () => {
        if (this.wake?.controller === controller) this.wake = undefined;
        this.pump();
      },
      () => {},
    );
  }

  private cancel(job: Job, reason: unknown): void {
    const chat = job.chat;
    if (chat) {
      if (!unlinkJob(chat, job.seq)) return;
      if (chat.first === undefined || chat.first.seq > job.seq) this.placeChat(chat, this.clock.now());
      else if (this.ready.has(chat)) this.ready.update(chat);
    } else {
      const i = this.unbound.indexOf(job);
      if (i < 0) return;
      this.unbound.splice(i, 1);
    }
    this.settle(job, reason);
    this.pump();
  }

  private settle(job: Job, error?: unknown): void {
    if (job.onAbort) job.signal!.removeEventListener('abort', job.onAbort);
    if (arguments.length > 1) job.reject(error);
    else job.resolve();
  }

  private scheduleSweep(): void {
    if (this.sweeper || this.closed || this.idleHead >= this.idle.length) return;
    const controller = (this.sweeper = new AbortController());
    const due = this.idle[this.idleHead]!.lastSentAt + this.limits.idleChatTtlMs;
    this.clock.sleep(Math.max(0, due - this.clock.now()), controller.signal, { unref: true }).then(
      () => {
        this.sweeper = undefined;
        this.sweepIdle(this.clock.now());
        this.scheduleSweep();
      },
      () => {},
    );
  }

  /** Frees pacing state of chats that have been idle long enough that their limit no longer matters. */
  private sweepIdle(now: number): void {
    const ttl = this.limits.idleChatTtlMs;
    while (this.idleHead < this.idle.length && this.idle[this.idleHead]!.lastSentAt + ttl <= now) {
      const chat = this.idle[this.idleHead++]!;
      if (chat.size === 0 && this.chats.get(chat.key) === chat) {
        this.chats.delete(chat.key);
      }
    }
    if (this.idleHead > 1024 && this.idleHead * 2 > this.idle.length) {
      this.idle = this.idle.slice(this.idleHead);
      this.idleHead = 0;
    }
  }
}

/**
 * Among chats their own limit allows now: the one with the most queued work first (it is the long
 * pole), then a message its own limit was holding (it must not queue again behind messages that
 * only the bot-wide limit held), then first come, first served.
 */
function readyBefore(a: ChatState, b: ChatState): boolean {
  if (a.size !== b.size) return a.size > b.size;
  if (a.heldByOwnLimit !== b.heldByOwnLimit) return a.heldByOwnLimit;
  return headSeq(a) < headSeq(b);
}

function headSeq(chat: ChatState): number {
  return chat.first?.seq ?? Number.MAX_SAFE_INTEGER;
}

/** Takes the first job off a chat's queue. */
function shiftJob(chat: ChatState): void {
  const job = chat.first!;
  chat.first = job.next;
  if (!chat.first) chat.last = undefined;
  job.next = undefined;
  chat.size--;
}

/** Removes the job numbered `seq` from a chat's queue; false when it is not there. */
function unlinkJob(chat: ChatState, seq: number): boolean {
  let previous: Job | undefined;
  for (let job = chat.first; job; previous = job, job = job.next) {
    if (job.seq !== seq) continue;
    if (previous) previous.next = job.next;
    else chat.first = job.next;
    if (chat.last === job) chat.last = previous;
    job.next = undefined;
    chat.size--;
    return true;
  }
  return false;
}
