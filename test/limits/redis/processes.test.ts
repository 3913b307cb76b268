/**
 * Three real processes of one bot share the bot-wide limit and a flood gate through a real
 * redis-server. The library is compiled once into a temp dir (.tmp/, never the repo's dist/) and
 * each process runs test/limits/redis/fixtures/sender.mjs against it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileSources } from '../../helpers/compile-sources.js';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const GLOBAL_PER_SECOND = 20;
const RUN_MS = 3_000;
/** Late enough that a full 1 s window passes before the gate, early enough that sending resumes after it. */
const FLOOD_AFTER_MS = 1_300;
/** The flood answer says "retry after 1" second. */
const GATE_MS = 1_000;
/** A process may already hold a booked slot when the gate closes (one per process, sending one at a time). */
const IN_FLIGHT_MS = 200;

interface Report {
  sends: number[];
  floodAt?: number;
  backendEvents: string[];
}

/** Compiles what the fixture imports (see compileSources). */
async function compile(outDir: string): Promise<void> {
  await compileSources(outDir, ['engine/resilience.ts', 'limits/redis/index.ts']);
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((done, fail) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      child.off('message', onMessage);
      done(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => fail(new Error(`fixture exited (${code}) before "${type}"`)));
  });
}

/** The most sends in any window of `ms` (windows start at a send). */
function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + ms) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

describeWithRedis('three processes of one bot through Redis', () => {
  const outDir = join(root, '.tmp', `redis-processes-${process.pid}`);
  let server: RedisServer;

  beforeAll(async () => {
    const started = Date.now();
    [server] = await Promise.all([startRedisServer(), compile(outDir)]);
    console.log(`[redis processes] compiled the library in ${Date.now() - started} ms`);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('keep to one bot-wide limit together, and a gate closed by one pauses the others', async () => {
    const children = [0, 1, 2].map(() =>
      fork(join(here, 'fixtures/sender.mjs'), [], {
        env: { ...process.env, TGR_DIST: join(outDir, 'dist'), REDIS_PORT: String(server.port), GLOBAL_PER_SECOND: String(GLOBAL_PER_SECOND) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    try {
      await Promise.all(children.map((child) => nextMessage(child, 'ready')));
      const startAt = Date.now() + 100;
      const reports = children.map((child) => nextMessage<Report>(child, 'done'));
      children.forEach((child, i) => child.send({ startAt, runMs: RUN_MS, floodAfterMs: i === 0 ? FLOOD_AFTER_MS : undefined }));
      const [flooder, ...others] = await Promise.all(reports);
      const all = [flooder!, ...others].flatMap((r) => r.sends);

      // Together at or under the bot-wide limit (one more allowed for timer jitter) ...
      const busiest = busiestWindow(all, 1_000);
      console.log(`[redis processes] ${all.length} sends; busiest 1 s window: ${busiest} (limit ${GLOBAL_PER_SECOND})`);
      expect(busiest).toBeLessThanOrEqual(GLOBAL_PER_SECOND + 1);
      // ... and the limit was what held them back: alone, each would send 20/s.
      expect(busiest).toBeGreaterThanOrEqual(GLOBAL_PER_SECOND - 2);
      for (const report of [flooder!, ...others]) expect(report.backendEvents).toEqual([]);

      // The gate: closed by the flooder, paused everybody until it opened.
      const floodAt = flooder!.floodAt!;
      expect(floodAt).toBeGreaterThan(0);
      const opensAt = floodAt + GATE_MS;
      for (const [i, report] of [flooder!, ...others].entries()) {
        const slack = i === 0 ? 0 : IN_FLIGHT_MS;
        const during = report.sends.filter((t) => t > floodAt + slack && t < opensAt - 5);
        expect(during, `process ${i} sent while the bot's gate was closed`).toEqual([]);
        expect(report.sends.some((t) => t < floodAt)).toBe(true);
        expect(report.sends.some((t) => t >= opensAt)).toBe(true);
      }

      // Each process ends by itself after close(): nothing of the backend kept it alive.
      const codes = await Promise.race([
        Promise.all(children.map(exited)),
        new Promise<'hung'>((done) => setTimeout(() => done('hung'), 5_000).unref()),
      ]);
      expect(codes).toEqual([0, 0, 0]);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
