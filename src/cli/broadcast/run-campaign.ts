/**
 * `telegram-resilience broadcast --redis URL --campaign NAME`: the same command on any number of
 * processes and machines. Each enqueues the chats file into the campaign's BullMQ queue (one job
 * per recipient, idempotent), works the queue with limits shared through Redis (from its first
 * batch on), and when it has enqueued the whole file and the queue is empty prints the report of
 * the whole campaign. bullmq and ioredis are loaded only here.
 */
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { createBotApi } from '../../botapi/index.js';
import { untilAborted } from '../../core/abort.js';
import { isJournalMismatchError, type BroadcastReport, type ChatId } from '../../broadcast/index.js';
import { broadcastProcessor, broadcastWorkerOptions, campaignReport, campaignSnapshot, enqueueBroadcast, isCampaignLostError, redisJournal } from '../../bullmq/index.js';
import { createResilience } from '../../engine/resilience.js';
import { redisBackend } from '../../limits/redis/index.js';
import type { CliIo } from '../args.js';
import { writeLines } from '../command.js';
import { connectRedis, watchRedis } from './campaign-redis.js';
import { renderCampaignReport } from './campaign-text.js';
import { readChats } from './chats-file.js';
import { splitStream, untilStopped } from './stream-split.js';
import { preflight } from './preflight.js';
import type { BroadcastCliOptions } from './run-broadcast.js';

export interface CampaignCliOptions extends Omit<BroadcastCliOptions, 'journal'> {
  redis: string;
  campaign: string;
}

const MISSING = 'the --redis mode needs the bullmq (6.x) and ioredis (5.x) packages, which could not be loaded. Install them: npm install bullmq@6 ioredis@5';
/** How long Redis may be gone before a process gives up (its claimed recipients become uncertain). */
const REDIS_GIVE_UP_MS = 60_000;
const POLL_MS = 250;
/** Recipients enqueued before this process starts working the queue (enqueueBroadcast's batch). */
const FIRST_BATCH = 1_000;
/** After the queue is empty (or Ctrl-C), how long jobs in flight may take to finish before the report is read. */
const CLOSE_GRACE_MS = 2_000;

type Bullmq = typeof import('bullmq');
/**
 * Both are CommonJS. Loaded through `require`, not `import()`: importing CommonJS from ESM makes
 * Node scan the source for its named exports as well, and bullmq plus ioredis then took about
 * 0.3 s more CPU to load (0.7 s against 0.4 s, Node 20), in every process of a campaign.
 */
const requireFromHere = createRequire(import.meta.url);
async function load<T>(name: 'bullmq' | 'ioredis'): Promise<T> {
  try {
    return requireFromHere(name) as T;
  } catch (error) {
    throw new Error(`${MISSING} (${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`, { cause: error });
  }
}

