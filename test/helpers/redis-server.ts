/**
 * Starts a real `redis-server` for integration tests: 127.0.0.1 only, a free port, no persistence.
 * Where redis-server is missing the Redis tests are skipped and say why, except on CI (env `CI`
 * set), where a missing redis-server fails them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

/** `REDIS_SERVER` when set (a path; only it is tried), else `redis-server` on PATH, else Debian's /usr/bin/redis-server. */
export function findRedisServer(): string | undefined {
  const candidates = process.env.REDIS_SERVER
    ? [process.env.REDIS_SERVER]
    : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server')), '/usr/bin/redis-server'];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * `describe` for tests that need redis-server: runs them when it is installed; otherwise skips them
 * with the reason in the suite name and a warning, or (on CI) fails with the reason.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (findRedisServer()) {
    describe(name, body);
    return;
  }
  const reason = 'redis-server not found (set REDIS_SERVER, or install it: apt-get install redis-server)';
  if (process.env.CI) {
    describe(name, () => {
      it('needs redis-server on CI', () => {
        throw new Error(`${reason}; the Redis tests must not be skipped on CI`);
      });
    });
    return;
  }
  console.warn(`[redis tests] SKIPPED "${name}": ${reason}`);
  describe.skip(`${name} (skipped: ${reason})`, body);
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** False between kill() and restart(). */
  readonly running: boolean;
  /** SIGKILL: Redis goes away at once, the way a crash does. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: Redis stops answering but keeps its connections open (a hung server). */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port (after kill()). */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once the server answers PING on `port`. */
async function waitForPong(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      let answer = '';
      socket.setTimeout(200, () => socket.destroy());
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (data) => {
        answer += data.toString();
        if (answer.includes('\r\n')) {
          socket.destroy();
          resolve(answer.startsWith('+PONG'));
        }
      });
      socket.on('error', () => resolve(false));
      socket.on('close', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * `persistent`: an append-only file fsynced on every write, so that data survives kill() and
 * restart() (as a production Redis should be set up for a broadcast journal).
 */
export async function startRedisServer(options: { persistent?: boolean } = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server not found');
  const dir = mkdtempSync(join(tmpdir(), 'tgr-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  const children = new Set<ChildProcess>();
  const killAll = () => {
    for (const c of children) c.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const launch = async (onPort: number) => {
    const c = spawn(
      binary,
      [
        ...['--port', String(onPort), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--loglevel', 'warning'],
        ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.add(c);
    c.once('exit', () => children.delete(c));
    c.stderr?.resume();
    try {
      await waitForPong(onPort, c, 5_000);
    } catch (error) {
      c.kill('SIGKILL');
      await exited(c);
      throw error;
    }
    child = c;
  };

  // Another process may take the free port between our look and redis-server's bind: try again.
  for (let i = 0; ; i++) {
    port = await freePort();
    try {
      await launch(port);
      break;
    } catch (error) {
      if (i >= 3) throw error;
    }
  }

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    async kill() {
      const c = child;
      child = undefined;
      if (!c) return;
      c.kill('SIGCONT');
      c.kill('SIGKILL');
      await exited(c);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async restart() {
      await server.kill();
      // The old socket may linger briefly; redis sets SO_REUSEADDR, so a retry or two is enough.
      for (let i = 0; ; i++) {
        try {
          await launch(port);
          return;
        } catch (error) {
          if (i >= 5) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (c) {
        c.kill('SIGCONT');
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 2_000);
        await exited(c);
        clearTimeout(timer);
      }
      process.removeListener('exit', killAll);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
