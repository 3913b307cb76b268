/**
 * `broadcastProcessor({ api, connection })`: a BullMQ processor that sends one campaign message per
 * job. Each job claims its recipient in the Redis journal ("sending", durable before the request
 * leaves), sends, and records the outcome before the job completes; the jobs a worker runs together
 * claim and record in one script call each (journal-batches.ts). A recipient already "sending"
 * when its job is picked up (the worker that had it died) becomes uncertain and is not resent.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatId, ClaimRules, Outcome, RecipientState } from '../broadcast/journal.js';
import { failedOutcome, interruptedOutcome, sentOutcome } from '../broadcast/outcome.js';
import type { BroadcastApi, MessageParams } from '../broadcast/types.js';
import { checkOptions } from '../core/check-options.js';
import { boolean, func, hasMethods, nonNegativeOrInfinity, string, type Check } from '../core/checks.js';
import { isCampaignLostError } from './errors.js';
import { ioredisClientCheck } from './ioredis-check.js';
import { journalBatches, type JournalBatches } from './journal-batches.js';
import { parseJobData } from './job-data.js';
import { redisJournal, type RedisJournal } from './redis-journal.js';

export interface BroadcastProcessorOptions {
  /** Sends each message: `createBotApi({ token, resilience: createResilience({ throttle: true, backend: redisBackend(...) }) })`. */
  api: BroadcastApi;
  /** The journal's Redis connection (ioredis; `maxRetriesPerRequest: null` lets a record wait out a reconnect). */
  connection: Redis;
  /**
   * Prefix of the journal's keys; the same as `enqueueBroadcast`'s.
   * @default 'tgr:'
   */
  keyPrefix?: string;
  /**
   * Resend recipients an earlier run left `uncertain`, whatever the job says.
   * @default false (the job's own `resendUncertain`)
   */
  resendUncertain?: boolean;
  /**
   * Resend recipients Telegram refused for good, whatever the job says.
   * @default false (the job's own `retryFailed`)
   */
  retryFailed?: boolean;
  /**
   * How long an outcome that cannot be recorded (Redis gone) is retried before the job fails, in ms.
   * The recipient then stays "sending" and becomes uncertain when claimed again.
   * @default 60000
   */
  recordRetryMs?: number;
  /** Called once per job with its result (for progress counters). */
  onResult?: (result: BroadcastJobResult) => void;
}

/** A job's return value (shown by Bull Board): where its recipient ended. */
export interface BroadcastJobResult {
  campaign: string;
  chatId: ChatId;
  state: RecipientState | 'duplicate';
  /** True when an earlier run or job had already finished this recipient (nothing was sent). */
  earlier: boolean;
  messageId?: number;
}

/** The part of a BullMQ `Job` the processor reads. */
export interface BroadcastJob {
  id?: string | undefined;
  data: unknown;
}

export type BroadcastProcessor = (job: BroadcastJob, token?: string, signal?: AbortSignal) => Promise<BroadcastJobResult>;

const WHERE = 'broadcastProcessor';
/** How each option is checked. */
const OPTION_CHECKS = {
  api: hasMethods('an object with call(method, params, { signal }), such as createBotApi(...)', 'call'),
  connection: ioredisClientCheck,
  keyPrefix: string,
  resendUncertain: boolean,
  retryFailed: boolean,
  recordRetryMs: nonNegativeOrInfinity,
  onResult: func,
} satisfies Record<keyof BroadcastProcessorOptions, Check>;
/** A migrated group is followed this many times within one job. */
const MAX_HOPS = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function broadcastProcessor(options: BroadcastProcessorOptions): BroadcastProcessor {
  checkOptions(WHERE, options, OPTION_CHECKS, { required: ['api', 'connection'] });
  const { api, connection, keyPrefix, onResult, recordRetryMs = 60_000 } = options;

  const processId = randomUUID();
  let batch = 0;
  /** Each campaign's journal, and its claims and records batched per turn (see journal-batches.ts). */
  const campaigns = new Map<string, { journal: RedisJournal; batches: JournalBatches }>();
  const campaignOf = (campaign: string) => {
    let found = campaigns.get(campaign);
    if (!found) {
      const journal = redisJournal({ client: connection, campaign, ...(keyPrefix !== undefined && { keyPrefix }) });
      found = { journal, batches: journalBatches(journal, () => `job:${processId}:${++batch}`) };
      campaigns.set(campaign, found);
    }
    return found;
  };
  const messages = new Map<string, Promise<{ method: string; params: MessageParams | undefined }>>();
  const messageOf = (journal: RedisJournal) => {
    let message = messages.get(journal.campaign);
    if (!message) {
      message = journal.message();
      message.catch(() => messages.delete(journal.campaign));
      messages.set(journal.campaign, message);
    }
    return message;
  };

  /** Records, waiting out a Redis outage for up to `recordRetryMs`: the outcome is known only here. */
  const record = async (batches: JournalBatches, outcome: Outcome) => {
    const deadline = Date.now() + recordRetryMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        return await batches.record(outcome);
      } catch (error) {
        if (isCampaignLostError(error) || Date.now() >= deadline) throw error;
        await sleep(wait);
      }
    }
  };

  return async (job, _token, signal) => {
    const data = parseJobData(job.data);
    const { journal, batches } = campaignOf(data.campaign);
    const message = await messageOf(journal);
    const rules: ClaimRules = { resendUncertain: options.resendUncertain === true || data.resendUncertain === true, retryFailed: options.retryFailed === true || data.retryFailed === true };
    const finish = (result: BroadcastJobResult) => {
      onResult?.(result);
      return result;
    };
    for (let hop = 0; ; hop++) {
      const claim = await batches.claim(data.chatId, rules);
      if (!claim || claim.claim === 'duplicate') return finish({ campaign: data.campaign, chatId: data.chatId, state: 'duplicate', earlier: true });
      if (claim.claim === 'done') {
        const r = claim.record;
        return finish({ campaign: data.campaign, chatId: data.chatId, state: r.state, earlier: hop === 0 || r.state !== 'sent', ...(r.messageId !== undefined && { messageId: r.messageId }) });
      }
      const base = data.params ?? message.params;
      let outcome: Outcome;
      if (base === undefined) {
        outcome = { chatId: data.chatId, state: 'failed', kind: 'message', description: `campaign "${data.campaign}" has no message parameters`, retryable: false };
      } else {
        const params = { ...base, chat_id: claim.target, ...(data.paid && { allow_paid_broadcast: true }) };
        outcome = await api.call(message.method, params, { signal: signal ?? new AbortController().signal }).then(
          (result) => sentOutcome(data.chatId, claim.target, result),
          (error: unknown) => (signal?.aborted && error === signal.reason ? interruptedOutcome(data.chatId) : failedOutcome(data.chatId, claim.target, error)),
        );
      }
      if (outcome.state === 'migrated' && hop + 1 >= MAX_HOPS) {
        outcome = { chatId: data.chatId, state: 'failed', kind: 'chat_migrated', description: `migrated more than ${MAX_HOPS - 1} times`, retryable: false };
      }
      await record(batches, outcome);
      if (outcome.state === 'migrated') continue; // claimed again, to its new id
      return finish({
        campaign: data.campaign,
        chatId: data.chatId,
        state: outcome.state,
        earlier: false,
        ...(outcome.state === 'sent' && outcome.messageId !== undefined && { messageId: outcome.messageId }),
      });
    }
  };
}
