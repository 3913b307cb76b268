/**
 * `telegram-resilience broadcast` as a child process against the simulator (real HTTP on
 * 127.0.0.1, a real SQLite journal): the ledger is the judge of what was delivered.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mulberry32, startSimulator, type Simulator, type SimulatorOptions } from '../../../src/sim/index.js';
import { compileCli, reportOf, startCli, type CompiledCli } from './child-cli.js';

const BLOCKED = 1666;
const OLD_GROUP = -4001;
const SUPERGROUP = -1004001;

let cli: CompiledCli;
let dir: string;
let sim: Simulator | undefined;

beforeAll(async () => {
  cli = await compileCli('broadcast-cli');
}, 120_000);
afterAll(() => cli?.remove());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tgr-broadcast-cli-'));
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({
    limits: { globalPerSecond: 1000 },
    blockedUsers: [BLOCKED],
    migratedGroups: { [OLD_GROUP]: SUPERGROUP },
    ...options,
  });
  return sim;
}

function chatsFile(chats: Array<number | string>, name = 'chats.txt'): string {
  const path = join(dir, name);
  writeFileSync(path, chats.join('\n') + '\n');
  return path;
}

const users = (n: number, from = 2001) => Array.from({ length: n }, (_, i) => from + i);

function run(s: Simulator, args: string[], env: Record<string, string | undefined> = {}, stdin?: string) {
  return startCli(cli.entry, ['broadcast', '--api-root', s.apiRoot, ...args], { TELEGRAM_BOT_TOKEN: s.token, ...env }, { cwd: dir, ...(stdin !== undefined && { stdin }) });
}

/** Every recipient delivered exactly once, or listed as uncertain (then at most once). */
function expectOnceOrUncertain(s: Simulator, recipients: number[], uncertain: Array<number | string>) {
  for (const chat of recipients) {
    const copies = s.deliveredTo(chat).length;
    if (uncertain.includes(chat)) expect(copies, `uncertain chat ${chat}`).toBeLessThanOrEqual(1);
    else expect(copies, `chat ${chat}`).toBe(1);
  }
}

