/**
 * Shares the enqueueing of one chats list among the processes that enqueue it at the same time.
 * Every process of a campaign reads the whole list. Ten processes started together all found the
 * first batches missing from the queue (the filter in enqueue-filter.ts had nothing to leave out
 * yet) and each added every batch: ten times the addBulk scripts, all while the first ones sent.
 *
 * A batch is known by a hash of its job ids and flags. The process that takes its lease (SET NX
 * with an expiry) adds it and releases the lease. Another process that finds the lease taken defers
 * the batch and moves on to the next one; before it calls its enqueue finished, it waits for each
 * deferred lease to go (released, or expired when its owner died) and then adds that batch itself,
 * through the filter: what the owner added is left out, what it did not get to is added. So every
 * process still offers every recipient (a rerun, or a process that joins late, enqueues as without
 * leases); the lease only keeps processes from adding the same batch at the same moment.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A lease outlives an addBulk of one batch (tens to hundreds of ms; a lease that expires while its
 * owner still adds only means a second, filtered add). An owner killed mid-batch holds the others'
 * enqueue, and so their start of work, up to this long.
 */
const LEASE_MS = 3_000;
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
  /** Adds every deferred batch once its lease is gone (`add` filters out what its owner added). */
  settle(): Promise<void>;
}

/** Timings, for tests. */
export interface LeaseTimings {
  leaseMs?: number;
  pollMs?: number;
}

/** Releases the lease only while it is still ours (after an expiry it may be another process's). */
const RELEASE_LUA = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

export function batchLeases(client: Pick<Redis, 'set' | 'get' | 'eval'>, keyBase: string, flags: string, timings: LeaseTimings = {}): BatchLeases {
  const { leaseMs = LEASE_MS, pollMs = POLL_MS } = timings;
  const token = randomUUID();
  const deferred: Deferred[] = [];

  /** Takes the lease and adds; false when another process holds it. */
  const tryAdd = async (key: string, add: () => Promise<void>): Promise<boolean> => {
    if ((await client.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') return false;
    try {
      await add();
    } finally {
      await client.eval(RELEASE_LUA, 1, key, token).catch(() => undefined); // else it expires
    }
    return true;
  };

  const settleOne = async ({ key, add }: Deferred) => {
    for (;;) {
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
