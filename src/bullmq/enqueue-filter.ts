/**
 * Which recipients of a batch still need a job. Every process of a campaign enqueues the whole
 * chats file, so without this each recipient costs one BullMQ `addJob` script per process (ten
 * processes: ten scripts, nine of them finding the job already there or re-adding a finished one).
 *
 * A recipient is left out only when that is provably safe: its job is in the queue right now (it
 * waits, runs or waits to retry: its worker will finish it), or the journal holds an outcome that
 * a job under these rules would not send again. Anything else (no record, pending, sending,
 * migrated, or a failure / uncertain outcome the rules resend) gets its job, as before. A check and
 * the add that follows are not atomic; a job that completes in between only means a job that
 * finds its recipient done, as an unfiltered enqueue would add.
 */
import type { Redis } from 'ioredis';
import type { ClaimRules } from '../broadcast/journal.js';
import type { CampaignKeys } from './keys.js';

/** How to see whether a job of the queue exists: the prefix of its Redis key, and the queue's own connection. */
export interface JobLookup {
  /** A job's key is this followed by its id. */
  keyPrefix: string;
  client: Pick<Redis, 'eval'>;
}

/** The lookup of a BullMQ 6 `Queue` (`toKey`, `getBackend().client`), or undefined for anything else. */
export async function jobLookupOf(queue: unknown): Promise<JobLookup | undefined> {
  const q = queue as { toKey?: unknown; getBackend?: () => { client?: Promise<unknown> } };
  if (typeof q.toKey !== 'function' || typeof q.getBackend !== 'function') return undefined;
  const client = (await q.getBackend().client) as { eval?: unknown } | undefined;
  if (typeof client?.eval !== 'function') return undefined;
  const toKey = (type: string) => (q.toKey as (type: string) => string).call(q, type);
  const keyPrefix = toKey('');
  // A key layout other than "<prefix>:<queue>:<id>": no lookup, every recipient is enqueued (always safe).
  if (toKey('x') !== `${keyPrefix}x`) return undefined;
  return { keyPrefix, client: client as Pick<Redis, 'eval'> };
}

/** True when a record (JSON, as the journal stores it) is final under `rules`: its job would send nothing. */
function finalUnder(raw: string | null, rules: ClaimRules): boolean {
  if (raw === null) return false;
  const record = JSON.parse(raw) as { s?: string; r?: boolean };
  if (record.s === 'sent' || record.s === 'blocked') return true;
  if (record.s === 'failed') return !(record.r === true || rules.retryFailed);
  if (record.s === 'uncertain') return !rules.resendUncertain;
  return false;
}

/**
 * For each recipient, true when it still needs a job. Two commands per batch (one HMGET, one
 * script that looks up every job) instead of one `addJob` script per recipient.
 */
export async function stillToEnqueue(
  journalClient: Pick<Redis, 'hmget'>,
  keys: CampaignKeys,
  queue: JobLookup | undefined,
  chatKeys: readonly string[],
  jobIds: readonly string[],
  rules: ClaimRules,
): Promise<boolean[]> {
  if (chatKeys.length === 0) return [];
  const [records, jobs] = await Promise.all([journalClient.hmget(keys.records, ...chatKeys), queue ? jobsExist(queue, jobIds) : undefined]);
  return chatKeys.map((_key, i) => !(jobs?.[i] === true || finalUnder(records[i] ?? null, rules)));
}

/**
 * Which jobs exist, in one script: a pipeline of one EXISTS per job cost ioredis about 13 µs of CPU
 * per recipient, a script given every key about 1 (batches of 1,000), in every process of a
 * campaign (each enqueues the whole file). Given the ids and the prefix once, it writes a third of
 * the bytes, and answers in one string of 0s and 1s instead of an array.
 */
const JOBS_EXIST_LUA =
  "local out = {} for i = 2, #ARGV do out[i - 1] = redis.call('EXISTS', ARGV[1] .. ARGV[i]) end return table.concat(out)";

async function jobsExist(queue: JobLookup, jobIds: readonly string[]): Promise<boolean[]> {
  // A failed lookup counts as "no job": the recipient is then enqueued, which is always safe.
  const found = await queue.client.eval(JOBS_EXIST_LUA, 0, queue.keyPrefix, ...jobIds).catch(() => '');
  const answers = typeof found === 'string' ? found : '';
  return jobIds.map((_id, i) => answers.charCodeAt(i) === 49); // '1'
}
