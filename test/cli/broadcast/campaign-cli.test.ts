/**
 * `telegram-resilience broadcast --redis URL --campaign NAME` as forked processes: one campaign
 * worked by three CLIs over a real redis-server (persistent, so it can be restarted), against the
 * simulator, whose ledger judges what was delivered.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { enqueueBroadcast } from '../../../src/bullmq/index.js';
import { mulberry32, startSimulator, type Simulator, type SimulatorOptions } from '../../../src/sim/index.js';
import { describeWithRedis, startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { compileCli, reportOf, startCli, type CompiledCli } from './child-cli.js';

let cli: CompiledCli;
let redis: RedisServer;
let dir: string;
let sim: Simulator | undefined;
let campaignNumber = 0;

const users = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithRedis('broadcast CLI --redis: one campaign, many processes', () => {
  beforeAll(async () => {
    [cli, redis] = await Promise.all([compileCli('campaign-cli'), startRedisServer({ persistent: true })]);
  }, 120_000);
  afterAll(async () => {
    cli?.remove();
    await redis?.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tgr-campaign-cli-'));
  });
  afterEach(async () => {
    if (!redis.running) await redis.restart();
    await sim?.close();
    sim = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
    sim = await startSimulator({ limits: { globalPerSecond: 1000 }, blockedUsers: [666], migratedGroups: { '-4001': -1004001 }, ...options });
    return sim;
  }
  function chatsFile(chats: number[]): string {
    const path = join(dir, `chats-${++campaignNumber}.txt`);
    writeFileSync(path, chats.join('\n') + '\n');
    return path;
  }
  const policy = (perSecond: number) => {
    const path = join(dir, 'policy.json');
    writeFileSync(path, JSON.stringify({ throttle: { globalPerSecond: perSecond } }));
    return path;
  };
  const run = (s: Simulator, args: string[]) =>
    startCli(cli.entry, ['broadcast', '--api-root', s.apiRoot, '--redis', redis.url, '--json', ...args], { TELEGRAM_BOT_TOKEN: s.token }, { cwd: dir });
  /** Runs `use` with the campaign's BullMQ queue (as the CLI names it) on a connection of its own, then closes both. */
  async function withQueue<T>(campaign: string, use: (queue: Queue, connection: Redis) => Promise<T>): Promise<T> {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(`broadcast.${campaign}`, { connection });
    try {
      return await use(queue, connection);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }
  /** Every recipient delivered exactly once, or listed as uncertain (then at most once). */
  function expectOnceOrUncertain(s: Simulator, recipients: number[], uncertain: Array<number | string>) {
    for (const chat of recipients) {
      const copies = s.deliveredTo(chat).length;
      if (uncertain.includes(chat)) expect(copies, `uncertain chat ${chat}`).toBeLessThanOrEqual(1);
      else expect(copies, `chat ${chat}`).toBe(1);
    }
  }

  it('a campaign made for another message: exit 2 and nothing sent, not even the jobs it left waiting; its own message then sends them once', { timeout: 60_000 }, async () => {
    const s = await simulator();
    const recipients = users(5, 30_000);
    // Enqueued by someone else with another text, and not worked yet: its jobs wait in the queue.
    await withQueue('elsewhere', (queue, connection) =>
      enqueueBroadcast(queue, { campaign: 'elsewhere', recipients, message: { params: { text: 'first' } }, connection }),
    );
    const other = await run(s, ['--chats', chatsFile(recipients), '--text', 'second', '--campaign', 'elsewhere']).exited;
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr).toContain('was made for another message');
    expect(s.requests({ method: 'sendMessage' })).toHaveLength(0);

    const own = await run(s, ['--chats', chatsFile(recipients), '--text', 'first', '--campaign', 'elsewhere']).exited;
    expect(own.code, own.stderr).toBe(0);
    expect(reportOf(own.stdout).sent).toBe(recipients.length);
    for (const chat of recipients) expect(s.deliveredTo(chat).map((m) => m.text)).toEqual(['first']);
  });

  it('Ctrl-C while the rest of a long file is still being enqueued stops the process (exit 130) instead of working the whole campaign', { timeout: 60_000 }, async () => {
    const s = await simulator();
    // 200,000 lines take this process far longer to enqueue than the test waits.
    const recipients = users(200_000, 1_000_000);
    const running = run(s, ['--chats', chatsFile(recipients), '--text', 'stop', '--campaign', 'interrupted', '--paid']);
    for (let waited = 0; s.ledger().length === 0; waited += 20) {
      if (waited > 30_000) throw new Error(`nothing was delivered: ${running.stderr()}`);
      await sleep(20);
    }
    running.child.kill('SIGINT');
    const done = await running.exited;
    expect(done.code, done.stderr).toBe(130);
    expect(new Set(s.ledger().map((e) => e.chatId)).size).toBe(s.ledger().length);
    // It stopped enqueueing too: what it sent and what waits are far fewer than the file's lines.
    const counts = await withQueue('interrupted', (queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'));
    const left = Object.values(counts).reduce((sum, n) => sum + n, 0);
    expect(left + s.ledger().length).toBeLessThan(recipients.length / 2);
  });

  it('three processes with faults: each recipient once or uncertain, and all three print the same campaign report', { timeout: 60_000 }, async () => {
    const s = await simulator({ faults: { seed: 3, rate: 0.06, kinds: ['500', '502_html', 'reset_before', 'reset_after'], methods: ['sendMessage'] } });
    const recipients = [...users(150, 20_000), 666, -4001];
    const args = ['--chats', chatsFile(recipients), '--text', 'hello', '--campaign', 'three', '--paid'];
    const done = await Promise.all([0, 1, 2].map(() => run(s, args).exited));
    const reports = done.map((d) => reportOf(d.stdout));
    for (const [i, d] of done.entries()) expect(d.code, d.stderr).toBe(reports[i]!.failed.length + reports[i]!.uncertain.length > 0 ? 3 : 0);
    const [first] = reports;
    for (const report of reports) {
      expect(report.total).toBe(recipients.length);
      expect(report.sent + report.skipped + report.blocked.length + report.failed.length + report.uncertain.length).toBe(recipients.length);
      expect({ ...report, sent: 0, skipped: 0, elapsedMs: 0, lowerBoundMs: 0, floodWaits: 0 }).toEqual({ ...first!, sent: 0, skipped: 0, elapsedMs: 0, lowerBoundMs: 0, floodWaits: 0 });
    }
    // Which request meets which fault depends on how the three processes interleave: the blocked
    // user's send may meet one (then it is uncertain or failed, not blocked), and a lost answer on
    // the group's first send leaves it uncertain before Telegram could say it migrated.
    if (first!.blocked.length > 0) expect(first!.blocked).toEqual([666]);
    else expect([...first!.uncertain, ...first!.failed.map((f) => f.chatId)]).toContain(666);
    if (first!.migrated.length > 0) expect(first!.migrated).toEqual([{ from: -4001, to: -1004001 }]);
    else expect([...first!.uncertain, ...first!.failed.map((f) => f.chatId)]).toContain(-4001);
    expect(first!.uncertain.length).toBeGreaterThan(0); // the seed loses answers after delivery
    expectOnceOrUncertain(s, users(150, 20_000), first!.uncertain);
    for (const f of first!.failed) expect(s.deliveredTo(f.chatId)).toHaveLength(0);
    // All three worked the queue: each saw sends by the campaign while it ran.
    expect(reports.filter((r) => r.sent > 0)).toHaveLength(3);
    expect(done.map((d) => d.stdout + d.stderr).join('')).not.toContain(s.token);

    // --resend-uncertain resends exactly the uncertain (and the retryable failures).
    s.setFaultSchedule(null);
    const before = s.requests({ method: 'sendMessage' }).length;
    const resend = await run(s, [...args, '--resend-uncertain']).exited;
    const resentTo = s.requests({ method: 'sendMessage' }).slice(before).map((r) => r.chatId);
    // A migrated group's message goes to its new id; one whose migration was not yet known meets it now.
    const targetOf = (chat: number | string) => first!.migrated.find((m) => m.from === chat)?.to ?? chat;
    const resendTo = [...first!.uncertain, ...first!.failed.map((f) => f.chatId)].map(targetOf);
    if (resendTo.includes(-4001)) {
      resendTo.push(-1004001);
      // Straight to the new id when the first run already learned the migration (an attempt met it,
      // and a later attempt to the new id lost its answer): the shared chat-id store rewrites it.
      if (!resentTo.includes(-4001)) resendTo.splice(resendTo.indexOf(-4001), 1);
    }
    expect(new Set(resentTo)).toEqual(new Set(resendTo));
    expect(reportOf(resend.stdout)).toMatchObject({ uncertain: [], failed: [], total: recipients.length, migrated: [{ from: -4001, to: -1004001 }] });
    expect(resend.code).toBe(0);
  });

  it('kill -9 of a worker at random moments, restarted to join the running campaign: once each or uncertain', { timeout: 120_000 }, async () => {
    for (const seed of [1, 2, 3]) {
      const s = await simulator();
      const random = mulberry32(seed);
      const recipients = users(200, 100_000 * seed);
      const args = ['--chats', chatsFile(recipients), '--text', `news ${seed}`, '--campaign', `kill-${seed}`, '--policy', policy(100)];
      const others = [run(s, args), run(s, args)];
      const victim = run(s, args);
      const killAfter = 5 + Math.floor(random() * 120);
      while (s.requests({ method: 'sendMessage' }).length < killAfter && victim.child.exitCode === null) await sleep(2);
      victim.child.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      const restarted = run(s, args); // joins the campaign the other two are still working
      const done = await Promise.all([...others, restarted].map((c) => c.exited));
      const reports = done.map((d) => reportOf(d.stdout));
      for (const report of reports) {
        expect(report.total, `seed ${seed}`).toBe(recipients.length);
        expect(report.sent + report.skipped + report.uncertain.length, `seed ${seed}`).toBe(recipients.length);
        expect(report.uncertain).toEqual(reports[0]!.uncertain);
      }
      expect(reports[0]!.uncertain.length, `seed ${seed}: at most the victim's jobs in flight`).toBeLessThanOrEqual(10);
      expectOnceOrUncertain(s, recipients, reports[0]!.uncertain);
      await s.close();
      sim = undefined;
    }
  });

  it('Redis restarted mid-campaign: the workers say so, wait, resume, and finish with nobody skipped', { timeout: 60_000 }, async () => {
    const s = await simulator();
    const recipients = users(200, 40_000);
    const args = ['--chats', chatsFile(recipients), '--text', 'restart', '--campaign', 'restart', '--policy', policy(60)];
    const children = [run(s, args), run(s, args)];
    while (s.requests({ method: 'sendMessage' }).length < 40) await sleep(5);
    await redis.kill();
    const sentWhileDown = s.requests({ method: 'sendMessage' }).length;
    await sleep(1_500);
    // Only requests already claimed before Redis went away may still have left.
    expect(s.requests({ method: 'sendMessage' }).length - sentWhileDown).toBeLessThanOrEqual(20);
    await redis.restart();
    const done = await Promise.all(children.map((c) => c.exited));
    for (const d of done) {
      expect(d.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable: not sending/);
      expect(d.stderr).toMatch(/Redis is back after \d+\.\d s: resuming/);
      const report = reportOf(d.stdout);
      expect(report.sent + report.skipped + report.uncertain.length + report.failed.length).toBe(recipients.length);
      expectOnceOrUncertain(s, recipients, report.uncertain);
    }
  });

  it('Redis unreachable at start: a clear error, exit 1; bad usage: exit 2', async () => {
    const s = await simulator();
    const chats = chatsFile([1, 2]);
    const closed = await startRedisServer();
    const deadUrl = closed.url;
    await closed.stop();
    const env = { TELEGRAM_BOT_TOKEN: s.token };
    const [down, noCampaign, both] = await Promise.all([
      startCli(cli.entry, ['broadcast', '--chats', chats, '--text', 'x', '--api-root', s.apiRoot, '--redis', deadUrl, '--campaign', 'c'], env).exited,
      startCli(cli.entry, ['broadcast', '--chats', chats, '--text', 'x', '--redis', redis.url], env).exited,
      startCli(cli.entry, ['broadcast', '--chats', chats, '--text', 'x', '--redis', redis.url, '--campaign', 'c', '--journal', join(dir, 'j')], env).exited,
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    expect(down.stderr).not.toMatch(/\n\s+at /);
    expect(noCampaign.code).toBe(2);
    expect(noCampaign.stderr).toMatch(/--redis needs --campaign NAME/);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--journal and --redis do not go together/);
    expect(s.requests({ method: 'sendMessage' })).toHaveLength(0);
  });
});
