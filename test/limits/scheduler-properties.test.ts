/**
 * Properties of the pacing scheduler under random traffic: sends to a few private chats, groups and
 * a channel username, paid and unbound calls, aborts, flood gates closing, and time moving in
 * random steps. Whatever happens, every job ends exactly once; no limit is ever exceeded; no job is
 * sent through a closed gate; a chat's messages keep their order; and once traffic stops, every job
 * that was not aborted is sent and the chats' state is freed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { FloodGates } from '../../src/limits/flood-gates.js';
import { PacingScheduler, type PaceJob } from '../../src/limits/scheduler.js';
import type { JobList } from '../../src/limits/job-queue.js';
import { chatScopeOf } from '../../src/limits/scope.js';
import { resolveThrottle } from '../../src/limits/throttle-options.js';

const CHATS: Array<number | string | undefined> = [1, 2, 3, -10, -20, '@chan', undefined];

type Op =
  | { kind: 'send'; chat: number; paid: boolean; abortable: boolean; method: string }
  | { kind: 'abort'; which: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'gate'; chat: number | 'bot' | 'method'; ms: number };

const METHODS = ['sendMessage', 'sendPhoto'];

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
      kind: fc.constant('send' as const),
      chat: fc.nat(CHATS.length - 1),
      paid: fc.boolean(),
      abortable: fc.boolean(),
      method: fc.constantFrom('sendMessage', 'sendPhoto'),
    }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), which: fc.nat(200) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4_000 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('gate' as const),
      chat: fc.oneof(fc.constant('bot' as const), fc.constant('method' as const), fc.nat(CHATS.length - 2)),
      ms: fc.integer({ min: 1, max: 8_000 }),
    }),
  },
);

const limitsArb = fc.record({
  globalPerSecond: fc.constantFrom(3, 5, 30),
  chatPerSecond: fc.constantFrom(1, 2),
  groupPerMinute: fc.constantFrom(3, 20),
  paidBroadcastPerSecond: fc.constantFrom(10, 1000),
});

class TestJob implements PaceJob {
  seq = -1;
  sentAt = 0;
  sendNo = -1;
  notBefore = -(2 ** 30);
  queuedAt = 0;
  next: PaceJob | undefined = undefined;
  prev: PaceJob | undefined = undefined;
  list: JobList | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  ends: Array<{ how: 'sent' | 'refused'; at: number; reason?: unknown }> = [];
  constructor(
    readonly id: number,
    readonly key: string | undefined,
    readonly paid: boolean,
    readonly method: string,
    readonly signal: AbortSignal | undefined,
    private readonly onSend: (job: TestJob) => void,
  ) {}
  proceed(): void {
    this.onSend(this);
  }
  refuse(reason: unknown): void {
    this.ends.push({ how: 'refused', at: -1, reason });
  }
}

describe('PacingScheduler properties', () => {
  it('under random traffic, aborts and gates: every job ends once, within every limit, in order, and all are sent in the end', async () => {
    await fc.assert(
      fc.asyncProperty(limitsArb, fc.array(op, { minLength: 1, maxLength: 60 }), async (limitOptions, ops) => {
        const clock = createManualClock(1_700_000_000_000);
        const limits = resolveThrottle('test', limitOptions)!;
        const gates = new FloodGates(clock);
        const scheduler = new PacingScheduler(clock, limits, gates);
        const jobs: TestJob[] = [];
        const controllers: AbortController[] = [];
        const sends: Array<{ job: TestJob; at: number }> = [];
        // Recorded, not thrown: an exception in proceed() would unwind the scheduler itself.
        const throughClosedGate: string[] = [];
        const onSend = (job: TestJob) => {
          const at = clock.now();
          job.ends.push({ how: 'sent', at });
          sends.push({ job, at });
          for (const scope of ['bot', job.key, `method:${job.method}`]) {
            if (scope && gates.openAt(scope) !== 0) throughClosedGate.push(`job ${job.id} at ${at} through ${scope}`);
          }
        };

        for (const o of ops) {
          if (o.kind === 'send') {
            const scope = chatScopeOf(CHATS[o.chat] === undefined ? {} : { chat_id: CHATS[o.chat] });
            const controller = o.abortable ? new AbortController() : undefined;
            if (controller) controllers.push(controller);
            const job = new TestJob(jobs.length, scope?.key, o.paid, o.method, controller?.signal, onSend);
            jobs.push(job);
            if (scheduler.admit(job, scope)) onSend(job);
          } else if (o.kind === 'abort') {
            controllers[o.which % Math.max(1, controllers.length)]?.abort(new Error('aborted'));
          } else if (o.kind === 'advance') {
            await clock.advance(o.ms);
          } else {
            const scope =
              o.chat === 'bot' ? 'bot' : o.chat === 'method' ? `method:${METHODS[o.ms % 2]}` : chatScopeOf({ chat_id: CHATS[o.chat] })!.key;
            gates.close(scope, clock.now() + o.ms);
          }
        }
        // Traffic stops: everything still queued goes within a bounded time.
        await clock.advance(30 * 60_000);

        expect(throughClosedGate).toEqual([]);
        // Every job ended exactly once; the ones not sent were aborted.
        for (const job of jobs) {
          expect(job.ends).toHaveLength(1);
          if (job.ends[0]!.how === 'refused') {
            expect(job.signal?.aborted).toBe(true);
            expect((job.ends[0]!.reason as Error).message).toBe('aborted');
          }
        }
        expect(scheduler.queued).toBe(0);

        // Per chat: order kept, private spacing, group window.
        const interval = Math.ceil(1000 / limits.chatPerSecond);
        for (const key of new Set(jobs.map((j) => j.key))) {
          if (key === undefined) continue;
          const chatSends = sends.filter((s) => s.job.key === key);
          const ids = chatSends.map((s) => s.job.id);
          expect(ids).toEqual([...ids].sort((a, b) => a - b));
          const kind = chatScopeOf({ chat_id: key.slice('chat:'.length) })?.kind ?? 'group';
          for (let i = 1; i < chatSends.length; i++) {
            if (kind === 'private') expect(chatSends[i]!.at - chatSends[i - 1]!.at).toBeGreaterThanOrEqual(interval);
            else {
              const inWindow = chatSends.filter((s) => s.at > chatSends[i]!.at - 60_000 && s.at <= chatSends[i]!.at).length;
              expect(inWindow).toBeLessThanOrEqual(limits.groupPerMinute);
            }
          }
        }
        // Bot-wide: no 1 s window holds more than the rate (free and paid counted apart).
        for (const paid of [false, true]) {
          const rate = paid ? limits.paidBroadcastPerSecond : limits.globalPerSecond;
          if (rate > 100) continue; // above 100/s spacing alone holds it (see bot-rate.ts)
          const at = sends.filter((s) => s.job.paid === paid).map((s) => s.at);
          for (const t of at) expect(at.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(Math.floor(rate));
        }

        // No abort listener is left behind, and idle chats are freed after the TTL.
        for (const controller of controllers) controller.abort();
        expect(clock.pending()).toBe(0);
        await clock.advance(limits.idleChatTtlMs + 1);
        expect(scheduler.trackedChats).toBe(0);
        scheduler.close();
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  });
});
