/**
 * The local journal: one SQLite file (WAL mode), one row per recipient. A claim is one synced
 * transaction for the whole batch, so "sending" is on disk before any request of the batch leaves,
 * at the cost of one commit per batch rather than one per message.
 */
import { chatKey, fromChatKey } from './chat-id.js';
import {
  JournalMismatchError,
  RECIPIENT_STATES,
  type BroadcastJournal,
  type ChatId,
  type ClaimResult,
  type ClaimRules,
  type JournalSummary,
  type Outcome,
  type RecipientRecord,
  type RecipientState,
} from './journal.js';
import { loadSqlite, type SqliteDatabase } from './sqlite-module.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recipients (
  chat TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  target TEXT NOT NULL,
  message_id INTEGER,
  kind TEXT,
  description TEXT,
  retryable INTEGER NOT NULL DEFAULT 0,
  run INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recipients_unsent ON recipients (state) WHERE state <> 'sent';
`;

interface Row {
  chat: string;
  state: RecipientState;
  target: string;
  message_id: number | null;
  kind: string | null;
  description: string | null;
  retryable: number;
  run: number;
}

function recordOf(row: Row): RecipientRecord {
  const record: RecipientRecord = { chatId: fromChatKey(row.chat), state: row.state, target: fromChatKey(row.target) };
  if (row.message_id !== null) record.messageId = row.message_id;
  if (row.kind !== null) record.kind = row.kind;
  if (row.description !== null) record.description = row.description;
  if (row.state === 'failed') record.retryable = row.retryable === 1;
  return record;
}

/** Whether a process with this id is alive (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function openDatabase(path: string, readonly: boolean): SqliteDatabase {
  const Database = loadSqlite();
  const db = new Database(path, readonly ? { readonly: true, fileMustExist: true } : {});
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

function summarize(db: SqliteDatabase): JournalSummary {
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
  const counts = Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as Record<RecipientState, number>;
  for (const row of db.prepare('SELECT state, count(*) AS n FROM recipients GROUP BY state').all() as Array<{ state: RecipientState; n: number }>) {
    counts[row.state] = row.n;
  }
  const summary: JournalSummary = {
    fingerprint: meta.get('fingerprint') ?? '',
    method: meta.get('method') ?? '',
    runs: Number(meta.get('runs') ?? 0),
    counts,
    uncertain: [],
    failed: [],
    blocked: [],
    migrated: [],
  };
  for (const raw of db.prepare("SELECT * FROM recipients WHERE state <> 'sent' OR target <> chat").iterate()) {
    const r = recordOf(raw as Row);
    if (r.state === 'uncertain') summary.uncertain.push(r.chatId);
    else if (r.state === 'blocked') summary.blocked.push(r.chatId);
    else if (r.state === 'failed') summary.failed.push({ chatId: r.chatId, kind: r.kind ?? 'unknown', description: r.description ?? '', retryable: r.retryable ?? false });
    if (chatKey(r.target) !== chatKey(r.chatId)) summary.migrated.push({ from: r.chatId, to: r.target });
  }
  return summary;
}

/** What `openJournal(path)` reads: the state of an existing journal file, opened read-only. */
export async function readJournal(path: string): Promise<JournalSummary> {
  const db = openDatabase(path, true);
  try {
    return summarize(db);
  } finally {
    db.close();
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
      const insert = handle.prepare("INSERT OR IGNORE INTO recipients (chat, state, target) VALUES (?, 'pending', ?)");
      const select = handle.prepare('SELECT * FROM recipients WHERE chat = ?');
      const toSending = handle.prepare("UPDATE recipients SET state = 'sending', run = ? WHERE chat = ?");
      const seen = handle.prepare('UPDATE recipients SET run = ? WHERE chat = ?');
      const toUncertain = handle.prepare("UPDATE recipients SET state = 'uncertain', kind = 'killed', description = ? WHERE chat = ?");
      claimBatch = handle.transaction((keys: string[], rules: ClaimRules) =>
        keys.map((key): ClaimResult => {
          insert.run(key, key);
          const row = select.get(key) as Row;
          const chatId = fromChatKey(key);
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

export type { ChatId };
