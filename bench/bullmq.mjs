/**
 * The multi-machine broadcast: `telegram-resilience broadcast --redis URL --campaign NAME` run as N
 * processes of one campaign over one private redis-server (127.0.0.1, free port, no persistence),
 * against the embedded simulator. Measured at the server (the simulator's ledger):
 *  - free: 3 processes, the bot-wide limit 30/s: aggregate delivered/s from the first delivery to
 *    the last (target >= 95% of 30/s) and the most deliveries in any 1,000 ms window (target <= 30);
 *  - paid: 10 processes with --paid (1,000/s, the simulator set to allow it): aggregate delivered/s
 *    from the first delivery to the last, and sustained (from the 10th to the 90th percentile of
 *    deliveries: without the start, when ten processes load at once on this machine's cores);
 *    target >= 900/s;
 *  - CPU per delivered message over the whole run, start-up included (Linux: /proc/<pid>/stat of
 *    every worker process, polled; the redis-server's; the simulator's, which is this process's):
 *    everything shares this machine's cores, so this is what bounds the aggregate rate here;
 *  - peer: ten bare BullMQ workers (bench/bullmq-bare-worker.mjs: one HTTP POST per job, nothing
 *    else) sending the same 12,000 messages to an unlimited simulator: what BullMQ plus a request
 *    per job costs here, against which our per-message CPU (journal, limits, engine) is a ratio.
 * Every recipient must be delivered exactly once; the bench says so. BENCH_BULLMQ_FREE and
 * BENCH_BULLMQ_PAID set the number of recipients (default 450 and 12,000). BENCH_BULLMQ_SWEEP
 * (e.g. `1,2,5,10`) runs the paid campaign again with each number of processes.
 * Skipped (with a message) when dist/cli or bullmq is missing or redis-server is not on PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, loadBuilt, maxInWindow, report, round } from './common.mjs';
import { startRedis } from './redis-server.mjs';

const FREE_RECIPIENTS = Number(process.env.BENCH_BULLMQ_FREE ?? 450);
const PAID_RECIPIENTS = Number(process.env.BENCH_BULLMQ_PAID ?? 12_000);
/** Process counts for the paid campaign swept (e.g. `1,2,5,10`): how CPU per message grows with processes on these cores. Off by default. */
const SWEEP = (process.env.BENCH_BULLMQ_SWEEP ?? '').split(',').filter(Boolean).map(Number);
const CLI = join(ROOT, 'dist/cli/index.js');

function skip(reason) {
  report({ bench: 'bullmq', skipped: reason }, `bullmq: skipped (${reason})`);
  process.exit(0);
}
if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist/bullmq/index.js'))) skip('dist/cli or dist/bullmq is not built');
if (!existsSync(join(ROOT, 'node_modules/bullmq'))) skip('bullmq is not installed');
if (spawnSync('redis-server', ['--version']).error) skip('redis-server is not on PATH');

const { startSimulator } = await loadBuilt('sim/index.js');

const BARE_WORKER = join(ROOT, 'bench/bullmq-bare-worker.mjs');
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux everywhere in practice). */
const TICK_MS = 10;

/** CPU ms a process used so far (user + system), or undefined off Linux or once it is gone. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/**
 * Workers run at a lower priority than the simulator and redis-server (nice 10). The simulator
 * stands in for Telegram, whose servers do not share our cores: starved of CPU by ten workers, it
 * read requests late and in bunches and counted bursts that were never sent (paid, ten processes:
 * 29-144 429s a run at the same priority, none at nice 10, the same rate).
 */
const WORKER_NICE = 10;

/** Spawns `args` and polls its CPU until it exits (the last reading is within 50 ms of its end). */
function spawnMeasured(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      setPriority(child.pid, WORKER_NICE);
    } catch {
      // Not allowed here: the run is measured at the same priority.
    }
    let err = '';
    let cpuMs;
    const poll = setInterval(() => (cpuMs = cpuMsOf(child.pid) ?? cpuMs), 50);
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, err, cpuMs });
    });
  });
}