describe('broadcast CLI', () => {
  it('a complete run with faults: the report agrees with the ledger, nobody is unaccounted for', async () => {
    const s = await simulator({ slowMs: 5, faults: { seed: 5, rate: 0.08, kinds: ['500', '502_html', 'reset_before', 'reset_after', 'bad_json'], methods: ['sendMessage'] } });
    // The group's two requests (its migration, then the supergroup) take queued "slow" faults (a
    // 5 ms delay, then normal), which win over the random ones whatever order requests come in.
    s.queueFault('slow', { method: 'sendMessage', chatId: OLD_GROUP });
    s.queueFault('slow', { method: 'sendMessage', chatId: SUPERGROUP });
    const recipients = [...users(100), BLOCKED, OLD_GROUP, -4002];
    const done = await run(s, ['--chats', chatsFile(recipients), '--text', 'hello', '--paid', '--json']).exited;
    const report = reportOf(done.stdout);
    expect(report.total).toBe(recipients.length);
    expect(report.sent + report.skipped + report.blocked.length + report.failed.length + report.uncertain.length).toBe(recipients.length);
    expect(report.blocked).toEqual([BLOCKED]);
    expect(report.migrated).toEqual([{ from: OLD_GROUP, to: SUPERGROUP }]);
    expect(report.uncertain.length).toBeGreaterThan(0); // the seed gives lost answers
    expect(done.code).toBe(3);
    expectOnceOrUncertain(s, users(100), report.uncertain);
    expect(s.deliveredTo(SUPERGROUP)).toHaveLength(1);
    expect(s.deliveredTo(BLOCKED)).toHaveLength(0);
    // "sent" means delivered: as many sent as ledger entries for chats not uncertain.
    const delivered = s.ledger().filter((e) => !report.uncertain.includes(e.chatId)).length;
    expect(delivered).toBe(report.sent);
    for (const f of report.failed) expect(s.deliveredTo(f.chatId)).toHaveLength(0);
    expect(done.stdout + done.stderr).not.toContain(s.token);

    // --resend-uncertain resends exactly the uncertain ones, and then all is done.
    const before = s.requests({ method: 'sendMessage' }).length;
    s.setFaultSchedule(null);
    const resent = await run(s, ['--chats', chatsFile(recipients), '--text', 'hello', '--paid', '--json', '--resend-uncertain']).exited;
    const again = reportOf(resent.stdout);
    const resentTo = s.requests({ method: 'sendMessage' }).slice(before).map((r) => r.chatId);
    expect(new Set(resentTo)).toEqual(new Set([...report.uncertain, ...report.failed.map((f) => f.chatId)]));
    expect(again).toMatchObject({ sent: report.uncertain.length + report.failed.length, uncertain: [], failed: [] });
    expect(resent.code).toBe(0);

    // A rerun of a finished journal sends nothing.
    const count = s.requests({ method: 'sendMessage' }).length;
    const rerun = await run(s, ['--chats', chatsFile(recipients), '--text', 'hello', '--json']).exited;
    expect(rerun.code).toBe(0);
    expect(reportOf(rerun.stdout)).toMatchObject({ sent: 0, skipped: recipients.length - 1, blocked: [BLOCKED] });
    expect(s.requests({ method: 'sendMessage' }).length).toBe(count);
  });

  it('kill -9 at random moments, restarted with the same journal: each delivered once or marked uncertain', { timeout: 90_000 }, async () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, '{ "throttle": { "globalPerSecond": 150 } }');
    for (const seed of [1, 2, 3, 4]) {
      const s = await simulator();
      const random = mulberry32(seed);
      const recipients = users(240, 10_000 * seed);
      const chats = chatsFile(recipients, `chats-${seed}.txt`);
      const args = ['--chats', chats, '--text', `news ${seed}`, '--policy', policy, '--json'];
      // One or two kills, each after a random number of sends.
      for (let kill = 0; kill < 1 + (seed % 2); kill++) {
        const sentBefore = s.requests({ method: 'sendMessage' }).length;
        const killAfter = sentBefore + 1 + Math.floor(random() * 100);
        const child = run(s, args);
        while (s.requests({ method: 'sendMessage' }).length < killAfter && child.child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
        child.child.kill('SIGKILL');
        expect((await child.exited).signal).toBe('SIGKILL');
      }
      const last = await run(s, args).exited;
      const report = reportOf(last.stdout);
      expect(report.sent + report.skipped + report.uncertain.length, `seed ${seed}`).toBe(recipients.length);
      // At each kill: the 16 requests in flight, plus the few answers that came since the last
      // claim (outcomes are committed before each claim, and a claim comes when 4 slots are free).
      const kills = 1 + (seed % 2);
      expect(report.uncertain.length, `seed ${seed}: at most what was in flight at each kill`).toBeLessThanOrEqual(kills * (16 + 8));
      expectOnceOrUncertain(s, recipients, report.uncertain);
      expect(last.code).toBe(report.uncertain.length > 0 ? 3 : 0);
      await s.close();
      sim = undefined;
    }
  });

  it('SIGINT: stops taking recipients, prints the report within 3 s; the rerun finishes', async () => {
    const s = await simulator();
    const recipients = users(200);
    const chats = chatsFile(recipients);
    const child = run(s, ['--chats', chats, '--text', 'x', '--json']); // 30/s: about 7 s in all
    while (s.requests({ method: 'sendMessage' }).length < 20) await new Promise((r) => setTimeout(r, 5));
    const interruptedAt = Date.now();
    child.child.kill('SIGINT');
    const stopped = await child.exited;
    expect(Date.now() - interruptedAt).toBeLessThan(3_000);
    expect(stopped.code).toBe(130);
    const first = reportOf(stopped.stdout);
    expect(first.total).toBeLessThan(200);
    expect(stopped.stderr).toMatch(/Interrupted: \d+ recipients were not reached yet\. Run the same command again to continue\./);

    const rest = await run(s, ['--chats', chats, '--text', 'x', '--json', '--paid']).exited;
    const report = reportOf(rest.stdout);
    expect(report.skipped).toBe(first.sent);
    expect(report.sent + report.skipped + report.uncertain.length).toBe(200);
    expectOnceOrUncertain(s, recipients, report.uncertain);
  });

  it('another text on the same journal is refused, and nothing is sent', async () => {
    const s = await simulator();
    const chats = chatsFile([2001, 2002]);
    expect((await run(s, ['--chats', chats, '--text', 'first']).exited).code).toBe(0);
    const count = s.requests({ method: 'sendMessage' }).length;
    const other = await run(s, ['--chats', chats, '--text', 'second']).exited;
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('was made for another message');
    expect(s.requests({ method: 'sendMessage' }).length).toBe(count);
  });
});

