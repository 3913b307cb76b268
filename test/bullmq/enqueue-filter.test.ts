/** enqueueBroadcast leaves out recipients whose job is queued or whose outcome is final (real redis-server and BullMQ). */
import { expect, it } from 'vitest';
import { enqueueBroadcast, jobIdOf, redisJournal } from '../../src/bullmq/index.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { useRedis } from '../limits/redis/redis-context.js';
import { recordingQueue } from './recording-queue.js';

describeWithRedis('enqueueBroadcast: what it leaves out', () => {
  const redis = useRedis();
  const queue = (name: string) => recordingQueue(redis, name);
  const message = { params: { text: 'hello' } };

  it('a second enqueue of the same list adds no job while the first one\'s jobs wait', async () => {
    const { q, added } = queue('f1');
    const recipients = [1, 2, 3, 4, 5];
    await enqueueBroadcast(q, { campaign: 'f1', recipients, message, batchSize: 2 });
    expect(added).toEqual(recipients);
    added.length = 0;
    await enqueueBroadcast(q, { campaign: 'f1', recipients: [...recipients, 6], message, batchSize: 2 });
    expect(added).toEqual([6]);
    expect(await q.getJobCounts('waiting')).toEqual({ waiting: 6 });
  });

  it('with the jobs gone, only recipients a job would still send get one, under the rules asked for', async () => {
    const { q, added } = queue('f2');
    const client = redis.client();
    const journal = redisJournal({ client, campaign: 'f2' });
    await enqueueBroadcast(q, { campaign: 'f2', recipients: [], message }); // binds the campaign to the message
    const token = 'job:test:1';
    const chats = [11, 12, 13, 14, 15, 16, 17];
    await journal.claimAs(token, chats, { resendUncertain: false, retryFailed: false });
    await journal.record([
      { chatId: 11, state: 'sent', target: 11, messageId: 1 },
      { chatId: 12, state: 'blocked', description: 'bot was blocked by the user' },
      { chatId: 13, state: 'failed', kind: 'bad_request', description: 'chat not found', retryable: false },
      { chatId: 14, state: 'failed', kind: 'network', description: 'refused', retryable: true },
      { chatId: 15, state: 'uncertain', kind: 'network', description: 'reset' },
      // 16 stays "sending" (its worker died), 17 becomes "migrated".
      { chatId: 17, state: 'migrated', target: -100017 },
    ]);
    const everyone = [...chats, 18];
    await enqueueBroadcast(q, { campaign: 'f2', recipients: everyone, message });
    expect(added).toEqual([14, 16, 17, 18]);
    await q.obliterate({ force: true });
    added.length = 0;
    await enqueueBroadcast(q, { campaign: 'f2', recipients: everyone, message, resendUncertain: true, retryFailed: true });
    expect(added).toEqual([13, 14, 15, 16, 17, 18]);
    expect(await q.getJob(jobIdOf('f2', 15))).toBeDefined();
  });
});
