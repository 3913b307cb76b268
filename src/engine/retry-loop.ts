/**
 * The slow path: entered only after a first attempt failed. p-retry runs the loop; every decision
 * (sleep, reroute, rewrite, back off, give up) is taken in `onFailedAttempt` from `decide`, and every
 * sleep goes through the injected clock. p-retry's own delay is zero and its retry count unbounded:
 * our budget (attempts, hops, rewrites, flood waits, total delay) is what ends the loop.
 */
import pRetry from 'p-retry';
import { classify } from '../errors/classify.js';
import { ClosedError } from '../errors/closed-error.js';
import type { Failure } from '../errors/failure.js';
import { decide, delayOf, freshBudget, spend, type Decision } from '../policy/decide.js';
import { migratedChatIdIn, rewriteChatId } from '../policy/chat-ids.js';
import type { ResolvedPolicy } from '../policy/options.js';
import { abortableSleep, abortReason } from '../core/abort.js';
import { attemptWith } from './attempt.js';
import type { EngineState } from './state.js';
import type { Attempt, CallInfo } from '../core/call.js';
import type { PaceTicket } from '../limits/job-queue.js';

/** Carries an attempt's error through p-retry untouched (p-retry replaces non-Error values). */
class AttemptFailed extends Error {
  constructor(readonly original: unknown) {
    super('attempt failed');
  }
}

/** Thrown from `onFailedAttempt` to end the loop with `value` as the call's rejection. */
class Stop extends Error {
  constructor(readonly value: unknown) {
    super('stop');
  }
}

const HOME_CHANGING_MIGRATION = /^(USER|PHONE|NETWORK)_MIGRATE/;

export async function retryAfterFailure<T>(
  state: EngineState,
  policy: ResolvedPolicy,
  send: (attempt: Attempt, notBefore?: number) => Promise<T>,
  info: CallInfo,
  first: Attempt,
  firstError: unknown,
  startedAt: number | undefined,
  ticket?: PaceTicket,
): Promise<T> {
  const { signal } = info;
  let budget = freshBudget();
  let current = first;
  let pending: { error: unknown } | undefined = { error: firstError };
  // A paced call with a local scheduler waits out a flood in its chat's queue, in its place (the
  // chat's later calls stay behind it, so a chat's messages arrive in the order they were called).
  const waitInQueue = ticket !== undefined && state.limiter?.scheduler !== undefined;
  let notBefore: number | undefined;

  const onFailedAttempt = async ({ error }: { error: Error }) => {
    if (error instanceof Stop) throw error; // closed before the next attempt was sent
    const original = error instanceof AttemptFailed ? error.original : error;
    if (signal?.aborted) throw new Stop(abortReason(signal));
    const failure = classify(original);
    await state.onFailure?.(failure, current, ticket);
    // No start time: the policy has no finite maxElapsedMs, so elapsed time cannot matter.
    if (startedAt !== undefined) budget = { ...budget, elapsedMs: state.clock.now() - startedAt };
    const decision = decide({
      failure,
      policy,
      budget,
      method: current.method,
      idempotent: info.idempotent,
      params: current.params,
      random: state.random,
    });
    if (failure.kind === 'chat_migrated') await remember(state, current, failure);
    if (decision.action === 'fail') {
      state.events.emit('giveUp', {
        method: current.method,
        failure,
        attempts: current.number,
        reason: decision.reason,
        error: original,
      });
      throw new Stop(original);
    }
    budget = spend(budget, decision);
    announce(state, current, failure, decision);
    current = await nextAttempt(state, current, failure, decision);
    const delayMs = delayOf(decision);
    notBefore = undefined;
    if (decision.action === 'sleep' && waitInQueue) {
      notBefore = state.clock.now() + delayMs;
    } else if (delayMs > 0) {
      try {
        await abortableSleep(state.clock, delayMs, signal, state.stopper.signal);
      } catch (abort) {
        throw new Stop(abort);
      }
    }
    // An answer that needs no sleep (a migration, retry_after 0, a backoff whose jitter came out 0)
    // goes straight to the next attempt: nothing may be sent after close(), so look here too.
    if (state.closed) throw new Stop(closedBeforeRetry());
  };

  try {
    return await pRetry(
      async (attemptNumber: number) => {
        if (pending) {
          const { error } = pending;
          pending = undefined;
          throw new AttemptFailed(error);
        }
        if (state.closed) throw new Stop(closedBeforeRetry());
        current = attemptWith(current, { number: attemptNumber });
        try {
          return await send(current, notBefore);
        } catch (error) {
          throw new AttemptFailed(error);
        }
      },
      {
        // Every option given explicitly: p-retry 7.1 takes a much slower path for partial option objects.
        retries: Number.POSITIVE_INFINITY,
        factor: 1,
        minTimeout: 0,
        maxTimeout: 0,
        maxRetryTime: Number.POSITIVE_INFINITY,
        randomize: false,
        unref: false,
        onFailedAttempt,
        shouldRetry: () => true,
        shouldConsumeRetry: () => true,
      },
    );
  } catch (error) {
    if (error instanceof Stop) throw error.value;
    if (error instanceof AttemptFailed) throw error.original;
    throw error;
  }
}

/** A decision to try again. */
type Retry = Exclude<Decision, { action: 'fail' }>;

function closedBeforeRetry(): ClosedError {
  return new ClosedError('telegram-resilience: closed before the call could be retried');
}

function announce(state: EngineState, attempt: Attempt, failure: Failure, decision: Retry): void {
  const { events } = state;
  const base = { method: attempt.method, failure, attempt: attempt.number };
  if (decision.action === 'sleep' && events.has('floodWait')) {
    events.emit('floodWait', { ...base, retryAfterMs: failure.retryAfterMs ?? decision.delayMs, delayMs: decision.delayMs });
  }
  if (decision.action === 'reroute' && events.has('dcMigrate')) {
    events.emit('dcMigrate', { ...base, fromDc: attempt.dc, toDc: decision.dc });
  }
  if (decision.action === 'rewrite' && events.has('chatMigrate')) {
    events.emit('chatMigrate', { ...base, fromChatId: migratedChatIdIn(attempt.params)!.value, toChatId: decision.chatId });
  }
  if (events.has('retry')) {
    events.emit('retry', { ...base, action: decision.action, delayMs: delayOf(decision) });
  }
}

async function nextAttempt(state: EngineState, attempt: Attempt, failure: Failure, decision: Retry): Promise<Attempt> {
  if (decision.action === 'reroute') {
    if (failure.type !== undefined && HOME_CHANGING_MIGRATION.test(failure.type)) state.homeDc = decision.dc;
    return attemptWith(attempt, { dc: decision.dc });
  }
  if (decision.action === 'rewrite') {
    const old = migratedChatIdIn(attempt.params)!;
    return attemptWith(attempt, { params: rewriteChatId(attempt.params!, old.value, decision.chatId) });
  }
  return attempt;
}

/** Stores old -> new so later calls go straight to the supergroup. A failing store must not fail the call. */
async function remember(state: EngineState, attempt: Attempt, failure: Failure): Promise<void> {
  const old = migratedChatIdIn(attempt.params);
  if (!old || failure.migrateToChatId === undefined) return;
  try {
    await state.chatIdStore.set(String(old.value), failure.migrateToChatId);
  } catch (error) {
    state.reportError(error);
  }
}
