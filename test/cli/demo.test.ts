/** The demo, for real (real clock, real HTTP to the simulator, a real SQLite journal), and its ledger check. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BroadcastReport } from '../../src/broadcast/index.js';
import { checkLedger, passed } from '../../src/cli/demo/ledger-check.js';
import { DemoLog } from '../../src/cli/demo/log.js';
import { runDemo } from '../../src/cli/demo/run-demo.js';
import { demoWorld } from '../../src/cli/demo/scenario.js';
import { DEFAULT_SIM_TOKEN, type LedgerEntry } from '../../src/sim/index.js';
import { cli } from './helpers.js';

describe('demo (real seconds)', () => {
  it('demo --chats 60 --compare: exit 0, the report, the ledger check and the comparison; never the token', { timeout: 30_000 }, async () => {
    const result = await cli(['demo', '--chats', '60', '--compare']);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Broadcast finished in \d+\.\ds/m);
    expect(out).toMatch(/^ {2}recipients +60$/m);
    expect(out).toMatch(/^ {2}blocked +1 {3}100037$/m);
    expect(out).toMatch(/^ {2}migrated +[12] {3}-4010 -> -1001000000010/m);
    // The scripted faults: a flood wait too long to sleep (failed), lost answers (uncertain).
    expect(out).toMatch(/^ {2}failed +1 {3}\d+ \(flood: Too Many Requests: retry after 120\)$/m);
    expect(out).toMatch(/^ {2}uncertain +[1-9]\d* {3}/m);
    expect(out).toMatch(/^ {2}delivered twice or more {2}0$/m);
    expect(out).toMatch(/^ {2}reported sent, missing {3}0$/m);
    expect(out).toMatch(/^ {2}uncertain +\d+: \d+ did get it, \d+ did not/m);
    expect(out).toMatch(/^ {2}time +\d+\.\ds +\d+\.\ds$/m);
    expect(out).toMatch(/^ {2}chats that got it twice +\d+ +0$/m);
    expect(out).toMatch(/^OK: nobody got the message twice, and every recipient is listed: \d+ sent, 1 blocked, 1 failed, \d+ uncertain/m);
    expect(out).not.toContain('none was lost');
    expect(out + result.stderr).not.toContain(DEFAULT_SIM_TOKEN);
    expect(out + result.stderr).not.toContain(encodeURIComponent(DEFAULT_SIM_TOKEN));
  });

  it('with allowDuplicates the ledger check catches the duplicate and the demo exits 1', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-'));
    try {
      const policy = join(dir, 'dup.json');
      await writeFile(policy, '{ "allowDuplicates": true }');
      // A reset after delivery: resending it (what allowDuplicates permits) duplicates it.
      const result = await cli(['demo', '--chats', '30', '--policy', policy]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/DUPLICATE: chat \d+ got the message [2-5] times/);
      expect(result.stdout).toContain('FAILED: the report and the ledger disagree');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C (the io signal) stops the run: exit 130', { timeout: 10_000 }, async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 800);
    expect(await runDemo({ seed: 1, chats: 200, policy: {}, compare: false }, { ...io, signal: interrupt.signal })).toBe(130);
    expect(out).toMatch(/^Broadcast stopped in /m);
    expect(out).toContain('Interrupted.');
  });
});

describe('the ledger check', () => {
  const world = { recipients: [1, 2, 3, -10], blocked: [3], migrated: { '-10': -1010 }, groups: [-10] };
  const report = (over: Partial<BroadcastReport>): BroadcastReport => ({
    total: 4, sent: 2, skipped: 0, blocked: [3], migrated: [{ from: -10, to: -1010 }], failed: [], uncertain: [2], floodWaits: 0, elapsedMs: 1, lowerBoundMs: 0, ...over,
  });
  const ledger = (...chats: number[]): LedgerEntry[] => chats.map((chatId, i) => ({ chatId, messageId: i + 1, method: 'sendMessage', text: 'm', at: 0 }));

  it('passes when sent ones are there once (a migrated group at its new id), and counts uncertain ones both ways', () => {
    const check = checkLedger(world, report({}), ledger(1, -1010), 'm');
    expect(check).toMatchObject({ deliveredOnce: 2, duplicates: [], sentButMissing: [], refusedButDelivered: [], uncertainDelivered: 0, uncertainMissing: 1 });
    expect(passed(check)).toBe(true);
    expect(checkLedger(world, report({}), ledger(1, 2, -1010), 'm').uncertainDelivered).toBe(1);
  });

  it('a duplicate, a sent one missing, a blocked one delivered, each fail it', () => {
    expect(checkLedger(world, report({}), ledger(1, 1, -1010), 'm').duplicates).toEqual([{ chatId: 1, copies: 2 }]);
    expect(checkLedger(world, report({}), ledger(-1010), 'm').sentButMissing).toEqual([1]);
    expect(checkLedger(world, report({}), ledger(1, 3, -1010), 'm').refusedButDelivered).toEqual([3]);
    for (const l of [ledger(1, 1, -1010), ledger(-1010), ledger(1, 3, -1010)]) expect(passed(checkLedger(world, report({}), l, 'm'))).toBe(false);
  });

  it('the demo world has groups, migrations and blocked users', () => {
    const w = demoWorld(300);
    expect(w.recipients).toHaveLength(300);
    expect(w.groups).toHaveLength(30);
    expect(Object.keys(w.migrated)).toHaveLength(10);
    expect(w.blocked).toHaveLength(8);
  });
});

describe('the demo log', () => {
  it('redacts the token from any line and remembers that it had to', () => {
    let out = '';
    const log = new DemoLog({ stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } }, '123:SECRET', () => 1500, 0);
    log.line('plain line');
    expect(log.tokenLeaked).toBe(false);
    log.write('url http://x/bot123:SECRET/getMe and http://x/bot123%3ASECRET/getMe');
    expect(log.tokenLeaked).toBe(true);
    expect(out).toBe('[  1.50s] plain line\nurl http://x/bot<token>/getMe and http://x/bot<token>/getMe\n');
  });
});
