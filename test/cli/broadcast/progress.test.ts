/** The progress view and the chats file reader, on their own. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BroadcastProgress } from '../../../src/broadcast/index.js';
import { countChats, readChats, type BadLine } from '../../../src/cli/broadcast/chats-file.js';
import { ProgressView } from '../../../src/cli/broadcast/progress.js';

const at = (done: number, elapsedMs: number, floodWaits = 0): BroadcastProgress => ({
  done, sent: done, skipped: 0, blocked: 0, failed: 0, uncertain: 0, inFlight: 3, floodWaits, elapsedMs,
});

describe('ProgressView', () => {
  it('on a terminal: one bar rewritten in place with done/total, rate, ETA and 429s', () => {
    let out = '';
    const view = new ProgressView({ write: (t: string) => (out += t) }, true, 100);
    view.update(at(50, 5_000, 2));
    view.update(at(60, 6_000, 2));
    view.finish();
    expect(out).toBe(
      '\r\x1b[2K[############............] 50/100 done (50 sent, 0 skipped), 10.0 msg/s, ETA 5s, 429s so far: 2' +
        '\r\x1b[2K[##############..........] 60/100 done (60 sent, 0 skipped), 10.0 msg/s, ETA 4s, 429s so far: 2\n',
    );
  });

  it('otherwise: a plain line at each 10% or every 5 s, not more', () => {
    const lines: string[] = [];
    const view = new ProgressView({ write: (t: string) => lines.push(t) }, false, 1000);
    for (let done = 1; done <= 1000; done++) view.update(at(done, done * 2)); // 2 s in all: only the 10% steps
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^progress: 100\/1000 done/);
    const slow = new ProgressView({ write: (t: string) => lines.push(t) }, false, undefined);
    lines.length = 0;
    for (let s = 0; s <= 20; s++) slow.update(at(s, s * 1_000));
    expect(lines).toHaveLength(4); // at 5, 10, 15 and 20 s
    expect(lines[0]).toMatch(/^progress: 5 done \(5 sent, 0 skipped\), 1\.0 msg\/s, 429s so far: 0\n$/);
  });
});

describe('the chats file', () => {
  it('yields ids and @usernames, skips comments and blank lines, reports bad lines by number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tgr-chats-'));
    try {
      const path = join(dir, 'chats.txt');
      writeFileSync(path, '# header\r\n1001\r\n\r\n -1001234567890 \n@Some_Channel # ours\nx1\n1.5\n@no\n');
      const bad: BadLine[] = [];
      const ids: Array<number | string> = [];
      for await (const id of readChats(path, (b) => bad.push(b))) ids.push(id);
      expect(ids).toEqual([1001, -1001234567890, '@Some_Channel']);
      expect(bad).toEqual([
        { line: 6, text: 'x1' },
        { line: 7, text: '1.5' },
        { line: 8, text: '@no' },
      ]);
      expect(await countChats(path)).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
