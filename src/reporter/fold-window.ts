/**
 * The folding window: which errors are sent in full and which are only counted. Pure state, no
 * timers and no I/O (the reporter closes the window on its clock).
 *
 * A window opens with the first error after a quiet spell and lasts `windowMs`. In it:
 * - the first error of a fingerprint is sent in full, while the window has messages left
 *   (`maxMessages`, counting every part of a split report; the first report always goes);
 * - repeats, and errors past the cap, are counted;
 * - closing it gives one summary of everything counted.
 * A fingerprint seen in one window is only counted in the next, when that opens within `windowMs`
 * of the last one's end: an error that goes on for an hour gives one full report and one summary a
 * window, not a full report every minute.
 */
import type { ErrorFacts } from './fingerprint.js';
import type { Summary, SummaryLine } from './format.js';

/** Fingerprints remembered per window; past this, kinds are only counted together, bounding memory. */
const MAX_TRACKED = 1000;

export type Verdict = 'send' | 'fold';

export interface FoldWindow {
  /** Whether a window is open (errors were reported since the last `close`). */
  readonly isOpen: boolean;
  /**
   * Sends or folds one error. `parts()` (how many messages its report takes) is only called when
   * it could be sent, so folded errors of a storm are never formatted.
   */
  admit(fingerprint: string, facts: ErrorFacts, now: number, parts: () => number): Verdict;
  /** Closes the window. Returns its summary when anything was folded. */
  close(now: number): Summary | undefined;
}

/** "45 s", "3 min". */
export function formatPeriod(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

export function createFoldWindow(maxMessages: number, windowMs: number): FoldWindow {
  let openedAt: number | undefined;
  let closedAt = -Infinity;
  let entries = new Map<string, SummaryLine>();
  let previous = new Set<string>();
  let reported = 0;
  let messages = 0;
  let sentInFull = 0;
  let untracked = 0;

  return {
    get isOpen() {
      return openedAt !== undefined;
    },
    admit(fingerprint, facts, now, parts) {
      if (openedAt === undefined) {
        openedAt = now;
        if (now - closedAt > windowMs) previous = new Set();
      }
      reported += 1;
      const entry = entries.get(fingerprint);
      if (entry || previous.has(fingerprint)) {
        const line = entry ?? { className: facts.className, message: facts.message, folded: 0, sentInFull: false };
        line.folded += 1;
        entries.set(fingerprint, line);
        return 'fold';
      }
      // Formatting is the costly part: only done when the report could still fit in the window.
      const needed = messages < maxMessages ? parts() : Infinity;
      const send = messages === 0 || messages + needed <= maxMessages;
      if (send) {
        messages += needed;
        sentInFull += 1;
        entries.set(fingerprint, { className: facts.className, message: facts.message, folded: 0, sentInFull: true });
        return 'send';
      }
      if (entries.size < MAX_TRACKED) {
        entries.set(fingerprint, { className: facts.className, message: facts.message, folded: 1, sentInFull: false });
      } else {
        untracked += 1;
      }
      return 'fold';
    },
    close(now) {
      if (openedAt === undefined) return undefined;
      const lines = [...entries.values()].filter((line) => line.folded > 0).sort((a, b) => b.folded - a.folded);
      const summary: Summary | undefined =
        lines.length > 0 || untracked > 0
          ? { period: formatPeriod(now - openedAt), reported, sentInFull, lines, untracked }
          : undefined;
      previous = new Set(entries.keys());
      entries = new Map();
      openedAt = undefined;
      closedAt = now;
      reported = messages = sentInFull = untracked = 0;
      return summary;
    },
  };
}
