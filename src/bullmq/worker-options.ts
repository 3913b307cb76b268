/**
 * BullMQ worker settings for a broadcast. BullMQ's defaults hand a dead worker's jobs on after 30 s
 * or more (`lockDuration` 30 s, stall checks every 30 s); a broadcast should not stand still that
 * long, so a lock lives 4 s (renewed every 2 s) and stalls are checked every second: a killed
 * worker's jobs move to the others within about 6 s. Each such job finds its recipient "sending"
 * and marks it uncertain, so a stall is seen at most once per job.
 */
import { checkOptions } from '../core/check-options.js';
import { boolean, wholePositive, type Check } from '../core/checks.js';

export interface BroadcastWorkerOptions {
  /** Jobs (requests) in flight per worker: after `kill -9`, up to this many recipients become uncertain. */
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
}

/** What `broadcastWorkerOptions` takes. */
export interface BroadcastWorkerSettings {
  /**
   * A paid broadcast (`allow_paid_broadcast`): more jobs in flight per worker.
   * @default false
   */
  paid?: boolean;
  /**
   * Jobs in flight per worker.
   * @default 10, or 100 with `paid`
   */
  concurrency?: number;
}

const OPTION_CHECKS = { paid: boolean, concurrency: wholePositive } satisfies Record<keyof BroadcastWorkerSettings, Check>;

/** Worker options for `new Worker(name, broadcastProcessor(...), { connection, ...broadcastWorkerOptions() })`. */
export function broadcastWorkerOptions(options: BroadcastWorkerSettings = {}): BroadcastWorkerOptions {
  checkOptions('broadcastWorkerOptions', options, OPTION_CHECKS);
  const concurrency = options.concurrency ?? (options.paid ? 100 : 10);
  return { concurrency, lockDuration: 4_000, stalledInterval: 1_000, maxStalledCount: 3 };
}
