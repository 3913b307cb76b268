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
import { IndexedHeap } from '../core/heap.js';
import { ClosedError } from '../errors/closed-error.js';
import { ArrivalWatch } from './arrival-watch.js';
import { BotRate } from './bot-rate.js';
import { forgetRefusedSend, groupWindowExplains, learnBotFlood, learnChatFlood, limitReadyAt, NEVER, recordSend } from './chat-limit.js';
import { newChatState, readyBefore, waitingBefore, type ChatState } from './chat-state.js';
import type { FloodGates } from './flood-gates.js';
import { IdleChats } from './idle-chats.js';
import { dequeue, enqueue, unlink, type JobList, type PaceJob, type PaceTicket } from './job-queue.js';
import { PromiseJob } from './promise-job.js';
import type { ChatScope } from './scope.js';
import type { ResolvedThrottle } from './throttle-options.js';

export type { PaceJob, PaceTicket } from './job-queue.js';
export type { ChatState } from './chat-state.js';

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
  private readonly waiting = new IndexedHeap<ChatState>(waitingBefore);
  private readonly ready = new IndexedHeap<ChatState>(readyBefore);
  /** Jobs bound to no chat: they only wait for the bot-wide slot, FIFO. */
  private readonly unbound: JobList = { first: undefined, last: undefined, size: 0 };
  private readonly free: BotRate;
  private readonly paid: BotRate;
  private seq = 0;
  private wake: { at: number; controller: AbortController } | undefined;
  private closed = false;
  private readonly chatInterval: number;
  /** Clock time the scheduler's own times count from. */
  private readonly epoch: number;
  /** Sends made so far: each send's number (`PaceTicket.sendNo`), its place in send order. */
  private sends = 0;
  /** Groups whose next message waits for the answer to their latest, by that send's number. */
  private readonly awaitedGroups = new Map<number, ChatState>();
  /** When sends reach Telegram: the margin on every window, stalls and late answers. */
  private readonly arrivals: ArrivalWatch;
  /** Chats with nothing queued, freed once their limit no longer matters. */
  private readonly idle: IdleChats;

  constructor(
    private readonly clock: Clock,
    private readonly limits: ResolvedThrottle,
    private readonly gates: FloodGates,
  ) {
    this.free = new BotRate(limits.globalPerSecond);
    this.paid = new BotRate(limits.paidBroadcastPerSecond);
    this.chatInterval = Math.ceil(1000 / limits.chatPerSecond);
    this.epoch = clock.now();
    const now = () => this.now();
    this.arrivals = new ArrivalWatch(this.free, this.paid, now, (chat, at) => this.placeChat(chat, at));
    this.idle = new IdleChats(clock, limits.idleChatTtlMs, now, (chat) => this.freeIdle(chat));
    gates.onClose((scope) => this.replan(scope));
  }

  /** Number of chats with pacing state (for tests and the memory benchmark). */
  get trackedChats(): number {
    return this.chats.size;
  }

  /** The margin on every window in force, in ms. */
  get marginMs(): number {
    return this.arrivals.marginMs;
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
    this.arrivals.alive(now);
    this.idle.sweep(now);
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
      if (admitted) job.writeBack();
    });
    return admitted ? undefined : wait;
  }

  close(): void {
    this.closed = true;
    this.wake?.controller.abort();
    this.wake = undefined;
    this.idle.close();
    const error = closedError();
    for (const list of [this.unbound, ...this.chats.values()]) {
      while (list.first) this.settle(dequeue(list), error);
    }
    this.chats.clear();
  }

  private chatState(scope: ChatScope): ChatState {
    let chat = this.chats.get(scope.key);
    if (!chat) {
      chat = newChatState(scope, this.limits.groupPerMinute, this.chatInterval);
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
    return Math.max(this.gateAt(chat.key), this.methodGateAt(method), limitReadyAt(chat, this.arrivals.marginMs));
  }

  private take(chat: ChatState | undefined, job: PaceJob, now: number): void {
    job.sentAt = now;
    job.sendNo = this.sends++;
    this.rateOf(job.paid).take(now, job.sendNo);
    // A retry's answer comes back to its call's ticket, not to the job that waited for the slot.
    this.arrivals.sent(job instanceof PromiseJob ? job.answeredBy : job, chat, job.paid);
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
   * is learned from, and which shows a send that arrived late (see arrival-watch.ts).
   */
  answered(ticket: PaceTicket): void {
    this.arrivals.answered(ticket);
  }

  /**
   * A round trip of `ms`: it teaches the margin on every window. Called by the limiter for a send
   * that waited for a shared slot after its local one (then it teaches nothing about this process's
   * windows).
   */
  learnRoundTrip(ms: number): void {
    this.arrivals.learnRoundTrip(ms);
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
    this.idle.add(chat);
  }

  /** `chat`'s idle time is up: its state is freed unless it has queued work again. */
  private freeIdle(chat: ChatState): void {
    if (chat.size > 0 || this.chats.get(chat.key) !== chat) return;
    this.chats.delete(chat.key);
    if (chat.kind === 'group' && chat.awaitedSendNo >= 0) this.awaitedGroups.delete(chat.awaitedSendNo);
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
    if (learnChatFlood(chat, openAt - this.epoch, ticket, this.chatInterval, this.arrivals.marginMs) && chat.size > 0) this.placeChat(chat, this.now());
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
    return chat?.kind === 'group' && groupWindowExplains(chat, openAt - this.epoch, ticket.sentAt, this.arrivals.marginMs);
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
    this.arrivals.alive(now);
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
        this.arrivals.afterStall(at);
        this.pump();
      },
      () => {},
    );
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
}

function closedError(): ClosedError {
  return new ClosedError('telegram-resilience: the limiter was closed');
}