describe('broadcast CLI: bad input', () => {
  it('a missing token names the variable, exit 2, no stack trace', async () => {
    const s = await simulator();
    const done = await run(s, ['--chats', chatsFile([1]), '--text', 'x'], { TELEGRAM_BOT_TOKEN: undefined }).exited;
    expect(done.code).toBe(2);
    expect(done.stderr).toContain('TELEGRAM_BOT_TOKEN');
    expect(done.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad lines are reported with their line number and skipped; the others are sent', async () => {
    const s = await simulator();
    const path = join(dir, 'chats.txt');
    writeFileSync(path, '# subscribers\n2001\n\nnot-a-chat\n2002  # trailing comment\n0\n@good_name\n');
    const done = await run(s, ['--chats', path, '--text', 'x', '--json']).exited;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/chats\.txt:4: not a chat id .*"not-a-chat"; skipped/);
    expect(done.stderr).toMatch(/chats\.txt:6: not a chat id .*"0"; skipped/);
    expect(reportOf(done.stdout)).toMatchObject({ total: 3, sent: 3 });
    for (const chat of [2001, 2002, '@good_name']) expect(s.deliveredTo(chat)).toHaveLength(1);
  });

  it('usage errors exit 2 with a message', async () => {
    const s = await simulator();
    const chats = chatsFile([1]);
    const cases: Array<[string[], RegExp]> = [
      [['--text', 'x'], /--chats is required/],
      [['--chats', chats], /--text is required/],
      [['--chats', join(dir, 'missing.txt'), '--text', 'x'], /no such file/],
      [['--chats', chats, '--text', 'x', '--parse-mode', 'markdown'], /--parse-mode must be HTML or MarkdownV2/],
      [['--chats', '-', '--text', 'x'], /needs --journal FILE/],
      [['--chats', chats, '--text', 'x', '--api-root', 'ftp://x'], /--api-root/],
      [['--chats', chats, '--text', 'x'.repeat(4097)], /Telegram allows at most 4096/],
      [['--chats', chats, '--text', 'x', '--paid=1'], /takes no value/],
      [['status'], /--journal is required/],
      [['status', '--journal', join(dir, 'none.sqlite')], /no such file/],
    ];
    const results = await Promise.all(
      cases.map(([args]) => (args[0] === 'status' ? startCli(cli.entry, ['broadcast', ...args], {}) : run(s, args)).exited),
    );
    results.forEach((done, i) => {
      expect(done.code, cases[i]![0].join(' ')).toBe(2);
      expect(done.stderr).toMatch(cases[i]![1]);
    });
    expect(s.requests({ method: 'sendMessage' })).toHaveLength(0);
  });

  it('an unreachable API root or a refused token: exit 1, said clearly, the token never printed', async () => {
    const s = await simulator();
    const chats = chatsFile([1]);
    const closed = await startSimulator();
    const deadRoot = closed.apiRoot;
    await closed.close();
    const [unreachable, refused] = await Promise.all([
      startCli(cli.entry, ['broadcast', '--chats', chats, '--text', 'x', '--api-root', deadRoot], { TELEGRAM_BOT_TOKEN: s.token }).exited,
      run(s, ['--chats', chats, '--text', 'x'], { TELEGRAM_BOT_TOKEN: '42:not-the-right-token' }).exited,
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach the Bot API at http:\/\/127\.0\.0\.1:\d+/);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the token in TELEGRAM_BOT_TOKEN/);
    expect(refused.stderr + refused.stdout).not.toContain('not-the-right-token');
  });

  it('reads stdin with --journal, and broadcast status shows the journal', async () => {
    const s = await simulator();
    const journal = join(dir, 'stdin.sqlite');
    const done = await run(s, ['--chats', '-', '--journal', journal, '--text', 'x', '--json'], {}, `2001\n${BLOCKED}\n`).exited;
    expect(done.code).toBe(0);
    expect(reportOf(done.stdout)).toMatchObject({ total: 2, sent: 1, blocked: [BLOCKED] });
    const status = await startCli(cli.entry, ['broadcast', 'status', '--journal', journal, '--json'], {}).exited;
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout.trim())).toMatchObject({ runs: 1, method: 'sendMessage', counts: { sent: 1, blocked: 1 }, blocked: [BLOCKED] });
    expect(status.stderr).toMatch(/2 recipients, 1 run/);
  });
});
