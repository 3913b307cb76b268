/**
 * The demo's verdict, checked against the simulator's ledger (what Telegram really delivered), not
 * against what the client believes: every message must be delivered at most once, and a message
 * the client reported as sent must really be there.
 */
import type { Failure, FailureKind } from '../../errors/failure.js';
import type { LedgerEntry } from '../../sim/index.js';
import type { DemoChat } from './scenario.js';

export interface MessageOutcome {
  index: number;
  chat: DemoChat;
  text: string;
  /** `unfinished`: still running when the demo's deadline passed (or Ctrl-C). */
  status: 'pending' | 'sent' | 'failed' | 'unfinished';
  failure?: Failure;
  /** The engine's reason for giving up. */
  reason?: string;
}

export interface DeliveryCheck {
  total: number;
  sent: number;
  failed: number;
  /** Failed messages by failure kind, with the first reason seen for each. */
  failedByKind: Map<FailureKind, { count: number; reason: string | undefined; maybeDelivered: boolean }>;
  /** Messages that appear exactly once in the ledger. */
  deliveredOnce: number;
  /** Messages the ledger holds more than once. */
  duplicates: { outcome: MessageOutcome; copies: number }[];
  /** Reported sent but not in the ledger, or never finished and not in the ledger. */
  lost: MessageOutcome[];
  /** Reported failed with "may have been delivered", and indeed delivered (correctly not resent). */
  failedButDelivered: MessageOutcome[];
  /** Reported failed with "surely not delivered", yet delivered: the classification was wrong. */
  deliveredDespiteRefusal: MessageOutcome[];
  unfinished: number;
}

export function checkDeliveries(outcomes: readonly MessageOutcome[], ledger: readonly LedgerEntry[]): DeliveryCheck {
  const copies = new Map<string, number>();
  for (const entry of ledger) if (entry.text !== undefined) copies.set(entry.text, (copies.get(entry.text) ?? 0) + 1);
  const check: DeliveryCheck = {
    total: outcomes.length,
    sent: 0,
    failed: 0,
    failedByKind: new Map(),
    deliveredOnce: 0,
    duplicates: [],
    lost: [],
    failedButDelivered: [],
    deliveredDespiteRefusal: [],
    unfinished: 0,
  };
  for (const outcome of outcomes) {
    const n = copies.get(outcome.text) ?? 0;
    if (n === 1) check.deliveredOnce++;
    if (n > 1) check.duplicates.push({ outcome, copies: n });
    if (outcome.status === 'sent') {
      check.sent++;
      if (n === 0) check.lost.push(outcome);
    } else if (outcome.status === 'failed') {
      check.failed++;
      const kind = outcome.failure?.kind ?? 'unknown';
      const byKind = check.failedByKind.get(kind);
      if (byKind) byKind.count++;
      else check.failedByKind.set(kind, { count: 1, reason: outcome.reason, maybeDelivered: outcome.failure?.maybeDelivered ?? true });
      if (n > 0 && outcome.failure?.maybeDelivered === false) check.deliveredDespiteRefusal.push(outcome);
      else if (n > 0) check.failedButDelivered.push(outcome);
    } else {
      check.unfinished++;
      if (n === 0) check.lost.push(outcome);
    }
  }
  return check;
}

/** True when the run kept its promises: nothing twice, nothing lost, nothing unfinished, no lie about delivery. */
export function passed(check: DeliveryCheck): boolean {
  return check.duplicates.length === 0 && check.lost.length === 0 && check.unfinished === 0 && check.deliveredDespiteRefusal.length === 0;
}

const plural = (n: number, word: string) => `${n} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;

/** The engine's give-up reason, shortened for the summary (the log has it in full). */
function shortReason(reason: string | undefined): string {
  if (reason === undefined) return '';
  if (/may have been delivered/.test(reason)) return 'may have been delivered, so not resent (a resend could duplicate it)';
  return reason.length > 80 ? `${reason.slice(0, 79)}…` : reason;
}

export interface SummaryInfo {
  seed: number;
  chats: number;
  elapsedMs: number;
  ledgerSize: number;
  events: { floodWaits: number; backoffs: number; chatMigrations: number; giveUps: number };
}

export function renderSummary(check: DeliveryCheck, info: SummaryInfo): string[] {
  const row = (label: string, value: string | number, note = '') => `  ${label.padEnd(24)}${String(value).padStart(4)}${note ? `  ${note}` : ''}`;
  const lines = [
    '',
    `Summary: ${plural(check.total, 'message')} to ${plural(info.chats, 'chat')} in ${(info.elapsedMs / 1000).toFixed(1)}s (seed ${info.seed})`,
    row('sent', check.sent),
    row('failed', check.failed),
  ];
  const kinds = [...check.failedByKind.entries()].sort((a, b) => b[1].count - a[1].count);
  for (const [kind, { count, reason }] of kinds) lines.push(row(`  ${kind}`, count, shortReason(reason)));
  if (check.unfinished > 0) lines.push(row('unfinished', check.unfinished, 'still running at the deadline'));
  lines.push(
    row('delivered exactly once', check.deliveredOnce, `of ${check.total} (the simulator's ledger holds ${plural(info.ledgerSize, 'delivery')})`),
    row('failed, yet delivered', check.failedButDelivered.length, 'the error said "may have been delivered", so it was not resent'),
    row('duplicates', check.duplicates.length),
    row('lost', check.lost.length, 'reported sent but never delivered, or never finished'),
    `  events: ${plural(info.events.floodWaits, 'flood wait')}, ${plural(info.events.backoffs, 'backoff retry')}, ` +
      `${plural(info.events.chatMigrations, 'chat migration')}, ${plural(info.events.giveUps, 'give-up')}`,
  );
  for (const { outcome, copies } of check.duplicates) lines.push(`  DUPLICATE: #${outcome.index} to ${outcome.chat.label} delivered ${copies} times`);
  for (const outcome of check.lost) lines.push(`  LOST: #${outcome.index} to ${outcome.chat.label} (${outcome.status})`);
  for (const outcome of check.deliveredDespiteRefusal) {
    lines.push(`  WRONG: #${outcome.index} to ${outcome.chat.label} was delivered although its ${outcome.failure?.kind} error said it surely was not`);
  }
  return lines;
}
