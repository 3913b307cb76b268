/**
 * Chat migrations shared through Redis: learned by one process, used by another; lookups that
 * never hold a call, even with Redis dead or hung.
 */
import { expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/redis-server.js';
import { chatMigrated } from '../../helpers/failures.js';
import { createResilience } from '../../../src/engine/resilience.js';
import { redisBackend } from '../../../src/limits/redis/index.js';
import { useRedis, waitUntil } from './redis-context.js';

describeWithRedis('redis chat-id store', () => {
  const redis = useRedis();

  it('shares a migration learned by one process with another', async () => {
    const a = createResilience({ backend: redisBackend({ client: redis.client() }) });
    const b = createResilience({ backend: redisBackend({ client: redis.client() }) });
    redis.defer(() => a.close());
    redis.defer(() => b.close());
    const sentByA: unknown[] = [];
    await a.call(
      (attempt) => {
        sentByA.push(attempt.params!.chat_id);
        if (attempt.number === 1) throw chatMigrated(-100999);
        return 'ok';
      },
      { method: 'sendMessage', params: { chat_id: -12345, text: 'hi' } },
    );
    expect(sentByA).toEqual([-12345, -100999]);
    const sentByB: unknown[] = [];
    await b.call((attempt) => sentByB.push(attempt.params!.chat_id), { method: 'sendMessage', params: { chat_id: -12345, text: 'hi' } });
    expect(sentByB).toEqual([-100999]);
    await a.close();
    await b.close();
  });

  it('follows a chain learned by another process: A -> B -> C, a call with A goes straight to C', async () => {
    const a = createResilience({ backend: redisBackend({ client: redis.client() }) });
    const b = createResilience({ backend: redisBackend({ client: redis.client() }) });
    redis.defer(() => a.close());
    redis.defer(() => b.close());
    // B looks like a supergroup (-100...): the chain is followed in Redis whatever the ids look like.
    const migrations: Record<string, number> = { '-12345': -100999, '-100999': -100888 };
    const sender = (sent: unknown[]) => (attempt: { params?: Record<string, unknown> }) => {
      const chatId = attempt.params!.chat_id as number;
      sent.push(chatId);
      const to = migrations[String(chatId)];
      if (to !== undefined) throw chatMigrated(to);
      return 'ok';
    };
    const sentByA: unknown[] = [];
    await a.call(sender(sentByA), { method: 'sendMessage', params: { chat_id: -12345, text: 'hi' } });
    expect(sentByA).toEqual([-12345, -100999, -100888]);
    const againByA: unknown[] = [];
    await a.call(sender(againByA), { method: 'sendMessage', params: { chat_id: -12345, text: 'hi' } });
    expect(againByA).toEqual([-100888]);
    const sentByB: unknown[] = [];
    await b.call(sender(sentByB), { method: 'sendMessage', params: { chat_id: -12345, text: 'hi' } });
    expect(sentByB).toEqual([-100888]);
  });

  it('a cycle in the hash does not hang a lookup', async () => {
    const store = redisBackend({ client: redis.client() }).chatIdStore;
    await redis.admin.hset('tgr:{default}:chat-ids', '-61', '-62', '-62', '-61');
    expect(await store.get('-61')).toBe(-62);
  });

  it('asks Redis only about ids that can have migrated (basic groups)', async () => {
    const store = redisBackend({ client: redis.client() }).chatIdStore;
    const key = 'tgr:{default}:chat-ids';
    await redis.admin.hset(key, '123', '5', '-100777', '6', '-42', '-1004242');
    expect(store.get('123')).toBeUndefined(); // answered at once, no promise
    expect(store.get('-100777')).toBeUndefined();
    expect(await store.get('-42')).toBe(-1004242);
    expect(await store.get('-43')).toBeUndefined();
  });

  it('answers from memory, at once, while Redis is dead; set still remembers locally', async () => {
    const client = redis.client();
    const store = redisBackend({ client }).chatIdStore;
    await store.set('-1', -1001);
    await redis.server.kill();
    expect(await waitUntil(() => client.status !== 'ready', 1_000)).toBe(true);
    // At once: answers, not promises waiting for a timeout.
    expect(store.get('-1')).toBe(-1001);
    expect(store.get('-2')).toBeUndefined();
    await expect(store.set('-3', -1003)).rejects.toThrow(/redis connection is/);
    expect(await store.get('-3')).toBe(-1003);
    await redis.server.restart();
  });

  it('never waits longer than chatIdTimeoutMs on a hung Redis', async () => {
    const client = redis.client();
    const store = redisBackend({ client, chatIdTimeoutMs: 100 }).chatIdStore;
    await client.ping();
    redis.server.pause();
    try {
      const started = Date.now();
      expect(await store.get('-7')).toBeUndefined();
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(95);
      // Never the hung Redis's time: about the timeout (a busy machine may add to that).
      expect(took).toBeLessThan(1_500);
    } finally {
      redis.server.resume();
    }
  });
});
