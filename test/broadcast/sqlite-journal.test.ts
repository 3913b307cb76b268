/** The SQLite journal on its own: the claim rules, a dead run's "sending", one owner at a time. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, sqliteJournal, type ClaimRules } from '../../src/broadcast/index.js';

const binding = { fingerprint: 'sha256:test', method: 'sendMessage' };
const none: ClaimRules = { resendUncertain: false, retryFailed: false };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tgr-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('sqliteJournal', () => {
  it('a run that stopped while sending leaves uncertain recipients; only resendUncertain claims them again', async () => {
    const path = join(dir, 'j.sqlite');
    const first = sqliteJournal(path);
    await first.open(binding);
    expect((await first.claim([1, 2, 3], none)).map((c) => c.claim)).toEqual(['send', 'send', 'send']);
    await first.record([{ chatId: 1, state: 'sent', target: 1, messageId: 10 }]);
    await first.close(); // 2 and 3 stay in "sending", as after kill -9

    const second = sqliteJournal(path);
    await second.open(binding);
    const claims = await second.claim([1, 2, 3, 4], none);
    expect(claims.map((c) => (c.claim === 'done' ? c.record.state : c.claim))).toEqual(['sent', 'uncertain', 'uncertain', 'send']);
    await second.close();
    expect((await openJournal(path)).counts).toMatchObject({ sent: 1, uncertain: 2, sending: 1 });

    const third = sqliteJournal(path);
    await third.open(binding);
    const again = await third.claim([1, 2, 3, 4, 2], { resendUncertain: true, retryFailed: false });
    // 4 too: the second run claimed it and stopped before recording it.
    expect(again.map((c) => c.claim)).toEqual(['done', 'send', 'send', 'send', 'duplicate']);
    await third.close();
  });

  it('retryable failures are claimed again, permanent ones only with retryFailed; migrated ones go to the new id', async () => {
    const path = join(dir, 'j.sqlite');
    const j = sqliteJournal(path);
    await j.open(binding);
    await j.claim([1, 2, -5], none);
    await j.record([
      { chatId: 1, state: 'failed', kind: 'network', description: 'ECONNREFUSED', retryable: true },
      { chatId: 2, state: 'failed', kind: 'not_found', description: 'chat not found', retryable: false },
      { chatId: -5, state: 'migrated', target: -1005 },
    ]);
    expect(await j.claim([-5], none)).toEqual([{ chatId: -5, claim: 'send', target: -1005 }]);
    await j.close();
    const state = await openJournal(path);
    expect(state.failed).toEqual([
      { chatId: 1, kind: 'network', description: 'ECONNREFUSED', retryable: true },
      { chatId: 2, kind: 'not_found', description: 'chat not found', retryable: false },
    ]);
    expect(state.migrated).toEqual([{ from: -5, to: -1005 }]);

    const next = sqliteJournal(path);
    await next.open(binding);
    expect((await next.claim([1, 2], none)).map((c) => c.claim)).toEqual(['send', 'done']);
    await next.close();
    const last = sqliteJournal(path);
    await last.open(binding);
    expect((await last.claim([2], { resendUncertain: false, retryFailed: true })).map((c) => c.claim)).toEqual(['send']);
    await last.close();
  });

  it('refuses another message, and a journal a live process holds', async () => {
    const path = join(dir, 'j.sqlite');
    const j = sqliteJournal(path);
    await j.open(binding);
    await j.close();
    await expect(sqliteJournal(path).open({ ...binding, fingerprint: 'sha256:other' })).rejects.toThrow(/belongs to another message/);
    // The parent process (alive) as owner, as if another run were using it.
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (p: string) => { prepare(s: string): { run(...a: unknown[]): unknown }; close(): void };
    const db = new Database(path);
    db.prepare("INSERT INTO meta (key, value) VALUES ('owner', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(process.ppid));
    db.close();
    await expect(sqliteJournal(path).open(binding)).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
  });

  it('openJournal on a file that is not there fails, without creating it', async () => {
    await expect(openJournal(join(dir, 'none.sqlite'))).rejects.toThrow();
  });
});
