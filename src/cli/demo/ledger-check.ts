/**
 * The demo's verdict, from the simulator's ledger (what Telegram really delivered), not from what
 * the sender believes: nobody got the message twice, everyone reported sent really got it, nobody
 * reported blocked or failed got it, and every recipient is in one of the report's states.
 */
import type { BroadcastReport, ChatId } from '../../broadcast/index.js';
import type { LedgerEntry } from '../../sim/index.js';
import type { DemoWorld } from './scenario.js';

export interface LedgerCheck {
  /** Recipients whose chat (or the supergroup it became) holds the message exactly once. */
  deliveredOnce: number;
  duplicates: Array<{ chatId: number; copies: number }>;
  /** Reported sent, but not in the ledger. */
  sentButMissing: number[];
  /** Reported blocked or failed (surely not delivered), but in the ledger. */
  refusedButDelivered: number[];
  /** Uncertain recipients that did get the message, and those that did not. */
  uncertainDelivered: number;
  uncertainMissing: number;
  /** In no state of the report. */
  unaccounted: number[];
}

export function checkLedger(world: DemoWorld, report: BroadcastReport, ledger: readonly LedgerEntry[], text: string): LedgerCheck {
  const copies = new Map<number, number>();
  for (const entry of ledger) if (entry.text === text) copies.set(entry.chatId, (copies.get(entry.chatId) ?? 0) + 1);
  const to = (chat: number) => world.migrated[String(chat)] ?? chat;
  const got = (chat: number) => copies.get(to(chat)) ?? 0;
  const has = (list: readonly ChatId[]) => new Set(list.map(Number));
  const blocked = has(report.blocked);
  const failed = has(report.failed.map((f) => f.chatId));
  const uncertain = has(report.uncertain);
  const check: LedgerCheck = { deliveredOnce: 0, duplicates: [], sentButMissing: [], refusedButDelivered: [], uncertainDelivered: 0, uncertainMissing: 0, unaccounted: [] };
  for (const chat of world.recipients) {
    const n = got(chat);
    if (n === 1) check.deliveredOnce++;
    if (n > 1) check.duplicates.push({ chatId: chat, copies: n });
    if (uncertain.has(chat)) {
      if (n > 0) check.uncertainDelivered++;
      else check.uncertainMissing++;
    } else if (blocked.has(chat) || failed.has(chat)) {
      if (n > 0) check.refusedButDelivered.push(chat);
    } else if (n === 0) check.sentButMissing.push(chat);
  }
  const listed = report.sent + report.skipped + report.blocked.length + report.failed.length + report.uncertain.length;
  if (listed !== world.recipients.length || report.total !== world.recipients.length) {
    const known = new Set([...blocked, ...failed, ...uncertain]);
    check.unaccounted = world.recipients.filter((chat) => !known.has(chat) && got(chat) === 0);
  }
  return check;
}

export function passed(check: LedgerCheck): boolean {
  return check.duplicates.length === 0 && check.sentButMissing.length === 0 && check.refusedButDelivered.length === 0 && check.unaccounted.length === 0;
}
