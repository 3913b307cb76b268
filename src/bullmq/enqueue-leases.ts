/**
 * Shares the enqueueing of one chats list among the processes that enqueue it at the same time.
 * Every process of a campaign reads the whole list; without this each batch of 1,000 recipients
 * costs every process a journal lookup and an `addBulk` of scripts that find the jobs already
 * there (ten processes started together: ten times the work, all of it while the first ones send).
 *
 * A batch is known by a hash of its job ids and flags. The first process to take its lease (SET NX
 * with an expiry) adds it and marks it done; the others defer it and, before they call their
 * enqueue finished, see it marked done, or take the lease themselves once it expired (its owner
 * died) and add it again. Adding twice is always safe (job ids are idempotent and the filter skips
 * what exists), so a lease only saves work: correctness never rests on it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A lease outlives any sane addBulk of one batch; an owner that dies is replaced after this. */
const LEASE_MS = 10_000;
/**
 * How long "done" is remembered. Only processes enqueueing now need it; a rerun later (say with
 * `--resend-uncertain` under the same flags) must find no marker and filter the batch itself.
 */
const DONE_MS = 15_000;
const POLL_MS = 50;
/** Deferred batches held in memory before reading on waits for the oldest. */
const MAX_DEFERRED = 16;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Deferred {
  key: string;
  add: () => Promise<void>;
}

export interface BatchLeases {
  /** Adds the batch (`add`) unless another process is adding the same batch now; then defers it. */
  offer(ids: readonly string[], add: () => Promise<void>): Promise<void>;
  /** Resolves once every deferred batch is done, by its owner or (owner gone) by this process. */
  settle(): Promise<void>;
}

/** Timings, for tests. */
export interface LeaseTimings {
  leaseMs?: number;
  doneMs?: number;
  pollMs?: number;
}

export function batchLeases(client: Pick<Redis, 'set' | 'get'>, keyBase: string, flags: string, timings: LeaseTimings = {}): BatchLeases {
  const { leaseMs = LEASE_MS, doneMs = DONE_MS, pollMs = POLL_MS } = timings;
  const token = randomUUID();
  const deferred: Deferred[] = [];

  /** Takes the lease and adds; false when another process holds it. */
  const tryAdd = async (key: string, add: () => Promise<void>): Promise<boolean> => {
    if ((await client.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') return false;
    await add();
    await client.set(key, 'done', 'PX', doneMs);
    return true;
  };

  const settleOne = async ({ key, add }: Deferred) => {
    for (;;) {
      if ((await client.get(key)) === 'done') return;
      if (await tryAdd(key, add)) return;
      await sleep(pollMs);
    }
  };

  return {
    async offer(ids, add) {
      const key = `${keyBase}${createHash('sha1').update(flags).update('\n').update(ids.join('\n')).digest('base64url')}`;
      if (await tryAdd(key, add)) return;
      deferred.push({ key, add });
      if (deferred.length > MAX_DEFERRED) await settleOne(deferred.shift() as Deferred);
    },
    async settle() {
      while (deferred.length > 0) await settleOne(deferred.shift() as Deferred);
    },
  };
}
