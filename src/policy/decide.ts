/**
 * The decision table: given one classified failure, the policy, and what this call has been through
 * so far, what happens next. Pure (randomness is passed in), so `explain` and the engine can never
 * disagree: both call this.
 */
import type { Failure } from '../errors/failure.js';
// When Telegram says "too many requests" but not how long: `classify` already fills the wait in;
// `decide` falls back to it for failures built by hand.
import { DEFAULT_FLOOD_WAIT_MS } from '../errors/shapes.js';
import { fullJitterDelay } from './backoff.js';
import { migratedChatIdIn } from './chat-ids.js';
import type { CallParams } from '../core/call.js';
import type { ResolvedPolicy } from './options.js';

/** What one call has used up so far. */
export interface CallBudget {
  /** Attempts counted against `maxAttempts` (network/timeout/5xx failures), the first attempt included. */
  attempts: number;
  /** Backoff retries made so far (drives the exponential window). */
  backoffs: number;
  floodWaits: number;
  dcHops: number;
  chatMigrations: number;
  /** Milliseconds slept so far. */
  totalDelayMs: number;
  /** Milliseconds since the call began (sleeps, attempts and queueing included). */
  elapsedMs: number;
}

export const freshBudget = (): CallBudget => ({
  attempts: 1,
  backoffs: 0,
  floodWaits: 0,
  dcHops: 0,
  chatMigrations: 0,
  totalDelayMs: 0,
  elapsedMs: 0,
});

/**
 * What happens next, by `action`; each case carries what it needs (`reroute` its DC, `rewrite` the
 * new chat id, `sleep`/`backoff` the wait). The fields of the other cases are typed absent, so
 * `decision.delayMs` can be read on any decision (undefined where there is no wait).
 */
export type Decision =
  | { action: 'sleep' | 'backoff'; /** How long to wait before the next attempt. */ delayMs: number; dc?: never; chatId?: never; reason: string }
  | { action: 'reroute'; /** The DC to send the next attempt to. */ dc: number; delayMs?: never; chatId?: never; reason: string }
  | { action: 'rewrite'; /** The chat id to send the next attempt to. */ chatId: number; delayMs?: never; dc?: never; reason: string }
  | { action: 'fail'; delayMs?: never; dc?: never; chatId?: never; /** Why, in words a person can act on. */ reason: string };

/** How long a decision waits before the next attempt (0 when it does not wait). */
export function delayOf(decision: Decision): number {
  return decision.delayMs ?? 0;
}

