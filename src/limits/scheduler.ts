/**
 * The pacing scheduler. One bot-wide rate (smooth spacing, so no 1 s window ever sees more than
 * the limit) is shared by all chats; each chat has its own limit (private: smooth 1/s; group: at most
 * N in any 60 s window, which allows a burst of N; see chat-limit.ts). Chats wait in two heaps:
 *  - `waiting`, by the time their own limit (and their flood gates) next allow a message;
 *  - `ready`, chats their limit allows now, competing only for the bot-wide slots. The chat with the
 *    most queued work goes first (its own limit makes it the long pole of a broadcast), then FIFO.
 * So a message its chat's limit allows never waits behind messages only the bot-wide limit holds, and
 * a busy chat gets each next slot as soon as its limit allows. A call that needs no waiting is let
 * through synchronously: no timer, no promise.
 *
 * Memory: a broadcast may queue 100,000 calls at once, so a queued call is one object. The engine's
 * queued call implements `PaceJob` (no promise, closure or wrapper per job here), and times are kept
 * relative to the scheduler's start so they stay small integers (V8 boxes every other number held
 * in an object field: 16 bytes per time per chat).
 */
import { abortReason, onAbort } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { IndexedHeap, type HeapItem } from '../core/heap.js';
import { ClosedError } from '../errors/closed-error.js';
import { BotRate } from './bot-rate.js';
import {
  forgetRefusedSend,
  groupWindowExplains,
  learnBotFlood,
  learnChatFlood,
  limitReadyAt,
  NEVER,
  recordSend,
  restampSends,
  type ChatLimit,
} from './chat-limit.js';
import type { FloodGates } from './flood-gates.js';
import type { ChatScope } from './scope.js';
import { dequeue, enqueue, unlink, type JobList, type PaceJob, type PaceTicket } from './job-queue.js';
import { RoundTrips } from './round-trips.js';
import type { ResolvedThrottle } from './throttle-options.js';

export type { PaceJob, PaceTicket } from './job-queue.js';

/**
 * Sends made this close before the event loop was last seen alive may have left only after a stall
 * (or been read only then by a simulator in the process): they are counted at the stall's end.
 */
const STALL_RESTAMP_MS = 5;
/** How many of the latest sends are remembered (their chats, tickets, scopes) for that, and for late answers. */
const RECENT_SENDS = 16;

/** `acquire()`'s job: settles a promise (whose reactions keep their own async context). */
class PromiseJob implements PaceJob {
  seq: number;
  sentAt = 0;
  sendNo = -1;
  notBefore: number;
  queuedAt = 0;
  next: PaceJob | undefined = undefined;
  prev: PaceJob | undefined = undefined;
  list: JobList | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    readonly paid: boolean,
    readonly method: string | undefined,
    readonly signal: AbortSignal | undefined,
    readonly ticket: PaceTicket | undefined,
    notBefore: number,
    private readonly resolve: () => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    this.seq = ticket ? ticket.seq : -1;
    this.notBefore = notBefore;
  }

  proceed(): void {
    if (this.ticket) {
      this.ticket.sentAt = this.sentAt;
      this.ticket.seq = this.seq;
      this.ticket.sendNo = this.sendNo;
    }
    this.resolve();
  }

  refuse(reason: unknown): void {
    this.reject(reason);
  }
}

/** A chat's queue and its place in the scheduler's heaps. */
interface ChatQueue extends HeapItem, JobList {
  key: string;
  /** When this chat next becomes ready (valid while it sits in `waiting`). */
  readyAt: number;
  /** Its head job was held by the chat's own limit or gate (not only by the bot-wide one). */
  heldByOwnLimit: boolean;
}

/**
 * Everything the scheduler keeps about one chat, in one object (the heaps hold it, the jobs point to
 * it): its queue, and its own limit (chat-limit.ts), private or group.
 */
export type ChatState = ChatQueue & ChatLimit;

export interface PaceRequest {
  chat: ChatScope | undefined;
  paid: boolean;
  method: string | undefined;
  signal: AbortSignal | undefined;
  /** A retry: the call's ticket (it keeps its place in its chat's queue; its send time is written back). */
  ticket?: PaceTicket | undefined;
  /** A retry after a flood: not before this clock time. */
  notBefore?: number | undefined;
}

