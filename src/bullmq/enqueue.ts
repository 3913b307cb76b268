/**
 * `enqueueBroadcast(queue, options)`: one BullMQ job per recipient, with an id made from the
 * campaign and the chat, so every process may enqueue the same list and each recipient waiting or
 * running is still one job. Recipients are read as a stream and added in batches (`addBulk`).
 * A recipient whose job is still in the queue, or whose outcome in the journal the job's rules
 * would not resend, gets no new job (see enqueue-filter.ts: each process enqueues the whole file).
 * Finished jobs are removed, so a rerun with `resendUncertain` or `retryFailed` reaches them.
 */
import type { Redis } from 'ioredis';
import { chatKey, parseChatId } from '../broadcast/chat-id.js';
import type { ChatId } from '../broadcast/journal.js';
import { checkMessage, messageCheck } from '../broadcast/message-option.js';
import { recipientsCheck } from '../broadcast/recipients-option.js';
import type { BroadcastMessage } from '../broadcast/types.js';
import { checkOptions } from '../core/check-options.js';
import { boolean, describeValue, hasMethods, string, wholePositive, type Check } from '../core/checks.js';
import { jobLookupOf, stillToEnqueue } from './enqueue-filter.js';
import { batchLeases } from './enqueue-leases.js';
import { ioredisClientCheck } from './ioredis-check.js';
import { JOB_NAME, type BroadcastJobData } from './job-data.js';
import { campaignCheck, jobIdOf } from './keys.js';
import { redisJournal } from './redis-journal.js';

/** The part of a BullMQ `Queue` used here. */
export interface BroadcastQueue {
  addBulk(jobs: Array<{ name: string; data: BroadcastJobData; opts: Record<string, unknown> }>): Promise<unknown>;
}

export interface EnqueueBroadcastOptions {
  /** The campaign: 1-100 letters, digits, `_`, `.` or `-`. One campaign is one message. */
  campaign: string;
  /** Chat ids or `@usernames`, read as a stream. An invalid one is a TypeError (the ones before it are enqueued). */
  recipients: Iterable<ChatId> | AsyncIterable<ChatId>;
  /** What to send, as for `broadcast()`: `{ method?, params }` (params an object, or a function of the chat id). */
  message: BroadcastMessage;
  /**
   * `allow_paid_broadcast: true` on every message (up to 1,000 messages/s, paid in Stars).
   * @default false
   */
  paid?: boolean;
  /**
   * These jobs resend recipients an earlier run left `uncertain` (exactly those).
   * @default false
   */
  resendUncertain?: boolean;
  /**
   * These jobs resend recipients Telegram refused for good in an earlier run.
   * @default false
   */
  retryFailed?: boolean;
  /**
   * The Redis connection of the journal (ioredis).
   * @default the queue's own connection
   */
  connection?: Redis;
  /**
   * Prefix of the journal's keys; the same as the processor's.
   * @default 'tgr:'
   */
  keyPrefix?: string;
  /**
   * Recipients per `addBulk`.
   * @default 1000
   */
  batchSize?: number;
}

const WHERE = 'enqueueBroadcast';

/** How each option is checked (`message`'s own keys by `checkMessage`, as for `broadcast()`). */
const OPTION_CHECKS = {
  campaign: campaignCheck,
  recipients: recipientsCheck,
  message: messageCheck,
  paid: boolean,
  resendUncertain: boolean,
  retryFailed: boolean,
  connection: ioredisClientCheck,
  keyPrefix: string,
  batchSize: wholePositive,
} satisfies Record<keyof EnqueueBroadcastOptions, Check>;

const queueCheck = hasMethods('a BullMQ Queue', 'addBulk');

async function connectionOf(queue: unknown, given: unknown): Promise<Redis> {
  if (given !== undefined) return given as Redis;
  const backend = (queue as { getBackend?: () => { client?: Promise<unknown> } }).getBackend?.();
  const client = (await backend?.client) as Record<string, unknown> | undefined;
  if (!client || typeof client.defineCommand !== 'function') {
    throw new TypeError(`${WHERE}: the queue has no ioredis connection to keep the journal in; pass option \`connection\` (an ioredis client)`);
  }
  return client as unknown as Redis;
}

/** Enqueues every recipient of a campaign; resolves with how many were offered. Rejects with `JournalMismatchError` when the campaign belongs to another message. */
export async function enqueueBroadcast(queue: BroadcastQueue, options: EnqueueBroadcastOptions): Promise<{ enqueued: number }> {
  const problem = queueCheck(queue);
  if (problem !== undefined) throw new TypeError(`${WHERE}: the first argument must be ${problem}, got ${describeValue(queue)}`);
  checkOptions(WHERE, options, OPTION_CHECKS, { required: ['campaign', 'recipients', 'message'] });
  const { campaign, batchSize = 1000 } = options;
  const message = checkMessage(WHERE, options.message);

  const client = await connectionOf(queue, options.connection);
  const journal = redisJournal({ client, campaign, ...(options.keyPrefix !== undefined && { keyPrefix: options.keyPrefix }) });
  await journal.bind({ fingerprint: message.fingerprint, method: message.method, ...(message.fixed && { params: message.fixed }) });

  const flags = {
    ...(options.paid === true && { paid: true as const }),
    ...(options.resendUncertain === true && { resendUncertain: true as const }),
    ...(options.retryFailed === true && { retryFailed: true as const }),
  };
  const opts = () => ({ removeOnComplete: true, removeOnFail: true, attempts: 20, backoff: { type: 'exponential', delay: 500 } });
  const rules = { resendUncertain: options.resendUncertain === true, retryFailed: options.retryFailed === true };
  const lookup = await jobLookupOf(queue);
  const leases = batchLeases(client, journal.keys.enqueueLeases, JSON.stringify(flags));
  // A job is built only for a recipient the filter keeps: every process offers the whole list, and
  // most of what it offers is already queued or done.
  const jobOf = (chatId: ChatId) => {
    const data: BroadcastJobData = { campaign, chatId, ...flags, ...(message.build && { params: message.build(chatId) }) };
    return { name: JOB_NAME, data, opts: { jobId: jobIdOf(campaign, chatId), ...opts() } };
  };
  let batch: ChatId[] = [];
  let read = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const offered = batch;
    batch = [];
    const jobIds = offered.map((chatId) => jobIdOf(campaign, chatId));
    await leases.offer(jobIds, async () => {
      const chatKeys = offered.map(chatKey);
      const needed = await stillToEnqueue(client, journal.keys, lookup, chatKeys, jobIds, rules);
      const jobs = offered.filter((_chatId, i) => needed[i]).map(jobOf);
      if (jobs.length > 0) await queue.addBulk(jobs);
    });
  };
  for await (const value of options.recipients) {
    read++;
    const chatId = parseChatId(value);
    if (chatId === undefined) {
      await flush();
      await leases.settle();
      throw new TypeError(`${WHERE}: recipient #${read} is not a chat id (a non-zero integer or "@username"): ${JSON.stringify(value)}`);
    }
    batch.push(chatId);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await leases.settle();
  return { enqueued: read };
}
