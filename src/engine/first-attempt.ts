/**
 * A call's first attempt and, when it fails, the retry loop. A queued paced call is one
 * `QueuedCall` object waiting in the scheduler: it holds what the first attempt needs, and the
 * call's promise is settled from it (no promise chain per queued call).
 */
import { AsyncResource } from 'node:async_hooks';
import { NOT_HELD, type JobList, type PaceJob, type PaceTicket } from '../limits/job-queue.js';
import type { ResolvedPolicy } from '../policy/options.js';
import { runAttempt, UnsignalledAttempt } from './attempt.js';
import { retryAfterFailure } from './retry-loop.js';
import type { EngineState } from './state.js';
import { ATTEMPT_OUTCOME, type AdapterCallInfo, type Attempt, type AttemptFn, type AttemptOutcome, type CallInfo, type CallParams } from '../core/call.js';

/** The policy of a call, or how to find it (resolved only if the first attempt fails). */
export type CallPolicy = ResolvedPolicy | ((info: CallInfo) => ResolvedPolicy);

/** What a call's first attempt needs. */
export interface FirstAttempt<T> {
  fn: AttemptFn<T>;
  info: CallInfo;
  attempt: Attempt;
  /**
   * When the call began (clock time): queueing and sleeps count against `maxElapsedMs` from here.
   * Undefined when the call's policy has no finite `maxElapsedMs` (nothing reads it then).
   */
  startedAt: number | undefined;
  /** The call counts against Telegram's sending limits: its retries are paced too. */
  paced: boolean;
  policy: CallPolicy;
  /** A paced call's slot in the scheduler (see `PaceTicket`). */
  ticket?: PaceTicket;
}

export function firstAttemptOf(state: EngineState, info: CallInfo, params: CallParams | undefined): Attempt {
  const { method, signal } = info;
  const dc = info.dc ?? state.homeDc;
  if (signal) return { method, params, dc, number: 1, signal };
  // The engine itself waits on `info.signal` only: `fn` gets a signal when it reads one.
  return new UnsignalledAttempt(method, params, dc, 1);
}

/**
 * Runs the first attempt (already through the limiter); a failure enters the retry loop. A paced
 * call's `ticket` (its slot): its answer's round trip is reported, its retries keep its place.
 */
export function runFirstAttempt<T>(state: EngineState, first: FirstAttempt<T>): Promise<T> {
  const { attempt, ticket } = first;
  const sent = runAttempt(first.fn, attempt, first.info.signal);
  if ((first.info as AdapterCallInfo)[ATTEMPT_OUTCOME] !== undefined) return settleFirst(state, first, sent);
  // The success path is most calls: then(undefined, f), not catch(f) (which looks `then` up again),
  // and a handler that holds two values, not the seven the retry loop needs.
  return sent.then(ticket ? (result: T) => answered(state, ticket, result) : undefined, (error: unknown) => retryFirst(state, first, error));
}

/**
 * The first attempt of an adapter's call that reads outcomes itself (see `AttemptOutcome`): one
 * reaction checks the answer; a failed one, or a rejection, enters the retry loop, whose final
 * failure goes through `onGiveUp`.
 */
export function settleFirst<T>(state: EngineState, first: FirstAttempt<T>, sent: Promise<T>): Promise<T> {
  const { ticket } = first;
  const outcome = (first.info as AdapterCallInfo)[ATTEMPT_OUTCOME]!;
  return sent.then(
    (value) => {
      const failure = outcome.failureIn(value, first.attempt.method);
      if (failure !== undefined) return retryOrGiveUp(state, first, outcome, failure);
      return ticket ? answered(state, ticket, value) : value;
    },
    (error: unknown) => retryOrGiveUp(state, first, outcome, ownError(outcome, first.info.signal, error)),
  );
}

/** The retry loop for an adapter's call; what it gives up on is handed to the adapter (`onGiveUp`). Not a closure made per call: most calls succeed. */
function retryOrGiveUp<T>(state: EngineState, first: FirstAttempt<T>, outcome: AttemptOutcome, error: unknown): Promise<T> {
  return retryFirst(state, first, error).then(undefined, outcome.onGiveUp) as Promise<T>;
}

/** The first attempt failed: the retry loop takes over. */
export function retryFirst<T>(state: EngineState, first: FirstAttempt<T>, error: unknown): Promise<T> {
  const { fn, info, attempt, startedAt, paced, policy, ticket } = first;
  const send = sendThrough(state, fn, paced, info.signal, (info as AdapterCallInfo)[ATTEMPT_OUTCOME], ticket);
  return retryAfterFailure(state, typeof policy === 'function' ? policy(info) : policy, send, info, attempt, error, startedAt, ticket);
}