export class PacingScheduler {
  private readonly chats = new Map<string, ChatState>();
  private readonly waiting = new IndexedHeap<ChatState>((a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && headSeq(a) < headSeq(b)));
  private readonly ready = new IndexedHeap<ChatState>(readyBefore);
  /** Jobs bound to no chat: they only wait for the bot-wide slot, FIFO. */
  private readonly unbound: JobList = { first: undefined, last: undefined, size: 0 };
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
  /** Clock time the scheduler's own times count from. */
  private readonly epoch: number;
  /** The margin on every window, learned from round trips (see round-trips.ts). */
  private readonly roundTrips = new RoundTrips();
  private margin: number;
  /**
   * When this scheduler last ran, or an answer to a paced send last came (scheduler time): the event
   * loop was alive then, so a timer much later than due shows a stall since.
   */
  private lastRunAt = 0;
  /** The latest sends, a ring: their chats, tickets and rates (the ones a stall or a late answer may concern). */
  private readonly recentChats: Array<ChatState | undefined> = new Array<ChatState | undefined>(RECENT_SENDS);
  private readonly recentTickets: Array<PaceTicket | undefined> = new Array<PaceTicket | undefined>(RECENT_SENDS);
  private readonly recentPaid: boolean[] = new Array<boolean>(RECENT_SENDS).fill(false);
  private recentHead = 0;
  /** The latest send time of a send whose answer came: it surely reached Telegram before now. */
  private latestAnsweredSentAt = NEVER;
  /** Sends made so far: each send's number (`PaceTicket.sendNo`), its place in send order. */
  private sends = 0;
  /** Groups whose next message waits for the answer to their latest, by that send's number. */
  private readonly awaitedGroups = new Map<number, ChatState>();
  /** When the latest stall was seen: round trips in flight then were stretched by it. */
  private stallSeenAt = NEVER;

  constructor(
    private readonly clock: Clock,
    private readonly limits: ResolvedThrottle,
    private readonly gates: FloodGates,
  ) {
    this.margin = this.roundTrips.marginMs;
    this.free = new BotRate(limits.globalPerSecond, this.margin);
    this.paid = new BotRate(limits.paidBroadcastPerSecond, this.margin);
    this.chatInterval = Math.ceil(1000 / limits.chatPerSecond);
    this.epoch = clock.now();
    gates.onClose((scope) => this.replan(scope));
  }

  /** Number of chats with pacing state (for tests and the memory benchmark). */
  get trackedChats(): number {
    return this.chats.size;
  }

  /** The margin on every window in force, in ms. */
  get marginMs(): number {
    return this.margin;
  }

  /** A group's messages per 60 s window in force (learned from 429s), for tests. */
  groupWindow(key: string): number | undefined {
    const chat = this.chats.get(key);
    return chat?.kind === 'group' ? chat.perWindow : undefined;
  }

  /** The bot-wide rate in force (learned from 429s), for tests. */
  get botRate(): number {
    return this.free.rate;
  }

  get queued(): number {
    let n = this.unbound.size;
    for (const chat of this.chats.values()) n += chat.size;
    return n;
  }

  /**
   * Admits `job` for the slot of `scope` (undefined: a call bound to no chat). Returns true when it
   * may go at once: the slot is taken, and the job is not kept. Otherwise it is queued, and later
   * (or before this returns) exactly one of `job.proceed()` or `job.refuse(reason)` is called.
   */
  admit(job: PaceJob, scope: ChatScope | undefined): boolean {
    if (this.closed) {
      job.refuse(closedError());
      return false;
    }
    const signal = job.signal;
    if (signal?.aborted) {
      job.refuse(abortReason(signal));
      return false;
    }
    const now = this.now();
    this.lastRunAt = now;
    this.sweepIdle(now);
    const chat = scope ? this.chatState(scope) : undefined;
    if (job.seq < 0) job.seq = this.seq++;
    const nobodyAhead = chat ? chat.size === 0 : this.unbound.size === 0;
    if (nobodyAhead && this.ready.size === 0 && this.unbound.size === 0) {
      const own = chat ? this.chatReadyAt(chat, job.method) : this.methodGateAt(job.method);
      const at = Math.max(this.rateOf(job.paid).readyAt(), own, this.gateAt('bot'), job.notBefore);
      if (at <= now) {
        this.take(chat, job, now);
        return true;
      }
    }
    job.queuedAt = now;
    if (signal) job.onAbort = onAbort(signal, () => this.cancel(job, abortReason(signal)));
    if (chat) {
      enqueue(chat, job);
      if (chat.first === job) this.placeChat(chat, now);
      else if (this.ready.has(chat)) this.ready.update(chat);
    } else {
      enqueue(this.unbound, job);
    }
    this.pump();
    return false;
  }

