/** The demo, for real (real clock, real HTTP to the simulator), and its delivery checks. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemoLog } from '../../src/cli/demo/log.js';
import { runDemo } from '../../src/cli/demo/run-demo.js';
import { checkDeliveries, passed, type MessageOutcome } from '../../src/cli/demo/report.js';
import { DEFAULT_SIM_TOKEN } from '../../src/sim/index.js';
import type { LedgerEntry } from '../../src/sim/index.js';
import { cli } from './helpers.js';

describe('demo (real seconds)', () => {
  it('demo --messages 10 finishes with exit 0, a summary, and never prints the token', { timeout: 15_000 }, async () => {
    const started = Date.now();
    const result = await cli(['demo', '--messages', '10']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Summary: 10 messages to 9 chats in \d+\.\ds \(seed 1\)$/m);
    expect(result.stdout).toMatch(/^ {2}delivered exactly once +\d+ {2}of 10/m);
    expect(result.stdout).toMatch(/^ {2}duplicates +0$/m);
    expect(result.stdout).toMatch(/^ {2}lost +0 /m);
    expect(result.stdout).toContain('OK: no message was delivered twice and none was lost.');
    // The scenario's landmarks: the migrated group, the blocked user, a retried lookup.
    expect(result.stdout).toMatch(/migrated +getChat group -4001 \(migrated\): group -4001 is now supergroup -1001234567890/);
    expect(result.stdout).toMatch(/gave up +#5 -> blocked user 1666: sendMessage after \d attempts?: /);
    expect(result.stdout).toMatch(/retry +getChat user 1002: getChat failed with server/);
    expect(result.stdout).not.toContain(DEFAULT_SIM_TOKEN);
    expect(result.stdout).not.toContain(encodeURIComponent(DEFAULT_SIM_TOKEN));
  });

  it('with allowDuplicates the ledger check catches the duplicate and the demo exits 1', { timeout: 15_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-'));
    try {
      const policy = join(dir, 'dup.json');
      await writeFile(policy, '{ "allowDuplicates": true }');
      // Message #6 goes to user 1004, whose first send meets a reset after delivery: resending it duplicates it.
      const result = await cli(['demo', '--messages', '6', '--policy', policy]);
      expect(result.code).toBe(1);
      // Usually twice; a seeded fault on the resend itself may add a third copy.
      expect(result.stdout).toMatch(/DUPLICATE: #6 to user 1004 delivered [2-5] times/);
      expect(result.stdout).toContain('FAILED: see above.');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('demo: stopping early', () => {
  const capture = () => {
    let out = '';
    return { io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } }, text: () => out };
  };

  it('messages still running at the deadline count as lost: exit 1', { timeout: 10_000 }, async () => {
    const { io, text } = capture();
    expect(await runDemo({ seed: 1, messages: 30, policy: {}, deadlineMs: 1_200 }, io)).toBe(1);
    expect(text()).toMatch(/^ {2}unfinished +\d+ {2}still running at the deadline$/m);
    expect(text()).toMatch(/LOST: #\d+ to .* \(unfinished\)/);
  });

  it('Ctrl-C (the io signal) stops the run: exit 130', { timeout: 10_000 }, async () => {
    const { io, text } = capture();
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(), 800);
    expect(await runDemo({ seed: 1, messages: 30, policy: {} }, { ...io, signal: interrupt.signal })).toBe(130);
    expect(text()).toContain('Interrupted.');
  });
});

describe('the delivery check', () => {
  const chat = { id: 1, label: 'user 1' };
  const outcome = (index: number, status: MessageOutcome['status'], maybeDelivered?: boolean): MessageOutcome => ({
    index,
    chat,
    text: `#${index}`,
    status,
    ...(maybeDelivered !== undefined && { failure: { kind: 'network', maybeDelivered, cause: null } }),
  });
  const delivered = (...indexes: number[]): LedgerEntry[] =>
    indexes.map((i, n) => ({ chatId: 1, messageId: n + 1, method: 'sendMessage', text: `#${i}`, at: 0 }));

  it('passes when each sent message is in the ledger once and failures are not', () => {
    const check = checkDeliveries([outcome(1, 'sent'), outcome(2, 'sent'), outcome(3, 'failed', true)], delivered(1, 2));
    expect(check).toMatchObject({ sent: 2, failed: 1, deliveredOnce: 2, duplicates: [], lost: [] });
    expect(passed(check)).toBe(true);
  });

  it('a message delivered twice is a duplicate', () => {
    const check = checkDeliveries([outcome(1, 'sent')], delivered(1, 1));
    expect(check.duplicates).toEqual([{ outcome: expect.objectContaining({ index: 1 }), copies: 2 }]);
    expect(passed(check)).toBe(false);
  });

  it('a message reported sent but not in the ledger is lost', () => {
    const check = checkDeliveries([outcome(1, 'sent'), outcome(2, 'sent')], delivered(1));
    expect(check.lost.map((o) => o.index)).toEqual([2]);
    expect(passed(check)).toBe(false);
  });

  it('an unfinished message fails the run, delivered or not', () => {
    expect(passed(checkDeliveries([outcome(1, 'unfinished')], delivered(1)))).toBe(false);
    expect(checkDeliveries([outcome(1, 'unfinished')], []).lost).toHaveLength(1);
  });

  it('a failure that may have been delivered and was is fine; one that said "surely not" and was is not', () => {
    const maybe = checkDeliveries([outcome(1, 'failed', true)], delivered(1));
    expect(maybe.failedButDelivered).toHaveLength(1);
    expect(passed(maybe)).toBe(true);
    const wrong = checkDeliveries([outcome(1, 'failed', false)], delivered(1));
    expect(wrong.deliveredDespiteRefusal).toHaveLength(1);
    expect(passed(wrong)).toBe(false);
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
