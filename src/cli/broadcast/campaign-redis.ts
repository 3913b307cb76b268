/**
 * The CLI's Redis connection for a campaign: connect (or a clear error), and watch it. While Redis is
 * gone nothing can be recorded, so nothing is sent (BullMQ fetches no job, and a claim cannot be
 * made); the watcher says so, says when it is back, and gives up after `giveUpMs`.
 */
import type { Redis } from 'ioredis';

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(an invalid URL)';
  }
}

type RedisModule = { Redis: new (url: string, options: Record<string, unknown>) => Redis };

/** A connected client (`maxRetriesPerRequest: null`: commands wait out a reconnect), or a sentence saying why not. */
export async function connectRedis(load: () => Promise<RedisModule>, url: string, timeoutMs: number): Promise<Redis | string> {
  const { Redis: RedisClient } = await load();
  let client: Redis;
  try {
    client = new RedisClient(url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: (n: number) => Math.min(100 * n, 1_000), connectionName: 'telegram-resilience:broadcast' });
  } catch (error) {
    return `--redis: ${error instanceof Error ? error.message : String(error)}`;
  }
  let lastError = '';
  client.on('error', (error: Error) => (lastError = error.message));
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  const ready = client.connect().then(
    () => client.ping().then(() => 'ok' as const),
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  const result = await Promise.race([ready, timer]);
  if (result === 'ok') return client;
  client.disconnect();
  return `cannot reach Redis at ${redactUrl(url)}: ${result === 'timeout' ? lastError || `no answer within ${timeoutMs} ms` : result}`;
}

/** Reports outages of `client` through `say`, and calls `giveUp` when one lasts `giveUpMs`. */
export function watchRedis(client: Redis, url: string, giveUpMs: number, say: (line: string) => void, giveUp: () => void, back: () => void): () => void {
  let downSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const down = () => {
    if (downSince !== undefined) return;
    downSince = Date.now();
    say(`Redis at ${redactUrl(url)} is unreachable: not sending (outcomes could not be recorded); waiting up to ${Math.round(giveUpMs / 1000)} s for it to come back`);
    timer = setTimeout(giveUp, giveUpMs);
  };
  const up = () => {
    if (downSince === undefined) return;
    say(`Redis is back after ${((Date.now() - downSince) / 1000).toFixed(1)} s: resuming`);
    downSince = undefined;
    clearTimeout(timer);
    back();
  };
  client.on('close', down);
  client.on('ready', up);
  return () => {
    clearTimeout(timer);
    client.off('close', down);
    client.off('ready', up);
  };
}
