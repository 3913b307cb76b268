/**
 * The demo (`npm start`): a broadcast of one message to a few hundred chats through `broadcast()`,
 * the real engine and Bot API client, against the embedded simulator (429s, migrated groups,
 * blocked users, resets, a 502 page, answers lost after delivery), on the real clock. Its numbers
 * are then checked against the simulator's ledger: what Telegram really delivered.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBotApi } from '../../botapi/index.js';
import { broadcast, type BroadcastReport } from '../../broadcast/index.js';
import { createResilience } from '../../engine/resilience.js';
import type { ResilienceOptionsFromFile } from '../../engine/policy-file.js';
import { startSimulator } from '../../sim/index.js';
import type { CliIo } from '../args.js';
import { ProgressView } from '../broadcast/progress.js';
import { renderReport } from '../broadcast/report-text.js';
import { checkLedger, passed, type LedgerCheck } from './ledger-check.js';
import { DemoLog } from './log.js';
import { runNaive, type NaiveResult } from './naive.js';
import { CLIENT_TIMEOUT_MS, DEMO_TEXT, demoWorld, FAULT_RATE, scriptedFaults, SIM_GLOBAL_PER_SECOND, simulatorOptions } from './scenario.js';

export interface DemoOptions {
  seed: number;
  /** How many recipients. */
  chats: number;
  /** Options from `--policy FILE`, spread over `{ throttle: true }`. */
  policy: ResilienceOptionsFromFile;
  /** First run the same broadcast as a naive loop with plain retries. */
  compare: boolean;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function verdictLines(check: LedgerCheck, report: BroadcastReport): string[] {
  const lines = [
    'Checked against the simulator\'s ledger (what Telegram really delivered):',
    `  delivered exactly once   ${check.deliveredOnce} of ${report.total} recipients`,
    `  delivered twice or more  ${check.duplicates.length}`,
    `  reported sent, missing   ${check.sentButMissing.length}`,
    `  blocked/failed, yet got  ${check.refusedButDelivered.length}`,
  ];
  if (report.uncertain.length > 0) {
    lines.push(
      `  uncertain                ${report.uncertain.length}: ${check.uncertainDelivered} did get it, ${check.uncertainMissing} did not. The sender cannot`,
      '                           tell which, so it did not resend them; --resend-uncertain would (a duplicate for the first).',
    );
  }
  for (const d of check.duplicates) lines.push(`  DUPLICATE: chat ${d.chatId} got the message ${d.copies} times`);
  for (const chat of check.sentButMissing) lines.push(`  LOST: chat ${chat} was reported sent but never got it`);
  for (const chat of check.refusedButDelivered) lines.push(`  WRONG: chat ${chat} was reported blocked or failed but got it`);
  if (check.unaccounted.length > 0) lines.push(`  UNACCOUNTED: ${check.unaccounted.length} recipients are in no state of the report`);
  return lines;
}

function comparisonLines(naive: NaiveResult, report: BroadcastReport, floods: number, missed: number): string[] {
  const row = (label: string, a: string | number, b: string | number) => `  ${label.padEnd(24)} ${String(a).padStart(12)} ${String(b).padStart(14)}`;
  return [
    'Side by side (same chats, same faults):',
    row('', 'naive loop', 'broadcast()'),
    row('time', seconds(naive.elapsedMs), seconds(report.elapsedMs)),
    row('429 answers', naive.floods, floods),
    row('chats that got it twice', naive.duplicatedChats, 0),
    row('reachable, never got it', naive.missed, missed),
    row('told you which ones', 'no', 'yes'),
  ];
}

/** Exit codes: 0 the ledger agrees with the report, 1 it does not (or the token leaked), 130 interrupted. */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const startedAt = Date.now();
  const world = demoWorld(options.chats);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort(new Error('interrupted'));
  io.signal?.addEventListener('abort', onInterrupt, { once: true });
  const sim = await startSimulator(simulatorOptions(world, options.seed));
  for (const { kind, match } of scriptedFaults(world)) sim.queueFault(kind, match);
  const log = new DemoLog(io, sim.token, () => Date.now(), startedAt);
  const dir = await mkdtemp(join(tmpdir(), 'telegram-resilience-demo-'));
  const resilience = createResilience({ throttle: true, ...options.policy });
  try {
    log.write(`Simulated Telegram Bot API at ${sim.apiRoot} (seed ${options.seed})`);
    log.write(
      `  ${world.recipients.length} chats: ${world.groups.length} groups (${Object.keys(world.migrated).length} became supergroups), ` +
        `${world.blocked.length} users who blocked the bot`,
    );
    log.write(
      `  a bot-wide limit of ${SIM_GLOBAL_PER_SECOND}/s (a little under Telegram's 30/s, so 429s come), random faults on ` +
        `${Math.round(FAULT_RATE * 100)}% of sends (500, 502 page, resets before and after delivery, cut answers)`,
    );
    let naive: NaiveResult | undefined;
    if (options.compare) {
      log.write('');
      log.line('first, a naive loop: 10 chats at a time, plain retries (p-retry), no pacing, no journal ...');
      naive = await runNaive(world, options.seed, stop.signal);
      log.line(`naive loop done in ${seconds(naive.elapsedMs)}: ${naive.floods} 429s, ${naive.duplicatedChats} chats got it twice, ${naive.missed} reachable chats never got it`);
    }
    log.write('');
    log.line(`broadcast(): createResilience({ throttle: true }), a SQLite journal, request timeout ${CLIENT_TIMEOUT_MS} ms`);
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience, timeoutMs: CLIENT_TIMEOUT_MS });
    const journal = join(dir, 'demo.journal.sqlite');
    const view = new ProgressView({ write: (t: string) => log.progress(t) }, (io.stderr as { isTTY?: boolean }).isTTY === true, world.recipients.length);
    const report = await broadcast({
      api,
      resilience,
      recipients: world.recipients,
      message: { params: { text: DEMO_TEXT } },
      journal,
      signal: stop.signal,
      onProgress: (p) => view.update(p),
    });
    view.finish();
    const floods = sim.requests().filter((r) => r.outcome === '429').length;
    log.write('');
    for (const line of renderReport(report, undefined, stop.signal.aborted ? 0 : undefined)) log.write(line);
    if (stop.signal.aborted) {
      log.write('Interrupted.');
      return 130;
    }
    const check = checkLedger(world, report, sim.ledger(), DEMO_TEXT);
    log.write('');
    for (const line of verdictLines(check, report)) log.write(line);
    if (naive) {
      log.write('');
      for (const line of comparisonLines(naive, report, floods, check.sentButMissing.length + check.uncertainMissing + report.failed.length)) log.write(line);
    }
    log.write('');
    const ok = passed(check) && !log.tokenLeaked;
    if (log.tokenLeaked) log.write('FAILED: the bot token appeared in the output (redacted above).');
    log.write(
      ok
        ? `OK: nobody got the message twice, and every recipient is listed: ${report.sent} sent, ${report.blocked.length} blocked, ` +
            `${report.failed.length} failed, ${report.uncertain.length} uncertain (${check.uncertainMissing} of those never got it).`
        : 'FAILED: the report and the ledger disagree (see above).',
    );
    return ok ? 0 : 1;
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
    await resilience.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
