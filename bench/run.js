/**
 * Runs every benchmark in its own child process (`node --expose-gc bench/<name>.mjs`), one after the
 * other so that timings do not disturb each other, then prints a summary table. `npm run bench`
 * builds first. Pass bench names to run only some: `node bench/run.js heap broadcast`.
 * Exits non-zero when a bench fails to run (a missed target is reported, not a failure).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = ['overhead', 'paced-throughput', 'latency', 'heap', 'broadcast', 'jitter', 'http-broadcast', 'redis', 'broadcast-journal', 'bullmq'];

function runBench(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', join(here, `${name}.mjs`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{"bench"'));
      let result;
      try {
        result = line ? JSON.parse(line) : undefined;
      } catch {
        result = undefined;
      }
      resolve({ name, code, result, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const fmt = (value, unit = '') => (value === undefined || value === null ? '-' : `${value}${unit}`);
const verdict = (met) => (met === undefined ? '' : met ? 'met' : 'MISSED');

/** Rows of the summary table: [bench, metric, this library, peer, ratio, target]. */
function rows({ name, result: r }) {
  if (!r) return [[name, 'FAILED to run', '', '', '', '']];
  if (r.skipped) return [[name, `skipped: ${r.skipped}`, '', '', '', '']];
  switch (name) {
    case 'overhead':
      return [
        [name, 'ns/call, fn direct', fmt(r.nsDirect), '', '', ''],
        [name, 'ns/call, call(fn) vs fn().then(_, rethrow)', fmt(r.nsCall), fmt(r.nsBare), `${r.ratioCallToBare}x`, '<= 1.15x'],
        [name, 'ns/call, call(fn) vs the least retryable wrapper (a closure keeping fn)', fmt(r.nsCall), fmt(r.nsRetryable), `${r.ratioCallToRetryable}x`, ''],
        [name, 'ns/call, call(fn) vs p-retry', fmt(r.nsCall), fmt(r.nsPRetry), `${r.ratioCallToPRetry}x`, ''],
        [name, 'ns/call, throttled getMe vs p-retry', fmt(r.nsCallThrottledUnpaced), fmt(r.nsPRetry), `${r.ratioThrottledToPRetry}x`, ''],
        [name, 'ns/call, grammyTransformer vs auto-retry', fmt(r.nsGrammyTransformer), fmt(r.nsGrammyAutoRetry), `${r.ratioGrammyTransformerToAutoRetry}x`, '<= 1x'],
      ];
    case 'paced-throughput':
      return [
        [name, 'sustained paced calls/s (paid, 5,000); most in any 1,000 ms', `${fmt(r.engineCallsPerSecond)}; ${fmt(r.engineMaxIn1000ms)}`, fmt(r.bottleneckCallsPerSecond), `${r.ratioEngineToBottleneck}x`, `<= 1,000 in any 1 s, >= 970/s ${verdict(r.engineTargetMet)}`],
        [name, 'end-to-end calls/s (incl. queueing)', fmt(r.engineEndToEndCallsPerSecond), fmt(r.bottleneckEndToEndCallsPerSecond), '', ''],
        [name, 'calls/s with limits at 1e9/s', fmt(r.limitsAt1e9CallsPerSecond), '', '', ''],
      ];
    case 'latency':
      return [
        [name, 'µs added under limit p50 / p99', `${r.engineSpacedP50Us} / ${r.engineSpacedP99Us}`, `${r.bottleneckSpacedP50Us} / ${r.bottleneckSpacedP99Us}`, `${r.ratioSpacedP50}x (p50)`, ''],
        [name, 'µs floor (direct) / no throttle p50', `${r.directSpacedP50Us} / ${r.engineNoThrottleSpacedP50Us}`, '', '', ''],
        [name, 'µs added, default limits, 40 ms apart p50 / p99', `${r.engineDefaultP50Us} / ${r.engineDefaultP99Us}`, `cockatiel ${r.cockatielDefaultP50Us} / ${r.cockatielDefaultP99Us}`, '', ''],
        [name, 'µs back-to-back p50 / p99', `${r.engineBackToBackP50Us} / ${r.engineBackToBackP99Us}`, `${r.bottleneckBackToBackP50Us} / ${r.bottleneckBackToBackP99Us}`, '', ''],
      ];
    case 'heap':
      return [
        [name, 'MB, 100k chats queued', fmt(r.engineQueuedMB), `~${r.bottleneckQueuedMBScaledTo100k} (${r.bottleneckKeysMeasured} keys x${100_000 / r.bottleneckKeysMeasured})`, `${r.ratioBottleneckToEngine}x`, `< 64 MB ${verdict(r.engineTargetMet)}`],
        [name, 'MB after drain / past TTL / next call', `${r.engineDrainedMB} / ${r.engineAfterIdleTtlMB} / ${r.engineAfterNextCallMB}`, '', '', ''],
      ];
    case 'broadcast':
      return [
        [name, 'throttle: makespan/bound, 429s', `${r.throttledRatio}x, ${r.throttledFloods} (${r.throttledFloodPct}%)`, '', '', `<= 1.05x, < 0.5% ${verdict(r.throttledTargetMet)}`],
        [name, 'retries only: makespan/bound, 429s', `${r.retriesOnlyRatio}x, ${r.retriesOnlyFloods}`, `ref auto-retry ${r.referenceAutoRetryRatio}x, ${r.referenceAutoRetryFloods}`, '', ''],
        [name, 'single FIFO queue: makespan/bound, 429s', `${r.fifoRatio}x, ${r.fifoFloods} (${r.fifoFloodPct}%)`, `ref auto-retry+throttler ${r.referenceAutoRetryThrottlerRatio}x`, '', ''],
      ];
    case 'jitter':
      return [
        [name, 'worst of J=0..50 ms (+400 ms stalls), 3 seeds: makespan/bound, 429s, out of order', `${r.worstRatio}x, ${r.worstFloods}, ${r.worstOutOfOrder}`, `auto-retry ${r.autoRetryRatioWithJitter}x; throttler+auto-retry ${r.throttlerAutoRetryRatioWithJitter}x`, '', `<= 1.05x, <= 1 429 ${verdict(r.targetMet)}`],
      ];
    case 'http-broadcast':
      return [
        [name, `real clock over HTTP, ${r.messages} chats, strict 30/1,000 ms: makespan/bound, 429s, most in 1 s`, `${r.plain.ratio}x, ${r.plain.floods}, ${r.plain.mostIn1000Ms}`, '', '', `<= 1.05x, <= 1 429, <= 30 ${verdict(r.targetMet)}`],
        [name, 'same, with a 400 ms event-loop stall', `${r.stalled.ratio}x, ${r.stalled.floods}, ${r.stalled.mostIn1000Ms}`, '', '', ''],
      ];
    case 'redis':
      return [
        [name, `aggregate sends/s, ${r.processes} processes`, fmt(r.aggregatePerSecond), '', '', `<= ${r.globalPerSecond}/s ${verdict(r.rateWithinLimit)}`],
        [name, 'others after 429: sends, stopped, resumed', `${r.othersSendsDuringGate}, ${r.pausePropagationMs} ms, ${r.othersResumedAfterMs} ms`, '', '', ''],
        [name, 'gate announcement latency', fmt(r.gateAnnouncementArrivedAfterMs, ' ms'), '', '', ''],
      ];
    case 'broadcast-journal':
      return [
        [name, `peak RSS MB, ${r.millionRecipients.toLocaleString('en')} recipients from a file`, `${r.peakRssMB} (${r.millionPerSecond}/s, instant api)`, '', '', `<= 256 MB ${verdict(r.rssTargetMet)}`],
        [name, 'CLI --paid vs 1,000/s, journal on: msg/s', `${r.paidSustainedPerSecond} (${r.paidSent} sent, ${r.paidFloods} 429s)`, `no journal ${r.paidPeerPerSecond}`, `${r.paidRatioToPeer}x`, `>= 900/s ${verdict(r.paidTargetMet)}`],
      ];
    case 'bullmq':
      return [
        [name, `aggregate delivered/s, ${r.free.processes} processes, limit 30/s`, fmt(r.free.perSecond), '', `${Math.round(r.freeShareOfLimit * 100)}% of limit`, `>= 95%, <= 30 in any 1 s (max ${r.free.maxIn1000ms}) ${verdict(r.freeTargetMet)}`],
        [name, `aggregate delivered/s, ${r.paid.processes} processes --paid (sustained)`, `${fmt(r.paid.perSecond)} (${fmt(r.paid.sustainedPerSecond)})`, r.bare ? `bare BullMQ ${r.bare.perSecond}` : '', '', `>= 900/s ${verdict(r.paidTargetMet)}`],
        [name, `worker CPU ms per message, ${r.paid.processes} processes`, fmt(r.paid.cpuMsPerMessage?.workers), fmt(r.bare?.cpuMsPerMessage?.workers), r.workerCpuRatioToBare ? `${r.workerCpuRatioToBare}x bare` : '', ''],
        [name, 'every recipient exactly once (free / paid)', `${r.free.exactlyOnce} / ${r.paid.exactlyOnce}`, '', '', ''],
      ];
    default:
      return [[name, JSON.stringify(r), '', '', '', '']];
  }
}

function table(allRows) {
  const header = ['bench', 'metric', 'this library', 'peer', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...allRows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...allRows.map(line)].join('\n');
}

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !BENCHES.includes(name));
if (unknown.length > 0) {
  console.error(`bench/run.js: unknown bench ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`);
  process.exit(2);
}
const started = Date.now();
const outcomes = [];
for (const name of requested.length > 0 ? requested : BENCHES) {
  console.log(`\n== ${name}`);
  outcomes.push(await runBench(name));
}
console.log(`\n== summary (${((Date.now() - started) / 1000).toFixed(0)} s; ${outcomes.map((o) => `${o.name} ${o.seconds.toFixed(0)} s`).join(', ')})`);
console.log(table(outcomes.flatMap(rows)));
const failed = outcomes.filter((o) => o.code !== 0 || !o.result);
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.map((o) => `${o.name} (exit ${o.code})`).join(', ')}`);
  process.exitCode = 1;
}