/** Rates and CPU of one run, from the simulator's ledger and the CPU readings. */
function measure({ sim, runs, redisPid, redisCpuBefore, simCpuBefore }) {
  const ledger = sim.ledger();
  const times = ledger.map((e) => e.at).sort((a, b) => a - b);
  const spanMs = times.length > 1 ? times[times.length - 1] - times[0] : 0;
  const p10 = times[Math.floor(0.1 * times.length)];
  const p90 = times[Math.floor(0.9 * times.length)];
  const sim_ = process.cpuUsage(simCpuBefore);
  const workerCpu = runs.every((r) => r.cpuMs !== undefined) ? runs.reduce((sum, r) => sum + r.cpuMs, 0) : undefined;
  const redisCpu = redisPid === undefined ? undefined : (cpuMsOf(redisPid) ?? NaN) - redisCpuBefore;
  const perMessage = (ms) => (ms === undefined || ledger.length === 0 ? undefined : round(ms / ledger.length, 3));
  const cpu = {
    workers: perMessage(workerCpu),
    redis: perMessage(redisCpu),
    simulator: perMessage((sim_.user + sim_.system) / 1000),
  };
  const total = cpu.workers === undefined || cpu.redis === undefined ? undefined : round(cpu.workers + cpu.redis + cpu.simulator, 3);
  return {
    ledger,
    times,
    perSecond: spanMs > 0 ? round(((times.length - 1) / spanMs) * 1000, 1) : 0,
    sustainedPerSecond: p90 > p10 ? round(((Math.floor(0.9 * times.length) - Math.floor(0.1 * times.length)) / (p90 - p10)) * 1000, 1) : 0,
    cpuMsPerMessage: { ...cpu, total },
  };
}


async function campaign({ name, processes, recipients, paid, simLimit, redis, dir }) {
  const sim = await startSimulator({ limits: { globalPerSecond: simLimit } });
  const chats = join(dir, `${name}.txt`);
  writeFileSync(chats, Array.from({ length: recipients }, (_, i) => 1_000_000 + i).join('\n') + '\n');
  const args = ['broadcast', '--chats', chats, '--text', `bench ${name}`, '--redis', redis.url, '--campaign', name, '--api-root', sim.apiRoot, '--json', ...(paid ? ['--paid'] : [])];
  const started = Date.now();
  const before = { redisCpuBefore: cpuMsOf(redis.pid) ?? 0, simCpuBefore: process.cpuUsage() };
  const runs = await Promise.all(Array.from({ length: processes }, () => spawnMeasured([CLI, ...args], { TELEGRAM_BOT_TOKEN: sim.token })));
  const wallMs = Date.now() - started;
  const { ledger, times, perSecond, sustainedPerSecond, cpuMsPerMessage } = measure({ sim, runs, redisPid: redis.pid, ...before });
  const distinct = new Set(ledger.map((e) => e.chatId)).size;
  const floods = sim.requests({ method: 'sendMessage' }).filter((r) => r.outcome === '429').length;
  await sim.close();
  const failedRuns = runs.filter((c) => c.code !== 0);
  return {
    processes,
    recipients,
    delivered: ledger.length,
    exactlyOnce: ledger.length === recipients && distinct === recipients,
    perSecond,
    sustainedPerSecond,
    maxIn1000ms: maxInWindow(times, 1000),
    serverFloods: floods,
    cpuMsPerMessage,
    wallMs,
    // What a user waits: from starting the processes to the last of them exiting (start-up, enqueueing and the report included).
    wallPerSecond: wallMs > 0 ? round((ledger.length / wallMs) * 1000, 1) : 0,
    exitCodes: runs.map((c) => c.code),
    ...(failedRuns.length > 0 && { firstError: failedRuns[0].err.slice(-400) }),
  };
}

