/**
 * Progress of a broadcast on stderr: on a terminal a bar rewritten in place (done/total, messages/s,
 * ETA, 429s so far); otherwise a plain line every 5 s or every 10% of the total.
 */
import type { BroadcastProgress } from '../../broadcast/index.js';

const PLAIN_EVERY_MS = 5_000;
const BAR_WIDTH = 24;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class ProgressView {
  private lastPlainAt = 0;
  private lastTenth = 0;
  private drawn = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly tty: boolean,
    private readonly total: number | undefined,
  ) {}

  private line(p: BroadcastProgress): string {
    const perSecond = p.elapsedMs > 0 ? (p.sent / p.elapsedMs) * 1000 : 0;
    const of = this.total === undefined ? '' : `/${this.total}`;
    const left = this.total === undefined ? undefined : this.total - p.done;
    const eta = left !== undefined && perSecond > 0 ? `, ETA ${duration((left / perSecond) * 1000)}` : '';
    return `${p.done}${of} done (${p.sent} sent, ${p.skipped} skipped), ${perSecond.toFixed(1)} msg/s${eta}, 429s so far: ${p.floodWaits}`;
  }

  update(p: BroadcastProgress): void {
    if (this.tty) {
      const share = this.total ? Math.min(1, p.done / this.total) : 0;
      const filled = Math.round(share * BAR_WIDTH);
      const bar = this.total ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
      this.out.write(`\r\x1b[2K${bar}${this.line(p)}`);
      this.drawn = true;
      return;
    }
    const tenth = this.total ? Math.floor((p.done / this.total) * 10) : 0;
    if (p.elapsedMs - this.lastPlainAt >= PLAIN_EVERY_MS || tenth > this.lastTenth) {
      this.lastPlainAt = p.elapsedMs;
      this.lastTenth = tenth;
      this.out.write(`progress: ${this.line(p)}\n`);
    }
  }

  /** Ends the bar's line so that what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