export interface DecideInput {
  failure: Failure;
  policy: ResolvedPolicy;
  budget: CallBudget;
  method: string | undefined;
  /** The call's own `idempotent` flag, when it gave one. */
  idempotent: boolean | undefined;
  /** The parameters of the attempt that failed (a chat migration needs a chat id to rewrite). */
  params?: CallParams | undefined;
  random: () => number;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

export function decide(input: DecideInput): Decision {
  const decision = decideAction(input);
  const { policy, budget } = input;
  // A retry that would come after the answer stopped mattering is no retry: give up now.
  if (decision.action !== 'fail' && budget.elapsedMs + delayOf(decision) > policy.maxElapsedMs) {
    return {
      action: 'fail',
      reason: `retrying would end after maxElapsedMs (${policy.maxElapsedMs}ms) since the call began`,
    };
  }
  return decision;
}

function decideAction({ failure, policy, budget, method, idempotent, params, random }: DecideInput): Decision {
  const left = policy.maxTotalDelayMs - budget.totalDelayMs;
  switch (failure.kind) {
    case 'flood': {
      const waitMs = failure.retryAfterMs ?? DEFAULT_FLOOD_WAIT_MS;
      if (waitMs > policy.floodSleepThreshold * 1000) {
        return {
          action: 'fail',
          reason: `flood wait of ${seconds(waitMs)} is over floodSleepThreshold (${policy.floodSleepThreshold}s)`,
        };
      }
      if (budget.floodWaits >= policy.maxFloodWaits) {
        return { action: 'fail', reason: `maxFloodWaits (${policy.maxFloodWaits}) reached` };
      }
      if (waitMs > left) {
        return {
          action: 'fail',
          reason: `flood wait of ${seconds(waitMs)} does not fit in what is left of maxTotalDelayMs (${Math.max(0, left)}ms)`,
        };
      }
      const jitter = Math.min(policy.floodJitterMs * clampUnit(random()), left - waitMs);
      return { action: 'sleep', delayMs: Math.ceil(waitMs + jitter), reason: `Telegram asked to wait ${seconds(waitMs)}` };
    }
    case 'dc_migrate': {
      if (failure.dc === undefined) return { action: 'fail', reason: 'DC migration without a DC number' };
      if (budget.dcHops >= policy.maxDcHops) {
        return { action: 'fail', reason: `maxDcHops (${policy.maxDcHops}) reached: DC migration loop stopped` };
      }
      return { action: 'reroute', dc: failure.dc, reason: `${failure.type ?? 'migration'}: repeat on DC ${failure.dc}` };
    }
    case 'chat_migrated': {
      if (failure.migrateToChatId === undefined) return { action: 'fail', reason: 'chat migration without a new chat id' };
      if (!migratedChatIdIn(params)) return { action: 'fail', reason: 'chat migration, but the call has no chat id parameter to rewrite' };
      if (budget.chatMigrations >= policy.maxChatMigrations) {
        return { action: 'fail', reason: `maxChatMigrations (${policy.maxChatMigrations}) reached` };
      }
      return {
        action: 'rewrite',
        chatId: failure.migrateToChatId,
        reason: `group was upgraded to supergroup ${failure.migrateToChatId}`,
      };
    }
    case 'network':
    case 'timeout':
    case 'server': {
      const resendable = idempotent ?? policy.idempotent ?? policy.isIdempotent(method);
      if (failure.maybeDelivered && !resendable && !policy.allowDuplicates) {
        return {
          action: 'fail',
          reason: `${failure.kind} failure after the request may have been delivered; ${method ?? 'this call'} is not idempotent, so it is not resent (set idempotent: true or allowDuplicates to allow)`,
        };
      }
      if (budget.attempts >= policy.maxAttempts) {
        return { action: 'fail', reason: `maxAttempts (${policy.maxAttempts}) reached` };
      }
      if (left <= 0) return { action: 'fail', reason: `maxTotalDelayMs (${policy.maxTotalDelayMs}ms) used up` };
      const delayMs = Math.min(fullJitterDelay(budget.backoffs + 1, policy.baseDelayMs, policy.maxDelayMs, random), left);
      return { action: 'backoff', delayMs, reason: `${failure.kind} failure: back off and retry` };
    }
    case 'conflict':
      if (method === 'getUpdates') {
        return {
          action: 'fail',
          reason:
            '409 Conflict on getUpdates: another instance of this bot is polling (or a webhook is set); stop the other instance or call deleteWebhook',
        };
      }
      return { action: 'fail', reason: 'conflict failures are not retried' };
    default:
      return { action: 'fail', reason: `${failure.kind} failures are not retried` };
  }
}

function clampUnit(r: number): number {
  return Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
}

/** The budget after acting on `decision` (the engine and `explain` share this bookkeeping). */
export function spend(budget: CallBudget, decision: Decision): CallBudget {
  const next = { ...budget, totalDelayMs: budget.totalDelayMs + delayOf(decision) };
  if (decision.action === 'sleep') next.floodWaits++;
  else if (decision.action === 'reroute') next.dcHops++;
  else if (decision.action === 'rewrite') next.chatMigrations++;
  else if (decision.action === 'backoff') {
    next.backoffs++;
    next.attempts++;
  }
  return next;
}
