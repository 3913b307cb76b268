/**
 * Per-file Redis fixture: one redis-server for the file, fresh clients per test (all closed after),
 * FLUSHALL before each test.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { redisBackend, type RedisBackend, type RedisBackendOptions } from '../../../src/limits/redis/index.js';

export interface RedisContext {
  readonly server: RedisServer;
  /** A new client to the test server; disconnected after the test. */
  client(options?: Record<string, unknown>): Redis;
  /** A backend on a new client (or the one given); closed after the test, even when it fails. */
  backend(options?: Partial<RedisBackendOptions>): RedisBackend;
  /** Runs `close` after the test (before the clients are disconnected). */
  defer(close: () => unknown): void;
  /** An admin connection for looking at keys (not counted as a user's client). */
  readonly admin: Redis;
}

export function useRedis(): RedisContext {
  let server: RedisServer | undefined;
  let admin: Redis | undefined;
  const clients: Redis[] = [];
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    admin.on('error', () => {});
    await admin.connect();
  });
  beforeEach(async () => {
    if (admin!.status !== 'ready') await admin!.connect().catch(() => {});
    await admin!.flushall();
  });
  afterEach(async () => {
    // A test that failed half-way may leave Redis killed or paused.
    server!.resume();
    if (!server!.running) await server!.restart();
    for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => {});
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });
  const context: RedisContext = {
    get server() {
      return server!;
    },
    get admin() {
      return admin!;
    },
    client(options = {}) {
      const c = new Redis({ port: server!.port, host: '127.0.0.1', ...options });
      // Tests kill Redis on purpose: the client's reconnect errors are expected.
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    backend(options = {}) {
      const backend = redisBackend({ ...options, client: options.client ?? context.client() });
      closers.push(() => backend.close());
      return backend;
    },
    defer(close) {
      closers.push(close);
    },
  };
  return context;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true or `timeoutMs` passes; returns whether it became true. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 10): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
}
