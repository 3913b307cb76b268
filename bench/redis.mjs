/**
 * Limits shared across processes through Redis: a redis-server on 127.0.0.1 (free port, no
 * persistence) and three processes of one bot (redis-worker.mjs), each sending paced calls with
 * `throttle: { globalPerSecond: 30 }` and `backend: redisBackend({ client })` as fast as the limiter
 * lets them. Reported:
 *  - the aggregate send rate from 1 s to 5 s (should be <= 30/s, not 3 x 30/s) and the most sends
 *    seen in any 1 s window over the whole run;
 *  - pause propagation: at 5 s one process gets a bot-wide 429 (retry_after 2); how long the other two
 *    went on sending after it (ms; 0 = not one more send), and when they sent again. A listener in
 *    this process, subscribed to the backend's gate channel, also times when the gate announcement
 *    arrives (the Redis side of the propagation, without the send spacing in it).
 * Skipped (with a message) when dist/limits/redis is not built or redis-server is not on PATH.
 */
import { fork, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, loadBuilt, maxInWindow, report, round, sleep } from './common.mjs';
import { startRedis } from './redis-server.mjs';

const PROCESSES = 3;
const GLOBAL_PER_SECOND = 30;
const RATE_WINDOW = { from: 1_000, to: 5_000 };
const FLOOD_AFTER_MS = 5_000;
const RETRY_AFTER_S = 2;
const RUN_MS = 8_000;
/** Calls each process keeps in flight (BENCH_REDIS_CONCURRENCY to change). */
const CONCURRENCY = Number(process.env.BENCH_REDIS_CONCURRENCY ?? 10);

function skip(reason) {
  report({ bench: 'redis', skipped: reason }, `redis: skipped (${reason})`);
  process.exit(0);
}

if (!existsSync(join(ROOT, 'dist/limits/redis/index.js'))) skip('dist/limits/redis/index.js is not built');
if (spawnSync('redis-server', ['--version']).error) skip('redis-server is not on PATH');

function nextMessage(child, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code) => {
      cleanup();
      reject(new Error(`worker exited with code ${code} before sending "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}


/** Subscribes to the gate channel and records when each announcement arrives (epoch ms). */
async function listenForGates(port) {
  const { Redis } = await import('ioredis');
  const { redisBackend } = await loadBuilt('limits/redis/index.js');
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  client.on('error', () => {});
  await client.connect();
  const channel = redisBackend({ client }).keys.gateChannel;
  const arrivals = [];
  client.on('message', (name) => name === channel && arrivals.push(Date.now()));
  await client.subscribe(channel);
  return { arrivals, close: () => client.disconnect() };
}

const redis = await startRedis();
const workers = [];
let reports;
let gateListener;
try {
  gateListener = await listenForGates(redis.port);
  for (let index = 0; index < PROCESSES; index++) {
    const child = fork(join(ROOT, 'bench/redis-worker.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    workers.push(child);
    child.send({
      type: 'config',
      port: redis.port,
      index,
      globalPerSecond: GLOBAL_PER_SECOND,
      concurrency: CONCURRENCY,
      runMs: RUN_MS,
      flood: index === 0,
      floodAfterMs: FLOOD_AFTER_MS,
      retryAfter: RETRY_AFTER_S,
    });
  }
  await Promise.all(workers.map((child) => nextMessage(child, 'ready')));
  const startAt = Date.now() + 300;
  const reportsPromise = Promise.all(workers.map((child) => nextMessage(child, 'report')));
  for (const child of workers) child.send({ type: 'go', startAt });
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('workers did not report within 60 s')), 60_000)));
  reports = await Promise.race([reportsPromise, timeout]).finally(() => clearTimeout(timer));

  const all = reports.flatMap((r) => r.sends).sort((a, b) => a - b);
  const inRateWindow = all.filter((t) => t >= startAt + RATE_WINDOW.from && t < startAt + RATE_WINDOW.to).length;
  const aggregateRate = inRateWindow / ((RATE_WINDOW.to - RATE_WINDOW.from) / 1000);
  const perProcessRate = reports.map((r) =>
    round(r.sends.filter((t) => t >= startAt + RATE_WINDOW.from && t < startAt + RATE_WINDOW.to).length / ((RATE_WINDOW.to - RATE_WINDOW.from) / 1000), 1),
  );
  const gateAt = reports[0].floodAt;
  if (typeof gateAt !== 'number') throw new Error('the flooding process never made its 429 attempt');
  const gateEnd = gateAt + RETRY_AFTER_S * 1000;
  const others = reports.slice(1).flatMap((r) => r.sends).sort((a, b) => a - b);
  const duringGate = others.filter((t) => t > gateAt && t < gateEnd);
  const pausePropagationMs = duringGate.length > 0 ? duringGate[duringGate.length - 1] - gateAt : 0;
  const lastBeforeGate = others.filter((t) => t <= gateAt).pop();
  const resumed = others.find((t) => t > gateAt + pausePropagationMs);
  const backendEvents = reports.flatMap((r) => r.backendEvents);
  const announced = gateListener.arrivals.find((t) => t >= gateAt);

  const result = {
    bench: 'redis',
    processes: PROCESSES,
    globalPerSecond: GLOBAL_PER_SECOND,
    concurrencyPerProcess: CONCURRENCY,
    aggregatePerSecond: round(aggregateRate, 1),
    perProcessPerSecond: perProcessRate,
    maxSendsInAnySecond: maxInWindow(all, 1000),
    rateWithinLimit: aggregateRate <= GLOBAL_PER_SECOND,
    gateMs: RETRY_AFTER_S * 1000,
    othersSendsDuringGate: duringGate.length,
    pausePropagationMs,
    othersLastSendBeforeGateMsAgo: lastBeforeGate === undefined ? null : gateAt - lastBeforeGate,
    othersResumedAfterMs: resumed === undefined ? null : resumed - gateAt,
    gateAnnouncementArrivedAfterMs: announced === undefined ? null : announced - gateAt,
    backendDownEvents: backendEvents.filter((e) => e.status === 'down').length,
  };
  report(
    result,
    `redis: ${PROCESSES} processes at globalPerSecond ${GLOBAL_PER_SECOND}: aggregate ${result.aggregatePerSecond}/s ` +
      `(per process ${perProcessRate.join(', ')}; max ${result.maxSendsInAnySecond} in any 1 s; ` +
      `${result.rateWithinLimit ? 'within' : 'OVER'} the limit); after a bot-wide 429 in one process the others sent ` +
      `${result.othersSendsDuringGate} more (stopped within ${pausePropagationMs} ms) and resumed after ${result.othersResumedAfterMs} ms ` +
      `(gate ${result.gateMs} ms); the gate announcement reached a subscriber ${result.gateAnnouncementArrivedAfterMs} ms after the 429` +
      (result.backendDownEvents > 0 ? `; WARNING: ${result.backendDownEvents} backend-down events (fell back to local limits)` : ''),
  );
} finally {
  gateListener?.close();
  for (const child of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await redis.stop();
}
