/**
 * The local journal: one SQLite file (WAL mode), one row per recipient. A claim is one synced
 * transaction for the whole batch, so "sending" is on disk before any request of the batch leaves,
 * at the cost of one commit per batch rather than one per message.
 */
import { chatKey, fromChatKey } from './chat-id.js';
import { JournalMismatchError, type BroadcastJournal, type ClaimResult, type ClaimRules, type Outcome } from './journal.js';
import { openDatabase, recordOf, summarize, type Row } from './sqlite-file.js';
import type { SqliteDatabase } from './sqlite-module.js';

/** Whether a process with this id is alive (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A journal in the SQLite file at `path` (created when missing). Nothing is opened before `open()`. */
export function sqliteJournal(path: string): BroadcastJournal {
  if (typeof path !== 'string' || path === '') throw new TypeError('sqliteJournal: `path` must be a non-empty string');
  let db: SqliteDatabase | undefined;
  let run = 0;
  let claimBatch: { immediate(keys: string[], rules: ClaimRules): ClaimResult[] } | undefined;
  let recordBatch: { immediate(outcomes: readonly Outcome[]): void } | undefined;

  const ready = (): SqliteDatabase => {
    if (!db) throw new Error('sqliteJournal: open() first (or the journal was closed)');
    return db;
  };

  return {
    async open({ fingerprint, method }) {
      if (db) throw new Error('sqliteJournal: already open');
      const handle = openDatabase(path, false);
      try {
        const getMeta = handle.prepare('SELECT value FROM meta WHERE key = ?');
        const setMeta = handle.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
        handle.transaction(() => {
          const found = (getMeta.get('fingerprint') as { value: string } | undefined)?.value;
          if (found !== undefined && found !== fingerprint) {
            throw new JournalMismatchError(`the journal ${path} belongs to another message; use another journal file for this one`, fingerprint, found);
          }
          const owner = Number((getMeta.get('owner') as { value: string } | undefined)?.value ?? 0);
          if (owner > 0 && owner !== process.pid && alive(owner)) {
            throw new Error(`the journal ${path} is in use by process ${owner}`);
          }
          setMeta.run('fingerprint', fingerprint);
          setMeta.run('method', method);
          run = Number((getMeta.get('runs') as { value: string } | undefined)?.value ?? 0) + 1;
          setMeta.run('runs', String(run));
          setMeta.run('owner', String(process.pid));
          // A dead run's "sending": the request may have left. Never resent without being asked.
          handle
            .prepare("UPDATE recipients SET state = 'uncertain', kind = 'killed', description = ? WHERE state = 'sending'")
            .run('the run that was sending it stopped before the answer was recorded');
        }).immediate();
      } catch (error) {
        handle.close();
        throw error;
      }
      db = handle;
      // A recipient seen for the first time goes straight to "sending": one statement, not three
      // (a fresh broadcast is all first times, and the journal shares the CPU with the sends).
      const insertSending = handle.prepare("INSERT OR IGNORE INTO recipients (chat, state, target, run) VALUES (?, 'sending', ?, ?)");
      const select = handle.prepare('SELECT * FROM recipients WHERE chat = ?');
      const toSending = handle.prepare("UPDATE recipients SET state = 'sending', run = ? WHERE chat = ?");
      const seen = handle.prepare('UPDATE recipients SET run = ? WHERE chat = ?');
      const toUncertain = handle.prepare("UPDATE recipients SET state = 'uncertain', kind = 'killed', description = ? WHERE chat = ?");
      claimBatch = handle.transaction((keys: string[], rules: ClaimRules) =>
        keys.map((key): ClaimResult => {
          const chatId = fromChatKey(key);
          if (insertSending.run(key, key, run).changes === 1) return { chatId, claim: 'send', target: chatId };
          const row = select.get(key) as Row;
          if (row.state === 'sending' && row.run !== run) {
            toUncertain.run('claimed by a run that stopped before the answer was recorded', key);
            seen.run(run, key);
            return { chatId, claim: 'done', record: recordOf({ ...row, state: 'uncertain', kind: 'killed' }) };
          }
          if (row.run === run && row.state !== 'migrated') return { chatId, claim: 'duplicate' };
          const send =
            row.state === 'pending' ||
            row.state === 'migrated' ||
            (row.state === 'failed' && (row.retryable === 1 || rules.retryFailed)) ||
            (row.state === 'uncertain' && rules.resendUncertain);
          if (!send) {
            seen.run(run, key); // so a repeated line in this run is known as one
            return { chatId, claim: 'done', record: recordOf(row) };
          }
          toSending.run(run, key);
          return { chatId, claim: 'send', target: fromChatKey(row.target) };
        }),
      );
      const update = handle.prepare(
        'UPDATE recipients SET state = ?, target = coalesce(?, target), message_id = ?, kind = ?, description = ?, retryable = ? WHERE chat = ?',
      );
      recordBatch = handle.transaction((outcomes: readonly Outcome[]) => {
        for (const o of outcomes) {
          const target = o.state === 'sent' || o.state === 'migrated' ? chatKey(o.target) : null;
          const messageId = o.state === 'sent' ? (o.messageId ?? null) : null;
          const kind = o.state === 'failed' || o.state === 'uncertain' ? o.kind : null;
          const description = o.state === 'failed' || o.state === 'uncertain' || o.state === 'blocked' ? o.description : null;
          const retryable = o.state === 'failed' && o.retryable ? 1 : 0;
          update.run(o.state, target, messageId, kind, description, retryable, chatKey(o.chatId));
        }
      });
    },
    async claim(chatIds, rules) {
      // "sending" must survive even a power loss once a request may leave: this commit is synced.
      ready().pragma('synchronous = FULL');
      return claimBatch!.immediate(chatIds.map(chatKey), rules);
    },
    async record(outcomes) {
      if (outcomes.length === 0) return;
      // Outcomes survive a crash of the process without a sync (WAL); a power loss may roll the
      // latest back to "sending", which a restart turns into uncertain: never resent, never lost.
      ready().pragma('synchronous = NORMAL');
      recordBatch!.immediate(outcomes);
    },
    async summary() {
      return summarize(ready());
    },
    async close() {
      if (!db) return;
      const handle = db;
      db = undefined;
      handle.prepare("DELETE FROM meta WHERE key = 'owner' AND value = ?").run(String(process.pid));
      handle.close();
    },
  };
}

