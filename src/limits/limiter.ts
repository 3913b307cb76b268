/**
 * The limiter the engine sends every attempt through: pacing (when throttling is on), flood gates
 * (closed from what Telegram says), and, with a shared backend, the same across processes.
 */
import { abortableSleep, createStopper } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { ClosedError } from '../errors/closed-error.js';
import type { Failure } from '../errors/failure.js';
import type { CallParams } from '../core/call.js';
import { DEFAULT_FLOOD_WAIT_MS } from '../errors/shapes.js';
import type { LimitsBackend } from './backend.js';
import { FloodGates } from './flood-gates.js';
import { FloodScopes, gateScopes, type Sending } from './flood-scopes.js';
import { PacingScheduler, type PaceJob, type PaceTicket } from './scheduler.js';
import { isPacedMethod } from './paced-methods.js';
import { chatScopeOf, type ChatScope } from './scope.js';
import type { ResolvedThrottle } from './throttle-options.js';
import { BackendLink, type BackendStatusListener } from './backend-link.js';

/** A booked slot overtaken by a gate is re-booked at most this often (then it goes as booked). */
const MAX_REBOOKINGS = 3;

export interface LimiterOptions {
  clock: Clock;
  throttle: ResolvedThrottle | undefined;
  backend: LimitsBackend | undefined;
  backendTimeoutMs: number;
  /** `fallback`: keep going on local limits when the backend fails; `fail`: reject the call. */
  onBackendError: 'fallback' | 'fail';
  onBackendStatus: BackendStatusListener;
}

export class Limiter {
  readonly gates: FloodGates;
  readonly scheduler: PacingScheduler | undefined;
  private readonly link: BackendLink | undefined;
  private readonly floodScopes = new FloodScopes();
  /** With a shared backend: when each paced send's shared wait ended (its round trip starts there). */
  private readonly sharedSentAt = new WeakMap<PaceTicket, number>();
  private readonly clock: Clock;
  /** Aborted by `close()`: ends every wait at a gate or for a shared slot. */
  private readonly stopper = createStopper();

  constructor(options: LimiterOptions) {
    this.clock = options.clock;
    this.gates = new FloodGates(options.clock);
    this.scheduler = options.throttle ? new PacingScheduler(options.clock, options.throttle, this.gates) : undefined;
    this.link = options.backend
      ? new BackendLink(options.backend, {
          clock: options.clock,
          limits: options.throttle,
          timeoutMs: options.backendTimeoutMs,
          onError: options.onBackendError,
          onStatus: options.onBackendStatus,
          onRemoteGate: (scope, openAt) => this.gates.close(scope, openAt),
          stop: this.stopper.signal,
        })
      : undefined;
  }

  /**
   * Waits until `attempt` may be sent. Resolves at once (returns undefined) in the common case of
   * nothing to wait for. `paced`: whether this call counts against Telegram's sending limits;
   * `signal`: the call's own, which ends the wait. A paced retry passes its call's `ticket` (it keeps
   * its place in its chat's queue) and, after a flood, `notBefore` (clock time): it waits there
   * rather than behind the chat's later calls.
   */
  acquire(attempt: Sending, paced: boolean, signal: AbortSignal | undefined, ticket?: PaceTicket, notBefore?: number): Promise<void> | undefined {
    const chat = paced ? chatScopeOf(attempt.params) : undefined;
    if (paced && this.scheduler) {
      const paid = attempt.params?.allow_paid_broadcast === true;
      const local = this.scheduler.acquire({ chat, paid, method: attempt.method, signal, ticket, notBefore });
      if (!this.link) return local;
      const scopes = gateScopes(attempt.method, true, chat?.key);
      const scheduler = this.scheduler;
      return (local ?? Promise.resolve()).then(() => this.reserveShared(chat, paid, scheduler.marginMs, scopes, signal, ticket));
    }
    // The common case (no backend, no gate ever closed or all forgotten): nothing to wait for.
    if (!this.link && !this.gates.anyClosed) return undefined;
    const scopes = gateScopes(attempt.method, paced, chat?.key);
    const started = this.link?.started(signal);
    if (started) return started.then(() => this.waitGates(scopes, signal));
    return this.waitGates(scopes, signal);
  }

  /**
   * `acquire()` for a paced first attempt, without a promise of its own: returns true when `job` may
   * go at once; otherwise exactly one of `job.proceed()` or `job.refuse(reason)` is called later (or
   * before this returns). With a local scheduler only, the job itself is what waits in the queue;
   * with a shared backend the wait is a promise chain, as for `acquire()`.
   */
  admit(job: PaceJob, params: CallParams | undefined): boolean {
    if (this.scheduler && !this.link) return this.scheduler.admit(job, chatScopeOf(params));
    // The job is its call's ticket: its send time (what a 429 is learned from) and place are written back to it.
    const wait = this.acquire({ method: job.method, params }, true, job.signal, job);
    if (!wait) return true;
    wait.then(
      () => job.proceed(),
      (reason: unknown) => job.refuse(reason),
    );
    return false;
  }

