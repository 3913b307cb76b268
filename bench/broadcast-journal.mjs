/**
 * The broadcast job at scale, with the SQLite journal on (both parts use the built package):
 *
 * 1. Memory: 1,000,000 recipients (BENCH_JOURNAL_RECIPIENTS) streamed from a file through
 *    `broadcast()` with a journal, to an api that answers at once (no network: what is measured is
 *    broadcast's and the journal's own cost). Peak RSS of this process (`resourceUsage().maxRSS`,
 *    measured before part 2 starts anything). Target: <= 256 MB.
 * 2. Throughput: the CLI (`dist/cli/index.js broadcast --paid`) as a child process against the
 *    simulator allowing 1,000 messages/s bot-wide, 10,000 recipients (BENCH_JOURNAL_PAID). Sustained
 *    rate = deliveries per second at the simulator between the first and the last delivery.
 *    Target: >= 900 messages/s. Peer, in the same run: the same sends from a child process without
 *    any journal (the engine with `throttle: true` and the Bot API client, 500 calls in flight), so
 *    the ratio shows what the journal costs whatever the machine's load.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadBuilt, report, ROOT } from './common.mjs';

if (process.argv[2] === 'peer') {
  // The peer: paid sends through the engine and client, no journal. Args: apiRoot, count.
  const { createResilience } = await loadBuilt('index.js');
  const { createBotApi } = await loadBuilt('botapi/index.js');
  const [apiRoot, count] = [process.argv[3], Number(process.argv[4])];
  const resilience = createResilience({ throttle: true });
  const api = createBotApi({ token: process.env.TELEGRAM_BOT_TOKEN, apiRoot, resilience });
  let next = 0;
  const loop = async () => {
    while (next < count) await api.call('sendMessage', { chat_id: 7_000_000 + next++, text: 'paid news', allow_paid_broadcast: true }).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: 500 }, loop));
  await resilience.close();
  process.exit(0);
}

const { broadcast, openJournal } = await loadBuilt('broadcast/index.js');
const { startSimulator } = await loadBuilt('sim/index.js');

const RECIPIENTS = Number(process.env.BENCH_JOURNAL_RECIPIENTS ?? 1_000_000);
const PAID = Number(process.env.BENCH_JOURNAL_PAID ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-broadcast-journal-'));

function writeChats(path, count, first) {
  const chunk = [];
  let text = '';
  for (let i = 0; i < count; i++) {
    chunk.push(first + i);
    if (chunk.length === 10_000) {
      text += chunk.join('\n') + '\n';
      chunk.length = 0;
    }
  }
  if (chunk.length > 0) text += chunk.join('\n') + '\n';
  writeFileSync(path, text);
}

async function* chatsFrom(path) {
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line) yield Number(line);
}

async function memoryPart() {
  const chats = join(dir, 'million.txt');
  writeChats(chats, RECIPIENTS, 1_000_000);
  const journal = join(dir, 'million.sqlite');
  let messageId = 0;
  const api = { call: async (_method, params) => ({ message_id: ++messageId, chat: { id: params.chat_id } }) };
  const started = Date.now();
  const result = await broadcast({ api, recipients: chatsFrom(chats), message: { params: { text: 'news' } }, journal, paid: true });
  const elapsedMs = Date.now() - started;
  const state = await openJournal(journal);
  return {
    recipients: RECIPIENTS,
    sent: result.sent,
    journalSent: state.counts.sent,
    seconds: Math.round(elapsedMs / 100) / 10,
    perSecond: Math.round(result.sent / (elapsedMs / 1000)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    journalMB: Math.round(statSync(journal).size / 1024 / 1024),
  };
}

/** Runs `args` as a child process against a fresh simulator allowing 1,000/s; the rate at the simulator. */
async function againstSimulator(args) {
  const sim = await startSimulator({ limits: { globalPerSecond: 1000 } });
  try {
    const child = spawn(process.execPath, args(sim.apiRoot), { env: { ...process.env, TELEGRAM_BOT_TOKEN: sim.token }, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    const code = await new Promise((done) => child.on('close', done));
    const times = sim.ledger().map((e) => e.at).sort((a, b) => a - b);
    const spanMs = times[times.length - 1] - times[0];
    return {
      code,
      stdout,
      delivered: times.length,
      floods: sim.requests().filter((r) => r.outcome === '429').length,
      sustainedPerSecond: Math.round(((times.length - 1) / spanMs) * 1000 * 10) / 10,
    };
  } finally {
    await sim.close();
  }
}

async function paidPart() {
  const chats = join(dir, 'paid.txt');
  writeChats(chats, PAID, 5_000_000);
  const journal = join(dir, 'paid.sqlite');
  const cli = await againstSimulator((apiRoot) => [join(ROOT, 'dist/cli/index.js'), 'broadcast', '--chats', chats, '--journal', journal, '--text', 'paid news', '--paid', '--json', '--api-root', apiRoot]);
  const result = JSON.parse(cli.stdout.trim().split('\n').pop());
  const peer = await againstSimulator((apiRoot) => [fileURLToPath(import.meta.url), 'peer', apiRoot, String(PAID)]);
  return {
    code: cli.code,
    recipients: PAID,
    sent: result.sent,
    floods: cli.floods,
    sustainedPerSecond: cli.sustainedPerSecond,
    reportElapsedMs: result.elapsedMs,
    lowerBoundMs: result.lowerBoundMs,
    peerPerSecond: peer.sustainedPerSecond,
    peerDelivered: peer.delivered,
  };
}

try {
  const memory = await memoryPart();
  const paid = await paidPart();
  const result = {
    bench: 'broadcast-journal',
    millionRecipients: memory.recipients,
    millionSent: memory.sent,
    millionSeconds: memory.seconds,
    millionPerSecond: memory.perSecond,
    peakRssMB: memory.peakRssMB,
    journalMB: memory.journalMB,
    rssTargetMet: memory.peakRssMB <= 256 && memory.sent === memory.recipients && memory.journalSent === memory.recipients,
    paidRecipients: paid.recipients,
    paidSent: paid.sent,
    paidExit: paid.code,
    paidFloods: paid.floods,
    paidSustainedPerSecond: paid.sustainedPerSecond,
    paidElapsedMs: paid.reportElapsedMs,
    paidLowerBoundMs: paid.lowerBoundMs,
    paidPeerPerSecond: paid.peerPerSecond,
    paidRatioToPeer: Math.round((paid.sustainedPerSecond / paid.peerPerSecond) * 100) / 100,
    paidTargetMet: paid.sustainedPerSecond >= 900 && paid.sent === paid.recipients,
  };
  report(
    result,
    `broadcast-journal: ${memory.sent.toLocaleString('en')} recipients streamed in ${memory.seconds} s (${memory.perSecond}/s, instant api), ` +
      `peak RSS ${memory.peakRssMB} MB, journal ${memory.journalMB} MB; CLI --paid vs 1,000/s: ${paid.sent} sent at ${paid.sustainedPerSecond}/s sustained, ` +
      `${paid.floods} 429s, ${paid.reportElapsedMs} ms (bound ${paid.lowerBoundMs} ms); the same sends without a journal: ${paid.peerPerSecond}/s`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
