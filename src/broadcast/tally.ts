/** The running count of a broadcast, and the report built from it. Holds lists only for recipients not sent. */
import { chatKey } from './chat-id.js';
import type { ChatId, Outcome, RecipientRecord } from './journal.js';
import type { BroadcastProgress, BroadcastReport } from './types.js';

/** Telegram's bot-wide limits, messages per second. */
const FREE_PER_SECOND = 30;
const PAID_PER_SECOND = 1000;

export class Tally {
  /** Recipients whose state is final for this run. */
  done = 0;
  sent = 0;
  skipped = 0;
  /** Requests made by this run (a migrated group's resend counts again). */
  requests = 0;
  floodWaits = 0;
  inFlight = 0;
  readonly blocked: ChatId[] = [];
  readonly migrated: Array<{ from: ChatId; to: ChatId }> = [];
  readonly failed: Array<{ chatId: ChatId; kind: string; description: string }> = [];
  readonly uncertain: ChatId[] = [];

  constructor(
    private readonly startedAt: number,
    private readonly paid: boolean,
  ) {}

  private noteMigration(chatId: ChatId, target: ChatId): void {
    if (chatKey(chatId) !== chatKey(target)) this.migrated.push({ from: chatId, to: target });
  }

  /** A recipient this run does not send to: its state from an earlier run. */
  earlier(record: RecipientRecord): void {
    this.final(record, true);
  }

  /** The final outcome of a recipient this run sent to. */
  outcome(outcome: Exclude<Outcome, { state: 'migrated' } | { state: 'pending' }>): void {
    this.final({ ...outcome, target: outcome.state === 'sent' ? outcome.target : outcome.chatId }, false);
  }

  private final(record: RecipientRecord, earlier: boolean): void {
    this.done++;
    switch (record.state) {
      case 'sent':
        if (earlier) this.skipped++;
        else this.sent++;
        this.noteMigration(record.chatId, record.target);
        return;
      case 'blocked':
        this.blocked.push(record.chatId);
        return;
      case 'failed':
        this.failed.push({ chatId: record.chatId, kind: record.kind ?? 'unknown', description: record.description ?? '' });
        return;
      default:
        // uncertain (and nothing else reaches here: pending, sending and migrated are always claimed).
        this.uncertain.push(record.chatId);
    }
  }

  progress(now: number): BroadcastProgress {
    return {
      done: this.done,
      sent: this.sent,
      skipped: this.skipped,
      blocked: this.blocked.length,
      failed: this.failed.length,
      uncertain: this.uncertain.length,
      inFlight: this.inFlight,
      floodWaits: this.floodWaits,
      elapsedMs: now - this.startedAt,
    };
  }

  report(now: number): BroadcastReport {
    const perSecond = this.paid ? PAID_PER_SECOND : FREE_PER_SECOND;
    return {
      total: this.done,
      sent: this.sent,
      skipped: this.skipped,
      blocked: this.blocked,
      migrated: this.migrated,
      failed: this.failed,
      uncertain: this.uncertain,
      floodWaits: this.floodWaits,
      elapsedMs: now - this.startedAt,
      // At most `perSecond` in any second: n sends need floor((n - 1) / perSecond) whole seconds.
      lowerBoundMs: this.requests <= 1 ? 0 : Math.floor((this.requests - 1) / perSecond) * 1000,
    };
  }
}
