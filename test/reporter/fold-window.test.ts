import { describe, expect, it } from 'vitest';
import { errorFacts } from '../../src/reporter/fingerprint.js';
import { createFoldWindow, formatPeriod } from '../../src/reporter/fold-window.js';

const facts = (message: string) => errorFacts(new Error(message));

describe('fold window', () => {
  it('sends the first of a fingerprint, counts the repeats, and sums them up at the end', () => {
    const window = createFoldWindow(6, 60_000);
    let formatted = 0;
    const parts = () => (formatted += 1, 1);
    const verdicts = Array.from({ length: 1000 }, (_, i) => window.admit('same', facts('boom'), i, parts));
    expect(verdicts.filter((v) => v === 'send')).toHaveLength(1);
    expect(formatted).toBe(1); // repeats are never formatted
    const summary = window.close(60_000)!;
    expect(summary).toMatchObject({ period: '60 s', reported: 1000, sentInFull: 1, untracked: 0 });
    expect(summary.lines).toEqual([{ className: 'Error', message: 'boom', folded: 999, sentInFull: true }]);
    expect(window.isOpen).toBe(false);
  });

  it('caps the messages of a window, counting every part, and always lets the first report through', () => {
    const window = createFoldWindow(5, 60_000);
    expect(window.admit('a', facts('a'), 0, () => 9)).toBe('send'); // first: sent even over the cap
    expect(window.admit('b', facts('b'), 0, () => 1)).toBe('fold');
    window.close(1);
    expect(window.admit('c', facts('c'), 0, () => 2)).toBe('send');
    expect(window.admit('d', facts('d'), 0, () => 2)).toBe('send');
    expect(window.admit('e', facts('e'), 0, () => 2)).toBe('fold'); // 2 + 2 + 2 > 5
    expect(window.admit('f', facts('f'), 0, () => 1)).toBe('send'); // 5 fits
    expect(window.admit('g', facts('g'), 0, () => 1)).toBe('fold');
    expect(window.close(1)!.lines.map((l) => [l.message, l.folded, l.sentInFull])).toEqual([['e', 1, false], ['g', 1, false]]);
  });

  it('only counts, in the next window, what the last one already reported', () => {
    const window = createFoldWindow(6, 60_000);
    window.admit('a', facts('a'), 0, () => 1);
    expect(window.close(60_000)).toBeUndefined(); // nothing folded: no summary
    expect(window.admit('a', facts('a'), 60_001, () => 1)).toBe('fold');
    expect(window.admit('b', facts('b'), 60_002, () => 1)).toBe('send');
    expect(window.close(120_001)!.lines).toEqual([{ className: 'Error', message: 'a', folded: 1, sentInFull: false }]);
    // A quiet spell longer than a window forgets.
    expect(window.admit('a', facts('a'), 180_002, () => 1)).toBe('send');
  });

  it('bounds its memory in a storm of distinct errors, still counting every one', () => {
    const window = createFoldWindow(6, 60_000);
    for (let i = 0; i < 5000; i++) window.admit(`fp${i}`, facts(`e${i}`), 0, () => 1);
    const summary = window.close(1000)!;
    expect(summary.lines.length).toBeLessThanOrEqual(1000);
    const folded = summary.lines.reduce((sum, line) => sum + line.folded, summary.untracked);
    expect(summary.sentInFull + folded).toBe(5000);
    expect(summary.sentInFull).toBe(6);
  });

  it('names periods in seconds, then minutes', () => {
    expect([formatPeriod(60_000), formatPeriod(200), formatPeriod(300_000)]).toEqual(['60 s', '1 s', '5 min']);
  });
});