  /**
   * `admit()` as a promise: `undefined` when the call may go at once (the slot is already taken),
   * else a promise that resolves when it may go, or rejects on abort or close.
   */
  acquire(request: PaceRequest): Promise<void> | undefined {
    // A retry is back in its chat's queue, in its place: its group need not wait for its answer.
    if (request.ticket) this.released(request.ticket);
    let admitted = false;
    const wait = new Promise<void>((resolve, reject) => {
      const notBefore = request.notBefore === undefined ? NEVER : Math.ceil(request.notBefore - this.epoch);
      const job = new PromiseJob(request.paid, request.method, request.signal, request.ticket, notBefore, resolve, reject);
      admitted = this.admit(job, request.chat);
      if (admitted && request.ticket) {
        request.ticket.sentAt = job.sentAt;
        request.ticket.seq = job.seq;
        request.ticket.sendNo = job.sendNo;
      }
    });
    return admitted ? undefined : wait;
  }

  close(): void {
    this.closed = true;
    this.wake?.controller.abort();
    this.wake = undefined;
    this.sweeper?.abort();
    this.sweeper = undefined;
    const error = closedError();
    for (const list of [this.unbound, ...this.chats.values()]) {
      while (list.first) this.settle(dequeue(list), error);
    }
    this.chats.clear();
  }

  private chatState(scope: ChatScope): ChatState {
    let chat = this.chats.get(scope.key);
    if (!chat) {
      // One whole literal per kind (no spread of a common part): each kind keeps one compact shape.
      const { key } = scope;
      if (scope.kind === 'group') {
        chat = {
          key, kind: 'group', first: undefined, last: undefined, size: 0,
          window: [], windowSendNos: [], perWindow: this.limits.groupPerMinute, awaitedSendNo: -1, awaitedUntil: NEVER,
          readyAt: 0, heldByOwnLimit: false, lastSentAt: NEVER, prevSentAt: NEVER, heapIndex: -1,
        };
      } else {
        chat = {
          key, kind: 'private', first: undefined, last: undefined, size: 0,
          nextAt: 0, spacingMs: this.chatInterval,
          readyAt: 0, heldByOwnLimit: false, lastSentAt: NEVER, prevSentAt: NEVER, heapIndex: -1,
        };
      }
      this.chats.set(scope.key, chat);
    }
    return chat;
  }

  /** Scheduler time: clock time since the scheduler started. */
  private now(): number {
    return this.clock.now() - this.epoch;
  }

  /** When the gate of `scope` opens, in scheduler time (in the past when it is open). */
  private gateAt(scope: string): number {
    const at = this.gates.openAt(scope);
    return at === 0 ? NEVER : at - this.epoch;
  }

  /** When the gate of `method` opens (MTProto FLOOD_WAIT is per method), in scheduler time. */
  private methodGateAt(method: string | undefined): number {
    return method ? this.gateAt(`method:${method}`) : NEVER;
  }

  /** The bot-wide rate a send counts against: the paid one for `allow_paid_broadcast`, else the free one. */
  private rateOf(paid: boolean): BotRate {
    return paid ? this.paid : this.free;
  }

  /** When this chat's own limit and gates next allow a message (for `method`). */
  private chatReadyAt(chat: ChatState, method: string | undefined): number {
    return Math.max(this.gateAt(chat.key), this.methodGateAt(method), limitReadyAt(chat, this.margin));
  }

