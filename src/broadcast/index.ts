/**
 * `telegram-resilience/broadcast`: one message to many chats, crash-safe. `broadcast()` sends and
 * reports; the journal (a SQLite file, or your own `BroadcastJournal`) makes a rerun resume.
 */
export { broadcast } from './broadcast.js';
export { sqliteJournal } from './sqlite-journal.js';
export { readJournal as openJournal } from './sqlite-file.js';
export { messageFingerprint } from './fingerprint.js';
export { JournalMismatchError, isJournalMismatchError, RECIPIENT_STATES } from './journal.js';
export type {
  BroadcastJournal,
  ChatId,
  ClaimResult,
  ClaimRules,
  JournalSummary,
  Outcome,
  RecipientRecord,
  RecipientState,
} from './journal.js';
export type { BroadcastApi, BroadcastMessage, BroadcastOptions, BroadcastProgress, BroadcastReport, MessageParams } from './types.js';
