/** Processes enqueueing the same list share it: each batch added by one of them (real redis-server and BullMQ). */
import { expect, it } from 'vitest';
import { enqueueBroadcast } from '../../src/bullmq/index.js';
import { batchLeases } from '../../src/bullmq/enqueue-leases.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { useRedis } from '../limits/redis/redis-context.js';
import { recordingQueue } from './recording-queue.js';

describeWithRedis('enqueue leases', () => {
  const redis = useRedis();
  const message = { params: { text: 'hello' } };
  const queue = (name: string) => recordingQueue(redis, name);

  it('three processes enqueueing one list at once add each recipient once between them, and each returns once all are in', async () => {
    const recipients = Array.from({ length: 60 }, (_, i) => 500 + i);
    const processes = [queue('l1'), queue('l1'), queue('l1')];
    await Promise.all(processes.map(({ q }) => enqueueBroadcast(q, { campaign: 'l1', recipients, message, batchSize: 5 })));
    const added = processes.flatMap((p) => p.added);
    expect([...added].sort()).toEqual(recipients);
    expect(await processes[0]!.q.getJobCounts('waiting')).toEqual({ waiting: 60 });
  });

  it('a batch whose owner died (its lease left behind) is added by the next process once the lease expires', async () => {
    const client = redis.client();
    const owner = batchLeases(client, 'tgr:test:leases:', '{}', { leaseMs: 200, pollMs: 10 });
    const other = batchLeases(client, 'tgr:test:leases:', '{}', { leaseMs: 200, pollMs: 10 });
    let ownerAdds = 0;
    let otherAdds = 0;
    let otherAddedAt = 0;
    // Before the lease is taken: Redis expires it at least 200 ms after this.
    const leasedAfter = Date.now();
    // The owner takes the lease and never finishes (killed mid-batch).
    void owner.offer(['a', 'b'], () => {
      ownerAdds++;
      return new Promise<void>(() => {});
    });
    // The owner holds the lease once it is adding.
    while (ownerAdds === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await other.offer(['a', 'b'], async () => {
      otherAdds++;
      otherAddedAt = Date.now();
    });
    expect(otherAdds).toBe(0); // deferred: the owner is on it
    await other.settle();
    expect(otherAdds).toBe(1);
    expect(ownerAdds).toBe(1);
    // Not before the lease expired (1 ms for the clocks' rounding).
    expect(otherAddedAt - leasedAfter).toBeGreaterThanOrEqual(199);
  });

  it('a batch deferred while another process adds it is added (filtered) after the lease is released; other lists and flags do not wait', async () => {
    const client = redis.client();
    const first = batchLeases(client, 'tgr:test:leases2:', '{}', { pollMs: 10 });
    const second = batchLeases(client, 'tgr:test:leases2:', '{}', { pollMs: 10 });
    const flagged = batchLeases(client, 'tgr:test:leases2:', '{"resendUncertain":true}', { pollMs: 10 });
    const adds: string[] = [];
    let release = () => {};
    const owner = first.offer(['a', 'b'], () => new Promise<void>((resolve) => (release = () => (adds.push('first'), resolve()))));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await second.offer(['a', 'b'], async () => void adds.push('second'));
    await second.offer(['a', 'c'], async () => void adds.push('second, other list'));
    await flagged.offer(['a', 'b'], async () => void adds.push('flagged'));
    expect(adds).toEqual(['second, other list', 'flagged']);
    const settled = second.settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(adds).not.toContain('second'); // still the owner's
    release();
    await owner;
    await settled;
    expect(adds).toEqual(['second, other list', 'flagged', 'first', 'second']);
    // Released: a process that comes later adds (through its filter) without waiting.
    await second.offer(['a', 'b'], async () => void adds.push('later'));
    expect(adds.at(-1)).toBe('later');
  });
});