  private take(chat: ChatState | undefined, job: PaceJob, now: number): void {
    job.sentAt = now;
    job.sendNo = this.sends++;
    this.rateOf(job.paid).take(now, job.sendNo);
    // A retry's answer comes back to its call's ticket, not to the job that waited for the slot.
    this.recentTickets[this.recentHead] = job instanceof PromiseJob ? (job.ticket ?? job) : job;
    this.recentChats[this.recentHead] = chat;
    this.recentPaid[this.recentHead] = job.paid;
    this.recentHead = (this.recentHead + 1) % RECENT_SENDS;
    if (!chat) return;
    if (chat.kind === 'group') {
      if (chat.awaitedSendNo >= 0) this.awaitedGroups.delete(chat.awaitedSendNo);
      this.awaitedGroups.set(job.sendNo, chat);
    }
    recordSend(chat, now, this.limits.groupPerMinute, job.sendNo);
    if (chat.size === 0) this.becameIdle(chat);
  }

  /**
   * Telegram answered the paced send of `ticket` now: a round trip, which the margin on every window
   * is learned from. An answer later than the shortest round trip plus the margin shows a send that
   * may have arrived that much later than the margin allows for (it left late, or the network held
   * it): it counts as sent that much later, so the windows after it hold at Telegram's side. The
   * cost is only the excess, and only for such sends.
   */
  answered(ticket: PaceTicket): void {
    const now = this.now();
    this.lastRunAt = now;
    const { sentAt } = ticket;
    if (sentAt > this.latestAnsweredSentAt) this.latestAnsweredSentAt = sentAt;
    const late = now - sentAt - this.roundTrips.minMs - this.margin;
    if (late > 0) this.arrivedLate(ticket, sentAt + late);
    // A round trip that a seen stall stretched says nothing about the network.
    if (sentAt >= this.stallSeenAt) this.learnRoundTrip(now - sentAt);
  }

  /**
   * A round trip of `ms`: it teaches the margin on every window. Called from `answered`, and by the
   * limiter for a send that waited for a shared slot after its local one (then it teaches nothing
   * about this process's windows).
   */
  learnRoundTrip(ms: number): void {
    if (!this.roundTrips.record(ms)) return;
    this.margin = this.roundTrips.marginMs;
    this.free.setMargin(this.margin);
    this.paid.setMargin(this.margin);
  }

  /**
   * Sends made at or after `since` now count at `at`: their tickets too, so that a 429 for one of
   * them finds its send in our windows (to take it back, and to learn from the sends before it).
   */
  private retimeTickets(since: number, at: number): void {
    for (const ticket of this.recentTickets) if (ticket && ticket.sentAt >= since && ticket.sentAt < at) ticket.sentAt = at;
  }

  /** `ticket`'s latest send counts at `at` (scheduler time), in the bot's window and its chat's. */
  private arrivedLate(ticket: PaceTicket, at: number): void {
    const { sentAt } = ticket;
    this.retimeTickets(sentAt, at);
    for (let k = 0; k < RECENT_SENDS; k++) {
      if (this.recentTickets[k] !== ticket) continue;
      this.rateOf(this.recentPaid[k] === true).delay(sentAt, at);
      const chat = this.recentChats[k];
      if (chat && chat.lastSentAt >= sentAt) {
        restampSends(chat, sentAt, at);
        if (chat.size > 0) this.placeChat(chat, this.now());
      }
      return;
    }
    // Older than the sends remembered (paid rates): its rate is not known, both hold it.
    this.free.delay(sentAt, at);
    this.paid.delay(sentAt, at);
  }

  /**
   * A chat has nothing queued (its last job was sent or aborted). A chat that never sent has no
   * pacing to remember: it is freed now. Others are freed once their limit no longer matters.
   */
  private becameIdle(chat: ChatState): void {
    if (chat.lastSentAt === NEVER) {
      if (this.chats.get(chat.key) === chat) this.chats.delete(chat.key);
      return;
    }
    this.idle.push(chat);
    this.scheduleSweep();
  }

  /** Puts a chat whose head job changed into the right heap. */
  private placeChat(chat: ChatState, now: number): void {
    this.waiting.remove(chat);
    this.ready.remove(chat);
    const head = chat.first;
    if (!head) return;
    chat.readyAt = Math.max(this.chatReadyAt(chat, head.method), head.notBefore);
    chat.heldByOwnLimit = chat.readyAt > head.queuedAt;
    if (chat.readyAt <= now) this.ready.push(chat);
    else this.waiting.push(chat);
  }

