/**
 * The multi-machine broadcast: `telegram-resilience broadcast --redis URL --campaign NAME` run as N
 * processes of one campaign over one private redis-server (127.0.0.1, free port, no persistence),
 * against the embedded simulator. Measured at the server (the simulator's ledger):
 *  - free: 3 processes, the bot-wide limit 30/s: aggregate delivered/s from the first delivery to
 *    the last (target >= 95% of 30/s) and the most deliveries in any 1,000 ms window (target <= 30);
 *  - paid: 10 processes with --paid (1,000/s, the simulator set to allow it): aggregate delivered/s
 *    (target >= 900/s).
 * Every recipient must be delivered exactly once; the bench says so. BENCH_BULLMQ_FREE and
 * BENCH_BULLMQ_PAID set the number of recipients (default 450 and 12,000).
 * Skipped (with a message) when dist/cli or bullmq is missing or redis-server is not on PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, loadBuilt, report, round, sleep } from './common.mjs';
import { startRedis } from './redis-server.mjs';

const FREE_RECIPIENTS = Number(process.env.BENCH_BULLMQ_FREE ?? 450);
const PAID_RECIPIENTS = Number(process.env.BENCH_BULLMQ_PAID ?? 12_000);
const CLI = join(ROOT, 'dist/cli/index.js');

function skip(reason) {
  report({ bench: 'bullmq', skipped: reason }, `bullmq: skipped (${reason})`);
  process.exit(0);
}
if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist/bullmq/index.js'))) skip('dist/cli or dist/bullmq is not built');
if (!existsSync(join(ROOT, 'node_modules/bullmq'))) skip('bullmq is not installed');
if (spawnSync('redis-server', ['--version']).error) skip('redis-server is not on PATH');

const { startSimulator } = await loadBuilt('sim/index.js');

/** The most entries in any window of `ms` (sorted times). */
function maxInWindow(times, ms) {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= ms) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

async function campaign({ name, processes, recipients, paid, simLimit, redisUrl, dir }) {
  const sim = await startSimulator({ limits: { globalPerSecond: simLimit } });
  const chats = join(dir, `${name}.txt`);
  writeFileSync(chats, Array.from({ length: recipients }, (_, i) => 1_000_000 + i).join('\n') + '\n');
  const args = ['broadcast', '--chats', chats, '--text', `bench ${name}`, '--redis', redisUrl, '--campaign', name, '--api-root', sim.apiRoot, '--json', ...(paid ? ['--paid'] : [])];
  const started = Date.now();
  const codes = await Promise.all(
    Array.from({ length: processes }, () =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TELEGRAM_BOT_TOKEN: sim.token }, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (chunk) => (err += chunk));
        child.on('close', (code) => resolve({ code, err }));
      }),
    ),
  );
  const wallMs = Date.now() - started;
  const ledger = sim.ledger();
  const times = ledger.map((e) => e.at).sort((a, b) => a - b);
  const distinct = new Set(ledger.map((e) => e.chatId)).size;
  const spanMs = times.length > 1 ? times[times.length - 1] - times[0] : 0;
  const floods = sim.requests({ method: 'sendMessage' }).filter((r) => r.outcome === '429').length;
  await sim.close();
  const failedRuns = codes.filter((c) => c.code !== 0);
  return {
    processes,
    recipients,
    delivered: ledger.length,
    exactlyOnce: ledger.length === recipients && distinct === recipients,
    perSecond: spanMs > 0 ? round(((times.length - 1) / spanMs) * 1000, 1) : 0,
    maxIn1000ms: maxInWindow(times, 1000),
    serverFloods: floods,
    wallMs,
    exitCodes: codes.map((c) => c.code),
    ...(failedRuns.length > 0 && { firstError: failedRuns[0].err.slice(-400) }),
  };
}

const redis = await startRedis();
const dir = mkdtempSync(join(tmpdir(), 'tgr-bench-bullmq-'));
try {
  const free = await campaign({ name: 'free', processes: 3, recipients: FREE_RECIPIENTS, paid: false, simLimit: 30, redisUrl: redis.url, dir });
  const paid = await campaign({ name: 'paid', processes: 10, recipients: PAID_RECIPIENTS, paid: true, simLimit: 1000, redisUrl: redis.url, dir });
  const result = {
    bench: 'bullmq',
    free,
    paid,
    freeShareOfLimit: round(free.perSecond / 30, 3),
    freeTargetMet: free.perSecond >= 0.95 * 30 && free.maxIn1000ms <= 30 && free.exactlyOnce,
    paidTargetMet: paid.perSecond >= 900 && paid.exactlyOnce,
  };
  report(
    result,
    `bullmq: 3 processes, limit 30/s: ${free.perSecond}/s (${round(free.perSecond / 0.3, 1)}% of the limit), at most ${free.maxIn1000ms} in any 1,000 ms, ` +
      `${free.serverFloods} 429s, exactly once: ${free.exactlyOnce}; 10 processes --paid: ${paid.perSecond}/s, at most ${paid.maxIn1000ms} in any 1,000 ms, ` +
      `${paid.serverFloods} 429s, exactly once: ${paid.exactlyOnce}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await redis.stop();
}