/** The peer: ten bare BullMQ workers send the same number of messages to an unlimited simulator. */
async function bareWorkers({ processes, recipients, redis }) {
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  // Unlimited, paid messages too (the peer sends them as ours do, and has nothing to handle a 429 with).
  const sim = await startSimulator({ limits: { globalPerSecond: 1e9, paidPerSecond: 1e9 } });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection });
  for (let i = 0; i < recipients; i += 1000) {
    const jobs = Array.from({ length: Math.min(1000, recipients - i) }, (_, j) => ({ name: 'send', data: { chatId: 2_000_000 + i + j, text: 'bench bare' }, opts: { jobId: `bare/${i + j}`, removeOnComplete: true } }));
    await queue.addBulk(jobs);
  }
  const before = { redisCpuBefore: cpuMsOf(redis.pid) ?? 0, simCpuBefore: process.cpuUsage() };
  const runs = await Promise.all(Array.from({ length: processes }, () => spawnMeasured([BARE_WORKER, redis.url, 'bare', sim.apiRoot, sim.token], {})));
  const { ledger, perSecond, sustainedPerSecond, cpuMsPerMessage } = measure({ sim, runs, redisPid: redis.pid, ...before });
  await queue.close();
  connection.disconnect();
  await sim.close();
  return { processes, recipients, delivered: ledger.length, exactlyOnce: ledger.length === recipients && new Set(ledger.map((e) => e.chatId)).size === recipients, perSecond, sustainedPerSecond, cpuMsPerMessage };
}

const redis = await startRedis();
const dir = mkdtempSync(join(tmpdir(), 'tgr-bench-bullmq-'));
try {
  const free = await campaign({ name: 'free', processes: 3, recipients: FREE_RECIPIENTS, paid: false, simLimit: 30, redis, dir });
  const paid = await campaign({ name: 'paid', processes: 10, recipients: PAID_RECIPIENTS, paid: true, simLimit: 1000, redis, dir });
  const bare = await bareWorkers({ processes: 10, recipients: PAID_RECIPIENTS, redis });
  const sweep = [];
  for (const processes of SWEEP) {
    const run = await campaign({ name: `sweep${processes}`, processes, recipients: PAID_RECIPIENTS, paid: true, simLimit: 1000, redis, dir });
    sweep.push({ processes, perSecond: run.perSecond, sustainedPerSecond: run.sustainedPerSecond, maxIn1000ms: run.maxIn1000ms, serverFloods: run.serverFloods, cpuMsPerMessage: run.cpuMsPerMessage, exactlyOnce: run.exactlyOnce });
  }
  const ours = paid.cpuMsPerMessage;
  const result = {
    bench: 'bullmq',
    free,
    paid,
    bare,
    ...(sweep.length > 0 && { sweep }),
    freeShareOfLimit: round(free.perSecond / 30, 3),
    freeTargetMet: free.perSecond >= 0.95 * 30 && free.maxIn1000ms <= 30 && free.exactlyOnce,
    paidTargetMet: paid.perSecond >= 900 && paid.exactlyOnce,
    workerCpuRatioToBare: ours.workers && bare.cpuMsPerMessage.workers ? round(ours.workers / bare.cpuMsPerMessage.workers, 2) : undefined,
    cores: availableParallelism(),
  };
  const cpuText = (c) => (c.total === undefined ? 'CPU not measured (not Linux)' : `${c.total} ms CPU per message (workers ${c.workers}, redis ${c.redis}, simulator ${c.simulator})`);
  report(
    result,
    `bullmq: 3 processes, limit 30/s: ${free.perSecond}/s (${round(free.perSecond / 0.3, 1)}% of the limit), at most ${free.maxIn1000ms} in any 1,000 ms, ` +
      `${free.serverFloods} 429s, exactly once: ${free.exactlyOnce}; 10 processes --paid: ${paid.perSecond}/s (sustained ${paid.sustainedPerSecond}/s), at most ${paid.maxIn1000ms} in any 1,000 ms, ` +
      `${paid.serverFloods} 429s, exactly once: ${paid.exactlyOnce}, ${paid.wallPerSecond}/s from start to exit, ${cpuText(ours)}; ` +
      `peer, 10 bare BullMQ workers (one HTTP request per job, nothing else): ${bare.perSecond}/s, ${cpuText(bare.cpuMsPerMessage)}` +
      sweep.map((r) => `; sweep, ${r.processes} processes: ${r.perSecond}/s (sustained ${r.sustainedPerSecond}/s), ${r.serverFloods} 429s, ${cpuText(r.cpuMsPerMessage)}`).join(''),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await redis.stop();
}