  /**
   * A 429 refused the paced send of `ticket` (to `chatKey`, if any): that send took no place in
   * Telegram's windows, so it leaves ours.
   */
  refused(chatKey: string | undefined, paid: boolean, ticket: PaceTicket): void {
    const chat = chatKey === undefined ? undefined : this.chats.get(chatKey);
    forgetRefusedSend(chat, this.rateOf(paid), ticket.sentAt, ticket.sendNo);
  }

  /** A 429 held this chat until `openAt` (clock time) after `ticket`'s send: learn its real limit (see chat-limit.ts). */
  learnChatFlood(key: string, openAt: number, ticket: PaceTicket): void {
    const chat = this.chats.get(key);
    if (!chat) return;
    if (learnChatFlood(chat, openAt - this.epoch, ticket, this.chatInterval, this.margin) && chat.size > 0) this.placeChat(chat, this.now());
  }

  /**
   * The send of `ticket` was answered, or its retry is queued in its place: its group's next
   * message need not wait for it any more. Answers to failed sends do not release it (their retry
   * does): a message behind a refused one would otherwise go before the refused one's retry.
   */
  released(ticket: PaceTicket): void {
    const chat = this.awaitedGroups.get(ticket.sendNo);
    if (!chat) return;
    this.awaitedGroups.delete(ticket.sendNo);
    if (chat.kind !== 'group' || chat.awaitedSendNo !== ticket.sendNo) return;
    chat.awaitedSendNo = -1;
    chat.awaitedUntil = NEVER;
    if (chat.size === 0 || this.closed) return;
    const now = this.now();
    this.placeChat(chat, now);
    // The wake set for the wait just ended may be later than the chat's own limit now allows.
    this.sleepUntil(this.ready.has(chat) ? now : chat.readyAt);
  }

  /** True when the group `key`'s own window explains a 429 for `ticket`'s send that holds it until `openAt` (clock time). */
  groupWindowExplains(key: string, openAt: number, ticket: PaceTicket): boolean {
    const chat = this.chats.get(key);
    return chat?.kind === 'group' && groupWindowExplains(chat, openAt - this.epoch, ticket.sentAt, this.margin);
  }

  /** A 429 for the whole bot, for `ticket`'s send: lower the bot-wide rate (see chat-limit.ts). */
  learnBotFlood(paid: boolean, ticket: PaceTicket): void {
    learnBotFlood(this.rateOf(paid), ticket.sentAt, ticket.sendNo);
  }

  /**
   * The gate of `scope` closed: chats it holds may not be ready any more. A chat's gate concerns that
   * chat only (a broadcast to 100,000 chats must not re-sort them all for each 429); the bot's gate is
   * read by pump() itself; a method's gate concerns every chat whose next call is of that method.
   */
  private replan(scope: string): void {
    if (this.closed) return;
    const now = this.now();
    if (scope.startsWith('method:')) {
      const method = scope.slice('method:'.length);
      const held: ChatState[] = [];
      for (const chat of this.chats.values()) if (chat.first?.method === method) held.push(chat);
      for (const chat of held) this.placeChat(chat, now);
    } else if (scope !== 'bot') {
      const chat = this.chats.get(scope);
      if (chat && chat.size > 0) this.placeChat(chat, now);
    }
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    const now = this.now();
    this.lastRunAt = now;
    // Chats whose own limit now allows them move to the ready heap.
    for (let top = this.waiting.peek(); top && top.readyAt <= now; top = this.waiting.peek()) {
      this.waiting.pop();
      this.placeChat(top, now);
    }
    const botOpenAt = this.gateAt('bot');
    for (;;) {
      const chat = this.ready.peek();
      const chatJob = chat?.first;
      // Unbound jobs queue FIFO with ready chats (whichever was asked for first). Having no chat, they
      // are held only by their method's gate; one held there holds no chat (and, FIFO, only the
      // unbound jobs behind it).
      const unbound = this.unbound.first;
      const unboundReady = unbound !== undefined && Math.max(this.methodGateAt(unbound.method), unbound.notBefore) <= now;
      const useUnbound = unboundReady && (!chatJob || unbound.seq < chatJob.seq);
      const next = useUnbound ? unbound : chatJob;
      if (!next) break;
      const at = Math.max(this.rateOf(next.paid).readyAt(), botOpenAt);
      // Woken at the slot itself, the sends due shortly after it go too (see BotRate.wakeAt).
      if (at > now) return this.sleepUntil(Math.max(this.rateOf(next.paid).wakeAt(), botOpenAt));
      dequeue(useUnbound ? this.unbound : chat!);
      // Take the slot first: where the chat goes next depends on the slot it just used.
      this.take(useUnbound ? undefined : chat, next, now);
      if (!useUnbound) this.placeChat(chat!, now);
      this.settle(next);
    }
    let wakeAt = this.waiting.peek()?.readyAt ?? Number.POSITIVE_INFINITY;
    const unbound = this.unbound.first;
    if (unbound) wakeAt = Math.min(wakeAt, Math.max(this.methodGateAt(unbound.method), unbound.notBefore));
    if (wakeAt !== Number.POSITIVE_INFINITY) this.sleepUntil(wakeAt);
    else if (this.wake) {
      // Nothing is queued any more (the last waiting calls were aborted): a timer left for them would
      // keep the process alive until it fired, an hour later after a long flood wait.
      this.wake.controller.abort();
      this.wake = undefined;
    }
  }