function answered<T>(state: EngineState, ticket: PaceTicket, result: T): T {
  state.limiter?.answered(ticket);
  return result;
}

/**
 * Sends one attempt through the limiter (when there is one): waits for pacing and flood gates first.
 * `signal` is the call's own (it ends the wait). A paced call's retry keeps its place in its chat's
 * queue (`ticket`), waits there until `notBefore` (clock time) when a flood holds it, and reports
 * its answer's round trip.
 */
export function sendThrough<T>(
  state: EngineState,
  fn: AttemptFn<T>,
  paced: boolean,
  signal: AbortSignal | undefined,
  outcome?: AttemptOutcome,
  ticket?: PaceTicket,
) {
  const run = (attempt: Attempt): Promise<T> => {
    const sent = runAttempt(fn, attempt, signal);
    if (!outcome) return ticket ? sent.then((result) => answered(state, ticket, result)) : sent;
    return sent.then(
      (value) => {
        const failure = outcome.failureIn(value, attempt.method);
        if (failure !== undefined) throw failure;
        return ticket ? answered(state, ticket, value) : value;
      },
      (error: unknown) => {
        throw ownError(outcome, signal, error);
      },
    );
  };
  return (attempt: Attempt, notBefore?: number): Promise<T> => {
    const wait = state.limiter?.acquire(attempt, paced, signal, ticket, notBefore);
    if (!wait) return run(attempt);
    return wait.then(() => run(attempt));
  };
}

/** The call's own abort reason stays the caller's object, untouched; any other rejection is the attempt's. */
function ownError(outcome: AttemptOutcome, signal: AbortSignal | undefined, error: unknown): unknown {
  return signal?.aborted && error === signal.reason ? error : outcome.errorOf(error);
}

/**
 * A paced call waiting for its slot: the scheduler's job and the call's pending state in one object.
 * It is an AsyncResource because the scheduler wakes it from a timer: its attempt must run in the
 * caller's async context (AsyncLocalStorage stores, tracing spans), as an awaited call would.
 * Its attempt is built when it goes, so it goes to the home DC known by then.
 */
export class QueuedCall<T> extends AsyncResource implements PaceJob {
  seq = -1;
  sentAt = 0;
  sendNo = -1;
  notBefore = NOT_HELD;
  queuedAt = 0;
  next: PaceJob | undefined = undefined;
  prev: PaceJob | undefined = undefined;
  list: JobList | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  /**
   * How the call's promise is settled, once there is one: its resolve function. Only `resolve` is
   * kept, rejections go through it too (a promise's reject function costs ~50 bytes per queued
   * call). Before `promise()` is asked for, the outcome of a job settled during `admit()` itself.
   */
  private settle: ((result: Promise<T>) => void) | Promise<T> | undefined = undefined;

  constructor(
    private readonly state: EngineState,
    private readonly fn: AttemptFn<T>,
    private readonly info: CallInfo,
    private readonly params: CallParams | undefined,
    private readonly policy: ResolvedPolicy,
    private readonly startedAt: number | undefined,
  ) {
    super('telegram-resilience.call', { requireManualDestroy: true });
  }

  /** The call's promise, after `admit()` returned false. */
  promise(): Promise<T> {
    const early = this.settle;
    if (early) return early as Promise<T>;
    return new Promise<T>((resolve) => {
      this.settle = resolve;
    });
  }

  /** Sends the first attempt now (the slot is taken). */
  send(): Promise<T> {
    const attempt = firstAttemptOf(this.state, this.info, this.params);
    return runFirstAttempt(this.state, { fn: this.fn, info: this.info, attempt, startedAt: this.startedAt, paced: true, policy: this.policy, ticket: this });
  }

  get paid(): boolean {
    return this.params?.allow_paid_broadcast === true;
  }

  get method(): string | undefined {
    return this.info.method;
  }

  get signal(): AbortSignal | undefined {
    return this.info.signal;
  }

  proceed(): void {
    this.finish(this.runInAsyncScope(this.send, this));
  }

  refuse(reason: unknown): void {
    this.finish(Promise.reject(reason));
  }

  private finish(result: Promise<T>): void {
    const resolve = this.settle;
    if (typeof resolve === 'function') resolve(result);
    else this.settle = result;
    this.emitDestroy();
  }
}
