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
 * queued call implements `PaceJob` (no promise, closure or wrapper per job here), and times are
 * scheduler times (pace-time.ts). The chats, their heaps and idle ones are in chat-book.ts.
 */
import { abortReason, onAbort } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { ClosedError } from '../errors/closed-error.js';
import { ArrivalWatch } from './arrival-watch.js';
import { BotRate } from './bot-rate.js';
import { ChatBook } from './chat-book.js';
import { NEVER } from './chat-limit.js';
import type { ChatState } from './chat-state.js';
import type { FloodGates } from './flood-gates.js';
import { FloodLearning } from './flood-learning.js';
import { dequeue, enqueue, unlink, type JobList, type PaceJob, type PaceTicket } from './job-queue.js';
import { PaceTime } from './pace-time.js';
import { PromiseJob } from './promise-job.js';
import type { ChatScope } from './scope.js';
import type { ResolvedThrottle } from './throttle-options.js';
import { WakeTimer } from './wake-timer.js';

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
  private readonly time: PaceTime;
  private readonly book: ChatBook;
  /** Jobs bound to no chat: they only wait for the bot-wide slot, FIFO. */
  private readonly unbound: JobList = { first: undefined, last: undefined, size: 0 };
  private readonly free: BotRate;
  private readonly paid: BotRate;
  private seq = 0;
  private readonly wake: WakeTimer;
  private closed = false;
  /** Sends made so far: each send's number (`PaceTicket.sendNo`), its place in send order. */
  private sends = 0;
  /** When sends reach Telegram: the margin on every window, stalls and late answers. */
  private readonly arrivals: ArrivalWatch;
  /** What a 429 on a paced send teaches (the limiter tells it). */
  readonly learning: FloodLearning;

  constructor(clock: Clock, limits: ResolvedThrottle, gates: FloodGates) {
    this.free = new BotRate(limits.globalPerSecond);
    this.paid = new BotRate(limits.paidBroadcastPerSecond);
    const time = (this.time = new PaceTime(clock, gates));
    const now = () => time.now();
    this.arrivals = new ArrivalWatch(this.free, this.paid, now, (chat, at) => this.book.place(chat, at));
    const marginMs = () => this.arrivals.marginMs;
    this.book = new ChatBook(clock, time, limits, marginMs);
    this.learning = new FloodLearning(this.book, time, (paid) => this.rateOf(paid), marginMs);
    this.wake = new WakeTimer(clock, now, (at) => {
      this.arrivals.afterStall(at);
      this.pump();
    });
    gates.onClose((scope) => this.replan(scope));
  }

  /** Number of chats with pacing state (for tests and the memory benchmark). */
  get trackedChats(): number {
    return this.book.size;
  }

  /** The margin on every window in force, in ms. */
  get marginMs(): number {
    return this.arrivals.marginMs;
  }

  get queued(): number {
    let n = this.unbound.size;
    for (const chat of this.book.all()) n += chat.size;
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
    const now = this.time.now();
    this.arrivals.alive(now);
    this.book.sweepIdle(now);
    const chat = scope ? this.book.stateOf(scope) : undefined;
    if (job.seq < 0) job.seq = this.seq++;
    const nobodyAhead = chat ? chat.size === 0 : this.unbound.size === 0;
    if (nobodyAhead && this.book.ready.size === 0 && this.unbound.size === 0) {
      const own = chat ? this.book.readyAt(chat, job.method) : this.time.methodGateAt(job.method);
      const at = Math.max(this.rateOf(job.paid).readyAt(), own, this.time.gateAt('bot'), job.notBefore);
      if (at <= now) {
        this.take(chat, job, now);
        return true;
      }
    }
    job.queuedAt = now;
    if (signal) job.onAbort = onAbort(signal, () => this.cancel(job, abortReason(signal)));
    if (chat) {
      enqueue(chat, job);
      if (chat.first === job) this.book.place(chat, now);
      else if (this.book.ready.has(chat)) this.book.ready.update(chat);
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
      const notBefore = request.notBefore === undefined ? NEVER : Math.ceil(request.notBefore - this.time.epoch);
      const job = new PromiseJob(request.paid, request.method, request.signal, request.ticket, notBefore, resolve, reject);
      admitted = this.admit(job, request.chat);
      if (admitted) job.writeBack();
    });
    return admitted ? undefined : wait;
  }

  close(): void {
    this.closed = true;
    this.wake.cancel();
    const error = closedError();
    for (const list of [this.unbound, ...this.book.all()]) {
      while (list.first) this.settle(dequeue(list), error);
    }
    this.book.close();
  }

  /** The bot-wide rate a send counts against: the paid one for `allow_paid_broadcast`, else the free one. */
  private rateOf(paid: boolean): BotRate {
    return paid ? this.paid : this.free;
  }

  private take(chat: ChatState | undefined, job: PaceJob, now: number): void {
    job.sentAt = now;
    job.sendNo = this.sends++;
    this.rateOf(job.paid).take(now, job.sendNo);
    // A retry's answer comes back to its call's ticket, not to the job that waited for the slot.
    this.arrivals.sent(job instanceof PromiseJob ? job.answeredBy : job, chat, job.paid);
    if (chat) this.book.recordSend(chat, now, job.sendNo);
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
   * The send of `ticket` was answered, or its retry is queued in its place: its group's next
   * message need not wait for it any more. Answers to failed sends do not release it (their retry
   * does): a message behind a refused one would otherwise go before the refused one's retry.
   */
  released(ticket: PaceTicket): void {
    const chat = this.book.release(ticket.sendNo);
    if (!chat || chat.size === 0 || this.closed) return;
    const now = this.time.now();
    this.book.place(chat, now);
    // The wake set for the wait just ended may be later than the chat's own limit now allows.
    this.wake.at(this.book.ready.has(chat) ? now : chat.readyAt);
  }

  /** The gate of `scope` closed: the chats it holds move (see ChatBook.replan); the bot's gate is read by pump() itself. */
  private replan(scope: string): void {
    if (this.closed) return;
    this.book.replan(scope, this.time.now());
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    const now = this.time.now();
    this.arrivals.alive(now);
    this.book.promoteDue(now);
    const botOpenAt = this.time.gateAt('bot');
    const ready = this.book.ready;
    for (;;) {
      const chat = ready.peek();
      const chatJob = chat?.first;
      // Unbound jobs queue FIFO with ready chats (whichever was asked for first). Having no chat, they
      // are held only by their method's gate; one held there holds no chat (and, FIFO, only the
      // unbound jobs behind it).
      const unbound = this.unbound.first;
      const unboundReady = unbound !== undefined && Math.max(this.time.methodGateAt(unbound.method), unbound.notBefore) <= now;
      const useUnbound = unboundReady && (!chatJob || unbound.seq < chatJob.seq);
      const next = useUnbound ? unbound : chatJob;
      if (!next) break;
      const at = Math.max(this.rateOf(next.paid).readyAt(), botOpenAt);
      // Woken at the slot itself, the sends due shortly after it go too (see BotRate.wakeAt).
      if (at > now) return this.wake.at(Math.max(this.rateOf(next.paid).wakeAt(), botOpenAt));
      const bound = useUnbound ? undefined : chat;
      dequeue(bound ?? this.unbound);
      // Take the slot first: where the chat goes next depends on the slot it just used.
      this.take(bound, next, now);
      if (bound) this.book.place(bound, now);
      this.settle(next);
    }
    let wakeAt = this.book.waiting.peek()?.readyAt ?? Number.POSITIVE_INFINITY;
    const unbound = this.unbound.first;
    if (unbound) wakeAt = Math.min(wakeAt, Math.max(this.time.methodGateAt(unbound.method), unbound.notBefore));
    if (wakeAt !== Number.POSITIVE_INFINITY) this.wake.at(wakeAt);
    else this.wake.cancel();
  }

  /** An aborted job leaves its queue: O(1) wherever it is (a chat's head moving re-sorts one chat). */
  private cancel(job: PaceJob, reason: unknown): void {
    const list = job.list;
    if (!list) return;
    const wasHead = list.first === job;
    unlink(list, job);
    if (list !== this.unbound) {
      const chat = list as ChatState;
      if (wasHead) this.book.place(chat, this.time.now());
      else if (this.book.ready.has(chat)) this.book.ready.update(chat);
      if (chat.size === 0) this.book.becameIdle(chat);
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