  private sleepUntil(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.controller.abort();
    const controller = new AbortController();
    this.wake = { at, controller };
    this.clock.sleep(at - this.now(), controller.signal).then(
      () => {
        if (this.wake?.controller === controller) this.wake = undefined;
        this.afterStall(at);
        this.pump();
      },
      () => {},
    );
  }

  /**
   * A timer due at `dueAt` fired now. Much later (more than the margin): the event loop stalled
   * since it last ran, and sends made just before may have left, or been read by a simulator in this
   * process, only now; arriving together with the sends after the stall they would crowd a window.
   * So they count as sent now (the bot's window, their chats'), and the spacing after them is normal.
   */
  private afterStall(dueAt: number): void {
    const now = this.now();
    if (now - dueAt <= Math.max(this.margin, STALL_RESTAMP_MS)) return;
    this.stallSeenAt = now;
    // A send whose answer already came reached Telegram before the stall: it stays where it is.
    const since = Math.max(this.lastRunAt - STALL_RESTAMP_MS, this.latestAnsweredSentAt + 1);
    if (this.free.restamp(since, now) + this.paid.restamp(since, now) === 0) return;
    this.retimeTickets(since, now);
    for (const chat of this.recentChats) {
      if (!chat || chat.lastSentAt < since) continue;
      restampSends(chat, since, now);
      if (chat.size > 0) this.placeChat(chat, now);
    }
  }

  /** An aborted job leaves its queue: O(1) wherever it is (a chat's head moving re-sorts one chat). */
  private cancel(job: PaceJob, reason: unknown): void {
    const list = job.list;
    if (!list) return;
    const wasHead = list.first === job;
    unlink(list, job);
    if (list !== this.unbound) {
      const chat = list as ChatState;
      if (wasHead) this.placeChat(chat, this.now());
      else if (this.ready.has(chat)) this.ready.update(chat);
      if (chat.size === 0) this.becameIdle(chat);
    }
    this.settle(job, reason);
    // Only a new head can change what goes next.
    if (wasHead) this.pump();
  }

  private settle(job: PaceJob, error?: unknown): void {
    if (job.onAbort) {
      job.onAbort();
      job.onAbort = undefined;
    }
    if (arguments.length > 1) job.refuse(error);
    else job.proceed();
  }

  private scheduleSweep(): void {
    if (this.sweeper || this.closed || this.idleHead >= this.idle.length) return;
    const controller = (this.sweeper = new AbortController());
    const due = this.idle[this.idleHead]!.lastSentAt + this.limits.idleChatTtlMs;
    this.clock.sleep(Math.max(0, due - this.now()), controller.signal, { unref: true }).then(
      () => {
        this.sweeper = undefined;
        this.sweepIdle(this.now());
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
        if (chat.kind === 'group' && chat.awaitedSendNo >= 0) this.awaitedGroups.delete(chat.awaitedSendNo);
      }
    }
    if (this.idleHead > 1024 && this.idleHead * 2 > this.idle.length) {
      this.idle = this.idle.slice(this.idleHead);
      this.idleHead = 0;
    }
  }
}

function closedError(): ClosedError {
  return new ClosedError('telegram-resilience: the limiter was closed');
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
