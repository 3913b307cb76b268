/**
 * Redis going away under a running engine: calls never hang, go on with local limits and say so
 * (`backend` events down/up), or fail with BackendUnavailableError when asked to; close() leaves
 * nothing behind.
 */
import { expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/redis-server.js';
import { createResilience } from '../../../src/engine/resilience.js';
import type { BackendEvent } from '../../../src/engine/types.js';
import { BackendUnavailableError as LinkError } from '../../../src/errors/backend-unavailable-error.js';
import { BackendUnavailableError, redisBackend } from '../../../src/limits/redis/index.js';
import { sleep, useRedis, waitUntil } from './redis-context.js';

const TIMEOUT_MS = 300;

describeWithRedis('redis backend failures', () => {
  const redis = useRedis();
  let chat = 1;
  const send = (resilience: ReturnType<typeof createResilience>) =>
    resilience.call(() => 'sent', { method: 'sendMessage', params: { chat_id: chat++, text: 'hi' } });

  function engine(onBackendError: 'fallback' | 'fail' = 'fallback') {
    const client = redis.client();
    const events: BackendEvent[] = [];
    const resilience = createResilience({
      throttle: { globalPerSecond: 50 },
      backend: redisBackend({ client }),
      backendTimeoutMs: TIMEOUT_MS,
      onBackendError,
    });
    resilience.on('backend', (event) => events.push(event));
    redis.defer(() => resilience.close());
    return { client, events, resilience };
  }

  /** The first send, once the client is connected: connecting takes no part of its booking's short deadline. */
  async function firstSend(client: { ping(): Promise<unknown> }, resilience: ReturnType<typeof createResilience>) {
    await client.ping();
    return send(resilience);
  }

  /** "Does not hang": it settles about when the timeout says (a busy machine adds to that, never a hang). */
  const SETTLES_WITHIN_MS = TIMEOUT_MS + 1_000;

  async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
    const started = Date.now();
    const value = await promise;
    return { value, ms: Date.now() - started };
  }

  it('goes on with local limits when Redis dies, says so, and says so again when it is back', async () => {
    const { client, events, resilience } = engine();
    expect(await firstSend(client, resilience)).toBe('sent');
    expect(events).toEqual([]);
    await redis.server.kill();
    expect(await waitUntil(() => client.status !== 'ready', 1_000)).toBe(true);
    const during = await timed(send(resilience));
    expect(during.value).toBe('sent');
    expect(during.ms).toBeLessThan(SETTLES_WITHIN_MS);
    expect(events.map((e) => e.status)).toEqual(['down']);
    expect(await send(resilience)).toBe('sent'); // still down: no second event
    expect(events).toHaveLength(1);
    await redis.server.restart();
    expect(await waitUntil(() => client.status === 'ready', 5_000)).toBe(true);
    // The limiter tries a down backend again at most once a second.
    expect(await waitUntil(async () => (await send(resilience), events.length === 2), 3_000, 100)).toBe(true);
    expect(events.map((e) => e.status)).toEqual(['down', 'up']);
    await resilience.close();
  });

  it('does not hang on a Redis that stops answering (connection open, no replies)', async () => {
    const { client, events, resilience } = engine();
    expect(await firstSend(client, resilience)).toBe('sent');
    redis.server.pause();
    try {
      const during = await timed(send(resilience));
      expect(during.value).toBe('sent');
      expect(during.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(during.ms).toBeLessThan(SETTLES_WITHIN_MS);
      expect(events.map((e) => e.status)).toEqual(['down']);
      expect(client.status).toBe('ready'); // ioredis did not notice: only the timeout caught it
    } finally {
      redis.server.resume();
    }
    await resilience.close();
  });

  it("rejects calls with BackendUnavailableError under onBackendError: 'fail'", async () => {
    expect(BackendUnavailableError).toBe(LinkError);
    await redis.server.kill();
    const { events, resilience } = engine('fail');
    const started = Date.now();
    await expect(send(resilience)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(Date.now() - started).toBeLessThan(SETTLES_WITHIN_MS);
    expect(events.map((e) => e.status)).toEqual(['down']);
    await expect(send(resilience)).rejects.toBeInstanceOf(BackendUnavailableError);
    await resilience.close();
    await redis.server.restart();
  });

  it('close() leaves no socket or timer of its own behind', async () => {
    const client = redis.client();
    await client.ping();
    await sleep(20);
    const count = (what: string) => process.getActiveResourcesInfo().filter((r) => r.includes(what)).length;
    const sockets = count('TCP');
    const timers = count('Timeout');
    const resilience = createResilience({ throttle: true, backend: redisBackend({ client }), backendTimeoutMs: TIMEOUT_MS });
    redis.defer(() => resilience.close());
    expect(await send(resilience)).toBe('sent');
    expect(count('TCP')).toBe(sockets + 1); // the gate subscriber
    await resilience.close();
    expect(await waitUntil(() => count('TCP') === sockets, 1_000)).toBe(true);
    expect(await waitUntil(() => count('Timeout') <= timers, 1_000)).toBe(true);
    expect(await client.ping()).toBe('PONG'); // the user's client is still theirs
  });

  it('close() while Redis is down stops the subscriber from reconnecting', async () => {
    await redis.server.kill();
    const { resilience } = engine();
    expect(await send(resilience)).toBe('sent'); // starting the backend fails: local limits
    await resilience.close();
    await redis.server.restart();
    await sleep(600);
    const list = String(await redis.admin.client('LIST'));
    expect(list).not.toContain('name=telegram-resilience:gates');
  });
});
