/**
 * The report of a whole campaign, the same object the single-machine `broadcast()` returns, read
 * from the shared journal. `sent` counts what was sent since `since` was taken (this process's
 * start), `skipped` what was already sent before; the lists are the whole campaign's, so every
 * process prints the same uncertain, failed, blocked and migrated recipients.
 */
import type { BroadcastReport } from '../broadcast/types.js';
import type { RedisJournal } from './redis-journal.js';

/** Telegram's bot-wide limits, messages per second. */
const FREE_PER_SECOND = 30;
const PAID_PER_SECOND = 1000;

/** Where the campaign stood when a process started, to tell its run from earlier ones. */
export interface CampaignSnapshot {
  sent: number;
  requests: number;
  floodWaits: number;
  startedAt: number;
}

export async function campaignSnapshot(journal: RedisJournal): Promise<CampaignSnapshot> {
  const [summary, counters] = await Promise.all([journal.summary(), journal.counters()]);
  return { sent: summary.counts.sent, ...counters, startedAt: Date.now() };
}

/**
 * The campaign's report. Recipients a finished campaign still has in "pending" or "migrated" (a
 * job removed before it sent) are listed as failed (`not_sent`; a rerun sends them), those in
 * "sending" (a job that failed after its claim) as uncertain: nobody is left out. With `finished: false` (a process that stops while
 * the campaign goes on) they are left out of the lists and of `total`.
 */
export async function campaignReport(journal: RedisJournal, since: CampaignSnapshot, options: { paid: boolean; finished?: boolean }): Promise<BroadcastReport> {
  const finished = options.finished ?? true;
  const [summary, counters] = await Promise.all([journal.summary(), journal.counters()]);
  const { counts } = summary;
  const failed = summary.failed.map(({ chatId, kind, description }) => ({ chatId, kind, description }));
  const uncertain = [...summary.uncertain];
  if (finished && counts.pending + counts.sending + counts.migrated > 0) {
    for (const record of await journal.unfinished()) {
      if (record.state === 'sending') uncertain.push(record.chatId);
      else failed.push({ chatId: record.chatId, kind: 'not_sent', description: 'its job ended before it was sent; run the campaign again to send it' });
    }
  }
  const requests = Math.max(0, counters.requests - since.requests);
  const perSecond = options.paid ? PAID_PER_SECOND : FREE_PER_SECOND;
  // A campaign still running counts only the recipients whose state is final.
  const total = Object.values(counts).reduce((a, b) => a + b, 0) - (finished ? 0 : counts.pending + counts.sending + counts.migrated);
  return {
    total,
    sent: Math.max(0, counts.sent - since.sent),
    skipped: Math.min(since.sent, counts.sent),
    blocked: summary.blocked,
    migrated: summary.migrated,
    failed,
    uncertain,
    floodWaits: Math.max(0, counters.floodWaits - since.floodWaits),
    elapsedMs: Date.now() - since.startedAt,
    lowerBoundMs: requests <= 1 ? 0 : Math.floor((requests - 1) / perSecond) * 1000,
  };
}
