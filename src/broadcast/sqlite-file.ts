/**
 * The SQLite journal's file: its schema, how a row reads back, and the summary of a whole journal
 * (for `openJournal` and `broadcast status`, which open the file read-only).
 */
import { chatKey, fromChatKey } from './chat-id.js';
import { RECIPIENT_STATES, type JournalSummary, type RecipientRecord, type RecipientState } from './journal.js';
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

export interface Row {
  chat: string;
  state: RecipientState;
  target: string;
  message_id: number | null;
  kind: string | null;
  description: string | null;
  retryable: number;
  run: number;
}

export function recordOf(row: Row): RecipientRecord {
  const record: RecipientRecord = { chatId: fromChatKey(row.chat), state: row.state, target: fromChatKey(row.target) };
  if (row.message_id !== null) record.messageId = row.message_id;
  if (row.kind !== null) record.kind = row.kind;
  if (row.description !== null) record.description = row.description;
  if (row.state === 'failed') record.retryable = row.retryable === 1;
  return record;
}

export function openDatabase(path: string, readonly: boolean): SqliteDatabase {
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

export function summarize(db: SqliteDatabase): JournalSummary {
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