  /**
   * Books the shared slot and waits for it. A gate may close (here or in another process) while we
   * wait: then the slot is given up, and a new one is booked once the gate opens, instead of sending
   * into a flood the whole bot was told to wait out.
   */
  private async reserveShared(
    chat: ChatScope | undefined,
    paid: boolean,
    marginMs: number,
    scopes: string[],
    signal: AbortSignal | undefined,
    ticket: PaceTicket | undefined,
  ): Promise<void> {
    let unusedSlotAtEpochMs: number | undefined;
    for (let tries = 0; ; tries++) {
      const request = { chat, paid, marginMs, ...(unusedSlotAtEpochMs !== undefined && { unusedSlotAtEpochMs }) };
      unusedSlotAtEpochMs = await this.link!.reserve(request, signal);
      const closed = this.waitGates(scopes, signal);
      if (tries >= MAX_REBOOKINGS || (!closed && unusedSlotAtEpochMs === undefined)) break;
      if (closed) await closed;
    }
    if (ticket) this.sharedSentAt.set(ticket, this.clock.now());
  }

  /**
   * Telegram answered the paced send of `ticket`: its round trip teaches the margin on every window.
   * With a shared backend the send waited for its shared slot after the local one, so the round
   * trip is counted from when the shared wait ended, and it only teaches the margin (the bookings'
   * and the local windows'): this process's sends are only part of the bot's.
   */
  answered(ticket: PaceTicket): void {
    this.roundTrip(ticket);
    // A success: the group it went to may send its next message (see PacingScheduler.released).
    this.scheduler?.released(ticket);
  }

  private roundTrip(ticket: PaceTicket): void {
    if (!this.link) return this.scheduler?.answered(ticket);
    const sentAt = this.sharedSentAt.get(ticket);
    if (sentAt === undefined) return;
    this.sharedSentAt.delete(ticket);
    this.scheduler?.learnRoundTrip(this.clock.now() - sentAt);
  }

  /**
   * Closes the gate of the scope Telegram's flood answer is about. A Bot API 429 on a paced send that
   * we kept within our limits also says the limit is stricter than configured: the scheduler learns
   * it (the bot's rate once per gate, from the second before the refused send; a chat's from every
   * refused send to it). What is learned, and how, is in chat-limit.ts.
   */
  onFailure(failure: Failure, attempt: Sending, ticket?: PaceTicket): void {
    // Any answer from Telegram is a round trip; a network failure or a timeout is not one.
    if (ticket && failure.kind !== 'network' && failure.kind !== 'timeout') this.roundTrip(ticket);
    if (failure.kind !== 'flood') return;
    const now = this.clock.now();
    const openAt = now + (failure.retryAfterMs ?? DEFAULT_FLOOD_WAIT_MS);
    // Only a send whose slot we know (its ticket) can be taken back and learned from.
    const learnFrom = failure.code === 429 && isPacedMethod(attempt.method) && ticket && this.scheduler ? { learning: this.scheduler.learning, ticket } : undefined;
    const chat = chatScopeOf(attempt.params);
    const paid = attempt.params?.allow_paid_broadcast === true;
    learnFrom?.learning.refused(chat?.key, paid, learnFrom.ticket);
    // A group's 429 that its own window explains is that group's: another chat's 429 within a
    // second does not make it the bot's (two groups stricter than 20 per 60 s closed the whole
    // bot for their wait, up to a minute, and taught it a rate far below what Telegram accepted).
    const groupsOwn = chat?.kind === 'group' && learnFrom !== undefined && learnFrom.learning.groupWindowExplains(chat.key, openAt, learnFrom.ticket);
    for (const scope of groupsOwn ? [chat.key] : this.floodScopes.closedBy(failure, attempt, chat, now)) {
      const wasOpen = this.gates.openAt(scope) === 0;
      if (this.gates.close(scope, openAt)) this.link?.closeGate(scope, openAt);
      if (!learnFrom) continue;
      if (scope !== 'bot') learnFrom.learning.learnChatFlood(scope, openAt, learnFrom.ticket);
      // With a shared backend this process's sends are only part of the bot's: counting them would
      // leave it at its share of the rate after the others stop.
      else if (wasOpen && !this.link) learnFrom.learning.learnBotFlood(paid, learnFrom.ticket);
    }
  }

  private waitGates(scopes: string[], signal: AbortSignal | undefined): Promise<void> | undefined {
    let at = 0;
    for (const scope of scopes) at = Math.max(at, this.gates.openAt(scope));
    const now = this.clock.now();
    if (at <= now) return undefined;
    // Sleep, then look again: the gate may have moved later meanwhile.
    return abortableSleep(this.clock, at - now, signal, this.stopper.signal).then(() => this.waitGates(scopes, signal));
  }

  async close(): Promise<void> {
    this.stopper.abort(new ClosedError('telegram-resilience: the limiter was closed'));
    this.scheduler?.close();
    await this.link?.close();
  }
}