export async function runCampaignCli(options: CampaignCliOptions, io: CliIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`telegram-resilience broadcast: ${line}\n`);
  const { Queue, Worker } = await load<Bullmq>('bullmq');
  const connected = await connectRedis(() => load('ioredis'), options.redis, 5_000);
  if (typeof connected === 'string') {
    say(connected);
    return 1;
  }
  const client: Redis = connected;
  const apiRoot = options.apiRoot ?? 'https://api.telegram.org';
  const botId = /^\d+(?=:)/.exec(options.token)?.[0] ?? 'default';
  const resilience = createResilience({ throttle: true, ...options.policy, backend: redisBackend({ client, botId }) });
  const cleanup: Array<() => unknown> = [() => resilience.close(), () => client.quit().catch(() => client.disconnect())];
  try {
    const api = createBotApi({ token: options.token, apiRoot, resilience });
    const unreachable = await preflight(api, apiRoot);
    if (unreachable) {
      say(unreachable);
      return 1;
    }
    const journal = redisJournal({ client, campaign: options.campaign });
    const since = await campaignSnapshot(journal);
    const queue = new Queue(`broadcast.${options.campaign}`, { connection: client });
    cleanup.unshift(() => queue.close());
    const params: Record<string, unknown> = { text: options.text };
    if (options.parseMode !== undefined) params.parse_mode = options.parseMode;
    const badLines: number[] = [];
    const recipients = readChats(options.chats === '-' ? process.stdin : options.chats, (bad) => {
      badLines.push(bad.line);
      io.stderr.write(`${options.chats === '-' ? 'stdin' : options.chats}:${bad.line}: not a chat id (a number or @username): ${JSON.stringify(bad.text)}; skipped\n`);
    });
    const enqueue = (part: AsyncIterable<ChatId>) =>
      enqueueBroadcast(queue, {
        campaign: options.campaign,
        recipients: part,
        message: { method: 'sendMessage', params },
        paid: options.paid,
        resendUncertain: options.resendUncertain,
        retryFailed: options.retryFailed,
        connection: client,
      });
    // The first batch binds the campaign to this message (or finds it made for another, and nothing
    // is sent); then this process works the queue while it enqueues the rest, instead of sending
    // nothing until the whole file is in.
    const { first, rest } = splitStream(recipients, FIRST_BATCH);
    try {
      await enqueue(first);
    } catch (error) {
      if (!isJournalMismatchError(error)) throw error;
      say(`campaign "${options.campaign}" was made for another message (another --text or --parse-mode). Nothing was sent. To send this message, use another --campaign name.`);
      return 2;
    }

    let fatal: string | undefined;
    const stopped = new AbortController();
    const stop = (reason: string) => {
      fatal ??= reason;
      stopped.abort();
    };
    const unlisten = resilience.onFloodWait(() => void journal.addFloodWaits(1).catch(() => undefined));
    const unwatch = watchRedis(
      client,
      options.redis,
      REDIS_GIVE_UP_MS,
      say,
      () => stop(`Redis stayed unreachable for ${REDIS_GIVE_UP_MS / 1000} s: stopped. Recipients claimed but not recorded stay "sending" and become uncertain when the campaign runs again.`),
      () => void journal.message().catch((error: unknown) => isCampaignLostError(error) && stop(error.message)),
    );
    cleanup.unshift(unlisten, unwatch);
    const processor = broadcastProcessor({ api, connection: client, ...(options.resendUncertain && { resendUncertain: true }), ...(options.retryFailed && { retryFailed: true }) });
    const worker = new Worker(queue.name, processor, { connection: client, ...broadcastWorkerOptions({ paid: options.paid }) });
    worker.on('error', () => undefined); // connection errors: the watcher speaks for them
    worker.on('failed', (_job, error) => {
      if (isCampaignLostError(error)) stop(error.message);
    });
    cleanup.unshift(() => worker.close(true));
    const interrupted = () => io.signal?.aborted === true;
    if (interrupted()) stopped.abort();
    else io.signal?.addEventListener('abort', () => stopped.abort(), { once: true });
    // The rest stops with the campaign (Ctrl-C, Redis given up): a command waiting for a Redis that
    // is gone would otherwise hold the process past its give-up.
    try {
      await untilAborted(enqueue(untilStopped(rest, stopped.signal)), stopped.signal);
    } catch (error) {
      if (!stopped.signal.aborted) throw error;
    }

    // Work the queue until it is empty (every process enqueues the whole file before it looks, so empty means done).
    for (let emptyPolls = 0; emptyPolls < 2 && !stopped.signal.aborted; ) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (client.status !== 'ready') continue;
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      emptyPolls = Object.values(counts).every((n) => n === 0) ? emptyPolls + 1 : 0;
    }
    if (fatal) {
      await worker.close(true);
      say(fatal);
      return 1;
    }
    // Jobs in flight finish (after Ctrl-C: for up to CLOSE_GRACE_MS) before the report is read.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([worker.close(), new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(grace); // or it would keep the process alive for the rest of the grace after the report
    let report: BroadcastReport;
    try {
      report = await campaignReport(journal, since, { paid: options.paid, finished: !interrupted() });
    } catch (error) {
      say(`could not read the campaign's report from Redis: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const human = renderCampaignReport(report, options.campaign, interrupted());
    if (badLines.length > 0) human.push(`Skipped ${badLines.length} bad line${badLines.length === 1 ? '' : 's'} of the chats file (line ${badLines.slice(0, 10).join(', ')}${badLines.length > 10 ? ', ...' : ''}).`);
    writeLines(options.json ? io.stderr : io.stdout, human);
    if (options.json) io.stdout.write(JSON.stringify(report) + '\n');
    if (interrupted()) return 130;
    return report.failed.length > 0 || report.uncertain.length > 0 ? 3 : 0;
  } finally {
    for (const close of cleanup) await Promise.resolve().then(close).catch(() => undefined);
  }
}
