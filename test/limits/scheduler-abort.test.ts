/**
 * Aborting queued calls is O(1) each: a chat's queue is a doubly linked list through its jobs, so an
 * aborted job is unlinked where it is (issue 10, rough edge 4: it walked the chat's queue, O(n) per
 * abort, 95 s of blocked event loop for 100,000 calls to one chat). Counted in steps along the
 * queue's links, not in time.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { FloodGates } from '../../src/limits/flood-gates.js';
import type { JobList, PaceJob } from '../../src/limits/job-queue.js';
import { PacingScheduler } from '../../src/limits/scheduler.js';
import { chatScopeOf } from '../../src/limits/scope.js';
import { TELEGRAM_LIMITS } from '../../src/limits/throttle-options.js';

let linkReads = 0;

/** A job whose queue links count every time they are read. */
class CountingJob implements PaceJob {
  seq = -1;
  sentAt = 0;
  sendNo = -1;
  notBefore = -(2 ** 30);
  queuedAt = 0;
  list: JobList | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  readonly paid = false;
  readonly method = 'sendMessage';
  ended: 'sent' | 'refused' | undefined = undefined;
  private nextJob: PaceJob | undefined = undefined;
  private prevJob: PaceJob | undefined = undefined;
  constructor(readonly signal: AbortSignal) {}
  get next(): PaceJob | undefined {
    linkReads++;
    return this.nextJob;
  }
  set next(job: PaceJob | undefined) {
    this.nextJob = job;
  }
  get prev(): PaceJob | undefined {
    linkReads++;
    return this.prevJob;
  }
  set prev(job: PaceJob | undefined) {
    this.prevJob = job;
  }
  proceed(): void {
    this.ended = 'sent';
  }
  refuse(): void {
    this.ended = 'refused';
  }
}

describe('aborting queued calls', () => {
  // Most of the time here is Node's own AbortController and DOMException: so 100,000 once only.
  it.each([
    ['newest first', 100_000, (i: number, n: number) => n - 1 - i],
    ['from the middle out', 10_000, (i: number, n: number) => (i % 2 === 0 ? n / 2 + i / 2 : n / 2 - 1 - (i - 1) / 2)],
    ['oldest first', 10_000, (i: number) => i],
  ])('calls queued to one chat, aborted %s (%i of them): a few steps along the queue per abort', (_order, n, pick) => {
    const clock = createManualClock(0);
    const scheduler = new PacingScheduler(clock, TELEGRAM_LIMITS, new FloodGates(clock));
    const scope = chatScopeOf({ chat_id: 42 });
    const controllers = Array.from({ length: n }, () => new AbortController());
    const jobs = controllers.map((c) => new CountingJob(c.signal));
    let sentAtOnce = 0;
    for (const job of jobs) if (scheduler.admit(job, scope)) sentAtOnce++;
    expect(sentAtOnce).toBe(1);
    expect(scheduler.queued).toBe(n - 1);

    linkReads = 0;
    for (let i = 0; i < n; i++) controllers[pick(i, n)]!.abort();
    // The old walk read ~n^2/2 links here (5e9 for 100,000); unlinking reads a constant few per abort.
    expect(linkReads).toBeLessThanOrEqual(8 * n);
    expect(scheduler.queued).toBe(0);
    expect(jobs.filter((j) => j.ended === 'refused')).toHaveLength(n - 1);
    expect(clock.pending()).toBe(0);
    scheduler.close();
  });

  it('the calls left behind an abort keep their order and are all sent', async () => {
    const clock = createManualClock(0);
    const scheduler = new PacingScheduler(clock, TELEGRAM_LIMITS, new FloodGates(clock));
    const scope = chatScopeOf({ chat_id: 7 });
    const controllers = Array.from({ length: 10 }, () => new AbortController());
    const sent: number[] = [];
    const jobs = controllers.map((c, i) => {
      const job = new CountingJob(c.signal);
      job.proceed = () => sent.push(i);
      return job;
    });
    for (const job of jobs) if (scheduler.admit(job, scope)) job.proceed();
    for (const i of [9, 3, 1, 5]) controllers[i]!.abort();
    await clock.advance(20_000);
    expect(sent).toEqual([0, 2, 4, 6, 7, 8]);
    scheduler.close();
  });
});
