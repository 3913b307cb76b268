/** A campaign's report in words (the JSON form is the report itself, as for the single-machine command). */
import type { BroadcastReport, ChatId } from '../../broadcast/index.js';

const SHOWN = 20;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const row = (label: string, count: number, detail = '') => `  ${label.padEnd(11)} ${String(count).padStart(7)}${detail ? `   ${detail}` : ''}`;
function listed<T>(items: readonly T[], show: (item: T) => string): string {
  const more = items.length - SHOWN;
  return items.slice(0, SHOWN).map(show).join(', ') + (more > 0 ? `, and ${more} more (--json lists them all)` : '');
}
const ids = (list: readonly ChatId[]) => listed(list, String);

export function renderCampaignReport(report: BroadcastReport, campaign: string, interrupted: boolean): string[] {
  const lines = [
    `Campaign ${campaign} ${interrupted ? 'not finished (this process stopped)' : 'finished'} after ${seconds(report.elapsedMs)} in this process ` +
      `(Telegram's bot-wide limit allows ${seconds(report.lowerBoundMs)} at best for the campaign's sends meanwhile)`,
    row('recipients', report.total),
    row('sent', report.sent, 'by every process of the campaign while this one ran'),
    row('skipped', report.skipped, report.skipped > 0 ? 'sent before this process started' : ''),
    row('blocked', report.blocked.length, ids(report.blocked)),
    row('migrated', report.migrated.length, listed(report.migrated, (m) => `${m.from} -> ${m.to}`)),
    row('failed', report.failed.length, listed(report.failed, (f) => `${f.chatId} (${f.kind}: ${f.description})`)),
    row('uncertain', report.uncertain.length, ids(report.uncertain)),
    row('flood waits', report.floodWaits),
  ];
  if (report.uncertain.length > 0) {
    lines.push('Uncertain: the message may or may not have arrived (a lost answer, or a worker killed while sending). They are not');
    lines.push('resent; --resend-uncertain resends exactly them (some may then get it twice).');
  }
  if (report.failed.length > 0) lines.push('Failed: not delivered. Running the campaign again retries those that never reached Telegram.');
  if (interrupted) lines.push('Other processes may still be working on it; run the same command again to join them or to continue.');
  return lines;
}
