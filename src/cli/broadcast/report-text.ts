/** The report and the journal's state in words, for people (the JSON form is the report itself). */
import type { BroadcastReport, ChatId, JournalSummary } from '../../broadcast/index.js';

const SHOWN = 10;

/** The first few, then how many more (and where to see them all, when the journal is kept). */
function listed<T>(items: readonly T[], show: (item: T) => string, journal: string | undefined): string {
  const head = items.slice(0, SHOWN).map(show).join(', ');
  const more = items.length - SHOWN;
  if (more <= 0) return head;
  return `${head}, and ${more} more${journal === undefined ? '' : ` (telegram-resilience broadcast status --journal ${journal} lists them all)`}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const row = (label: string, count: number, detail = '') => `  ${label.padEnd(11)} ${String(count).padStart(7)}${detail ? `   ${detail}` : ''}`;
const ids = (list: readonly ChatId[], journal: string | undefined) => listed(list, String, journal);

/** `journal`: its path, or undefined when it is not kept (the demo's). */
export function renderReport(report: BroadcastReport, journal: string | undefined, notReached: number | undefined): string[] {
  const lines = [
    `Broadcast ${notReached === undefined ? 'finished' : 'stopped'} in ${seconds(report.elapsedMs)} ` +
      `(Telegram's bot-wide limit allows ${seconds(report.lowerBoundMs)} at best for this run's sends)`,
    row('recipients', report.total),
    row('sent', report.sent),
    row('skipped', report.skipped, report.skipped > 0 ? 'sent by an earlier run of this journal' : ''),
    row('blocked', report.blocked.length, ids(report.blocked, journal)),
    row('migrated', report.migrated.length, listed(report.migrated, (m) => `${m.from} -> ${m.to}`, journal)),
    row('failed', report.failed.length, listed(report.failed, (f) => `${f.chatId} (${f.kind}: ${f.description})`, journal)),
    row('uncertain', report.uncertain.length, ids(report.uncertain, journal)),
    row('flood waits', report.floodWaits),
  ];
  if (report.uncertain.length > 0) {
    lines.push(
      'Uncertain: the request left but its answer was lost, so the message may or may not have arrived. They are not',
      'resent by a rerun; --resend-uncertain resends exactly them (some may then get it twice).',
    );
  }
  if (report.failed.length > 0) {
    lines.push('Failed: not delivered. A rerun retries those that never reached Telegram; --retry-failed also the ones Telegram refused.');
  }
  if (notReached !== undefined) {
    lines.push(`Interrupted: ${notReached > 0 ? `${notReached} recipients were not reached yet` : 'the rest was not reached'}. Run the same command again to continue.`);
  }
  if (journal !== undefined) lines.push(`Journal: ${journal}`);
  return lines;
}

export function renderSummary(summary: JournalSummary, journal: string): string[] {
  const c = summary.counts;
  const all = Object.values(c).reduce((a, b) => a + b, 0);
  return [
    `Journal ${journal}: ${all} recipients, ${summary.runs} run${summary.runs === 1 ? '' : 's'}, method ${summary.method}`,
    row('sent', c.sent),
    row('pending', c.pending + c.migrated, 'not sent yet: a rerun sends them'),
    row('sending', c.sending, c.sending > 0 ? 'a run is sending them now (or died: they become uncertain)' : ''),
    row('blocked', c.blocked, summary.blocked.join(', ')),
    row('migrated', summary.migrated.length, summary.migrated.map((m) => `${m.from} -> ${m.to}`).join(', ')),
    row('failed', c.failed, summary.failed.map((f) => `${f.chatId} (${f.kind}${f.retryable ? ', retried by a rerun' : ''}: ${f.description})`).join(', ')),
    row('uncertain', c.uncertain, summary.uncertain.join(', ')),
  ];
}
