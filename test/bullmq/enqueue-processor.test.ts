/** enqueueBroadcast and broadcastProcessor in real BullMQ queues and workers, over a real redis-server and the simulator. */
import { Queue, Worker } from 'bullmq';
import { expect, it } from 'vitest';
import { createBotApi } from '../../src/botapi/index.js';
import { isJournalMismatchError } from '../../src/broadcast/index.js';
import {
  broadcastProcessor,
  broadcastWorkerOptions,
  campaignReport,
  campaignSnapshot,
  enqueueBroadcast,
  jobIdOf,
  redisJournal,
  type BroadcastJobResult,
} from '../../src/bullmq/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { useRedis, waitUntil } from '../limits/redis/redis-context.js';

const users = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);

describeWithRedis('enqueueBroadcast and broadcastProcessor', () => {
  const redis = useRedis();
  const queue = (name: string) => {
    const q = new Queue(name, { connection: redis.client({ maxRetriesPerRequest: null }) });
    redis.defer(() => q.close());
    return q;
  };

  it('is idempotent: two processes enqueueing the same list make one job per recipient', async () => {
    const recipients = users(120, 3000);
    const [a, b] = [queue('q1'), queue('q1')];
    const message = { params: { text: 'hello' } };
    await Promise.all([
      enqueueBroadcast(a, { campaign: 'spring', recipients, message, batchSize: 50 }),
      enqueueBroadcast(b, { campaign: 'spring', recipients: (async function* () { yield* recipients; })(), message }),
    ]);
    expect(await a.getJobCounts('waiting')).toEqual({ waiting: 120 });
    const job = await a.getJob(jobIdOf('spring', 3000));
    expect(job?.data).toEqual({ campaign: 'spring', chatId: 3000 });
    // The fixed message is kept once, in the campaign; another message is refused.
    expect(await redisJournal({ client: redis.client(), campaign: 'spring' }).message()).toMatchObject({ method: 'sendMessage', params: { text: 'hello' } });
    const other = await enqueueBroadcast(a, { campaign: 'spring', recipients: [1], message: { params: { text: 'other' } } }).catch((e: unknown) => e);
    expect(isJournalMismatchError(other)).toBe(true);
    expect(await a.getJobCounts('waiting')).toEqual({ waiting: 120 });
  });

  it('checks its input at the boundary', async () => {
    const q = queue('q2');
    const message = { params: { text: 'x' } };
    await expect(enqueueBroadcast(q, { campaign: 'bad name', recipients: [1], message })).rejects.toThrow(/option `campaign` must be /);
    await expect(enqueueBroadcast(q, { campaign: 'c', recipients: [1], message, pad: true } as never)).rejects.toThrow('unknown option `pad` (did you mean `paid`?)');
    await expect(enqueueBroadcast(q, { campaign: 'c', recipients: [1, 'not a chat', 2], message, batchSize: 1 })).rejects.toThrow(/recipient #2 is not a chat id/);
    expect(await q.getJobCounts('waiting')).toEqual({ waiting: 1 }); // the one before it
    expect(() => broadcastProcessor({ api: {} as never, connection: redis.client() })).toThrow(/option `api` must be /);
    expect(() => broadcastProcessor({ api: { call: async () => ({}) }, connection: redis.client(), resend: true } as never)).toThrow(/unknown option `resend` \(known: api, connection, /);
  });

  it('two workers send each recipient once, follow migrations, and the report covers the campaign', async () => {
    const sim = await startSimulator({ limits: { globalPerSecond: 1000 }, blockedUsers: [666], migratedGroups: { '-4001': -1004001 } });
    redis.defer(() => sim.close());
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot });
    const recipients = [...users(80, 7000), 666, -4001];
    const q = queue('q3');
    const journal = redisJournal({ client: redis.client(), campaign: 'c3' });
    await enqueueBroadcast(q, { campaign: 'c3', recipients, message: { params: (chat) => ({ text: `hi ${chat}` }) }, paid: true });
    const since = await campaignSnapshot(journal);
    const results: BroadcastJobResult[] = [];
    const workers = [0, 1].map(() => {
      const connection = redis.client({ maxRetriesPerRequest: null });
      const worker = new Worker('q3', broadcastProcessor({ api, connection, onResult: (r) => results.push(r) }), {
        connection,
        ...broadcastWorkerOptions({ paid: true, concurrency: 8 }),
      });
      redis.defer(() => worker.close());
      return worker;
    });
    expect(await waitUntil(async () => results.length === recipients.length, 15_000)).toBe(true);
    await Promise.all(workers.map((w) => w.close()));
    for (const chat of users(80, 7000)) expect(sim.deliveredTo(chat).map((e) => e.text)).toEqual([`hi ${chat}`]);
    expect(sim.deliveredTo(-1004001)).toHaveLength(1);
    expect(sim.deliveredTo(666)).toHaveLength(0);
    const report = await campaignReport(journal, since, { paid: true });
    expect(report).toMatchObject({ total: 82, sent: 81, skipped: 0, blocked: [666], migrated: [{ from: -4001, to: -1004001 }], failed: [], uncertain: [] });
    expect(await q.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0 });

    // Enqueued again after it finished: everyone is done in the journal, so no job is made and nothing is sent.
    const before = sim.requests({ method: 'sendMessage' }).length;
    await enqueueBroadcast(q, { campaign: 'c3', recipients, message: { params: (chat) => ({ text: `hi ${chat}` }) } });
    expect(await q.getJobCounts('waiting', 'active', 'delayed')).toEqual({ waiting: 0, active: 0, delayed: 0 });
    expect(sim.requests({ method: 'sendMessage' }).length).toBe(before);
  });

  it('a job whose recipient is already "sending" (its worker died) becomes uncertain and is not resent; resendUncertain resends it', async () => {
    const sim = await startSimulator({ limits: { globalPerSecond: 1000 } });
    redis.defer(() => sim.close());
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot });
    const q = queue('q4');
    await enqueueBroadcast(q, { campaign: 'c4', recipients: [11, 12], message: { params: { text: 'x' } } });
    // A worker that died after claiming 11: the claim is in the journal, the request may have left.
    await redisJournal({ client: redis.client(), campaign: 'c4' }).claimAs('dead-worker', [11], { resendUncertain: false, retryFailed: false });
    const results: BroadcastJobResult[] = [];
    const connection = redis.client({ maxRetriesPerRequest: null });
    const processor = broadcastProcessor({ api, connection, onResult: (r) => results.push(r) });
    const worker = new Worker('q4', processor, { connection, ...broadcastWorkerOptions() });
    redis.defer(() => worker.close());
    expect(await waitUntil(() => results.length === 2, 10_000)).toBe(true);
    expect(results.find((r) => r.chatId === 11)).toMatchObject({ state: 'uncertain', earlier: true });
    expect(sim.deliveredTo(11)).toHaveLength(0);
    expect(sim.deliveredTo(12)).toHaveLength(1);

    // Only 11 gets a job again: 12 is sent, which resendUncertain does not touch.
    await enqueueBroadcast(q, { campaign: 'c4', recipients: [11, 12], message: { params: { text: 'x' } }, resendUncertain: true });
    expect(await waitUntil(() => results.length === 3, 10_000)).toBe(true);
    expect(results[2]).toMatchObject({ chatId: 11, state: 'sent' });
    expect(sim.deliveredTo(11)).toHaveLength(1);
    expect(sim.deliveredTo(12)).toHaveLength(1);
  });
});
