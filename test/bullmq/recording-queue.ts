/** A BullMQ queue on a connection of its own (a process of its own) whose addBulk records the chat ids it was given. */
import { Queue } from 'bullmq';
import type { useRedis } from '../limits/redis/redis-context.js';

export function recordingQueue(redis: ReturnType<typeof useRedis>, name: string): { q: Queue; added: unknown[] } {
  const q = new Queue(name, { connection: redis.client({ maxRetriesPerRequest: null }) });
  redis.defer(() => q.close());
  const added: unknown[] = [];
  const addBulk = q.addBulk.bind(q);
  q.addBulk = (jobs) => {
    added.push(...jobs.map((job) => (job.data as { chatId: unknown }).chatId));
    return addBulk(jobs);
  };
  return { q, added };
}
