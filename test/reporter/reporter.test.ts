import { describe, expect, it } from 'vitest';
import { createErrorReporter, Forbidden, NetworkError, createManualClock, REPORTER_WARNING_CODE } from '../../src/index.js';
import { parseTelegramHtml } from './telegram-html.js';
import { recordingSend, throwFromHandler, warningsDuring } from './helpers.js';

const DEV_CHAT = -1001234567890;
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET_HALF = TOKEN.split(':')[1]!;
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
/** A name made of words, no digits (digits are taken out of fingerprints): 0 -> "alpha alpha alpha". */
const nameOf = (i: number) => [Math.floor(i / 100), Math.floor(i / 10) % 10, i % 10].map((d) => WORDS[d]).join(' ');

function setup(extra: Partial<Parameters<typeof createErrorReporter>[0]> = {}) {
  const clock = createManualClock(1_700_000_000_000);
  const chat = recordingSend({ now: () => clock.now() });
  const reporter = createErrorReporter({ send: chat.send, chatIds: DEV_CHAT, clock, ...extra } as Parameters<typeof createErrorReporter>[0]);
  return { clock, reporter, sent: chat.sent };
}

describe('createErrorReporter: storms', () => {
  it('a storm of 1,000 identical errors gives one report and one summary with the right count', async () => {
    const { clock, reporter, sent } = setup();
    for (let i = 0; i < 1000; i++) {
      reporter.report(throwFromHandler(`chat ${i} not found`), { update: { update_id: i } });
      await clock.advance(20); // the storm lasts 20 s
    }
    expect(sent).toHaveLength(1);
    await clock.advance(39_999);
    expect(sent).toHaveLength(1);
    await clock.advance(1); // the window ends 60 s after the first error, with its summary
    expect(sent).toHaveLength(2);
    const summary = parseTelegramHtml(sent[1]!.text).text;
    expect(summary).toContain('1000 errors in the last 60 s: 1 sent in full, 999 folded');
    expect(summary).toContain('and 999 more in the last 60 s');
    await reporter.close();
  });

  it('a storm of 1,000 different errors is capped per window and every error is counted', async () => {
    const { clock, reporter, sent } = setup();
    for (let i = 0; i < 1000; i++) reporter.report(throwFromHandler(`failure in ${nameOf(i)}`));
    await clock.advance(60_000);
    await reporter.flush();
    const reports = sent.filter((m) => m.text.startsWith('<b>⚠️'));
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.length).toBeLessThanOrEqual(6);
    expect(sent.length).toBe(reports.length + 1);
    const summary = parseTelegramHtml(sent.at(-1)!.text).text;
    expect(summary).toContain(`1000 errors in the last 60 s: ${reports.length} sent in full, ${1000 - reports.length} folded`);
    const listed = [...summary.matchAll(/— (\d+) in the last 60 s, not sent in full/g)].reduce((s, m) => s + Number(m[1]), 0);
    const rest = /and (\d+) more of (\d+) other kinds/.exec(summary)!;
    expect(listed + Number(rest[1])).toBe(1000 - reports.length);
    expect(Number(rest[2]) + 10).toBe(1000 - reports.length);
    await reporter.close();
  });

  it('a storm that goes on for ten minutes gives the developers only a few messages a minute', async () => {
    const { clock, reporter, sent } = setup();
    const start = clock.now();
    for (let i = 0; i < 6000; i++) {
      // A third are one error (numbers differ), the rest 500 kinds that keep coming back.
      reporter.report(throwFromHandler(i % 3 === 0 ? `timeout after ${i} ms` : `failure in ${nameOf(i % 500)}`));
      await clock.advance(100);
    }
    await reporter.close();
    const perMinute = new Map<number, number>();
    for (const m of sent) {
      const minute = Math.floor((m.at - start) / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    // A window: at most 6 messages and 1 summary; a minute overlaps at most two windows.
    for (const messages of perMinute.values()) expect(messages).toBeLessThanOrEqual(14);
    expect(sent.length).toBeLessThanOrEqual(11 * 7);
    const summaries = sent.filter((m) => m.text.startsWith('<b>📊'));
    const counted = summaries.map((m) => Number(/(\d+) errors in the last/.exec(m.text)![1])).reduce((a, b) => a + b, 0);
    expect(counted).toBe(6000); // every error of the storm is in exactly one window
  });
});

describe('createErrorReporter: messages', () => {
  it('splits a report over 4,096 characters into valid parts, and hides the token in every spelling everywhere', async () => {
    const { reporter, sent } = setup({ token: TOKEN });
    const error = throwFromHandler(`request to https://api.telegram.org/bot${TOKEN}/sendMessage failed & <retry>`);
    error.stack = `${error.stack}\n${Array.from({ length: 60 }, (_, i) => `    at frame${i} (/srv/bot${TOKEN}/app.js:${i}:7) <${encodeURIComponent(TOKEN)}>`).join('\n')}`;
    const update = {
      update_id: 1,
      message: { text: `a < b && c > d ${SECRET_HALF}`, entities: Array.from({ length: 40 }, (_, i) => ({ type: 'bold', offset: i, length: 1, url: `https://x/bot${TOKEN}` })) },
    };
    reporter.report(error, { update, method: 'sendMessage', params: { chat_id: 7, text: `<b>${TOKEN}</b>`, api_key: 'hunter2' }, extra: { note: TOKEN } });
    await reporter.flush();
    expect(sent.length).toBeGreaterThan(1); // split: valid parts were checked by recordingSend
    const texts = sent.map((m) => parseTelegramHtml(m.text).text);
    for (const text of texts) {
      for (const secret of [TOKEN, encodeURIComponent(TOKEN), SECRET_HALF, 'hunter2']) expect(text).not.toContain(secret);
    }
    const all = texts.join('');
    expect(all).toContain('/bot<token>/sendMessage failed & <retry>');
    expect(all).toContain('kind unknown');
    expect(all).toContain('method sendMessage');
    expect(all).toContain('"api_key": "<hidden>"');
    expect(all).toContain('a < b && c > d <token>');
    expect(all).toContain('frame25');
    expect(all).toMatch(/… \d+ more frames/);
    // A <pre> cut between parts is closed and reopened.
    const cutPre = sent.slice(1).filter((m) => m.text.startsWith('<pre>'));
    expect(cutPre.length).toBeGreaterThan(0);
  });

  it("says classify()'s kind and code, the method from the error, its causes; include turns sections off", async () => {
    const { reporter, sent } = setup({ include: { stack: false, update: false } });
    const cause = new Error('socket hang up');
    reporter.report(new Forbidden('sendMessage failed: Forbidden: bot was blocked by the user', { method: 'sendMessage', error_code: 403, cause }), {
      update: { update_id: 5 },
      params: { chat_id: 9 },
    });
    await reporter.flush();
    const text = parseTelegramHtml(sent[0]!.text).text;
    expect(text).toContain('Forbidden: sendMessage failed: Forbidden: bot was blocked by the user');
    expect(text).toContain('kind forbidden · code 403');
    expect(text).toContain('method sendMessage');
    expect(text).toContain('caused by Error: socket hang up');
    expect(text).toContain('"chat_id": 9');
    expect(text).not.toContain('update_id');
    expect(text).not.toContain('stack');
  });

  it('reports anything thrown, even values that throw when read, and report() never throws', async () => {
    const { reporter, sent } = setup();
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); }, ownKeys: () => { throw new Error('no'); } });
    const values = [undefined, null, 'a string', 42, hostile, { error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } }];
    for (const value of values) expect(() => reporter.report(value, hostile as never)).not.toThrow();
    await reporter.flush();
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.some((m) => m.text.includes('kind <code>flood</code> · code <code>429</code>'))).toBe(true);
  });
});

describe('createErrorReporter: failing sends', () => {
  it('a 403 from the developer chat is told once through process.emitWarning, not retried, and report() keeps working', async () => {
    const clock = createManualClock(0);
    let attempts = 0;
    const other = recordingSend();
    const send = async (chatId: number | string, text: string, extra: Parameters<typeof other.send>[2]) => {
      if (chatId === DEV_CHAT) {
        attempts += 1;
        throw new Forbidden(`sendMessage failed: Forbidden: bot was kicked from the supergroup chat (url bot${TOKEN})`, { method: 'sendMessage', error_code: 403 });
      }
      return other.send(chatId, text, extra);
    };
    const reporter = createErrorReporter({ send, chatIds: [DEV_CHAT, 42], clock });
    const warnings = await warningsDuring(async () => {
      for (let i = 0; i < 20; i++) expect(() => reporter.report(throwFromHandler(`error ${nameOf(i)}`))).not.toThrow();
      await clock.advance(60_000);
      for (let i = 0; i < 5; i++) reporter.report(new TypeError(`later ${nameOf(i)}`));
      await reporter.close();
    });
    expect(attempts).toBe(1); // gone for good after the 403
    const ours = warnings.filter((w) => (w as Error & { code?: string }).code === REPORTER_WARNING_CODE);
    expect(ours.map((w) => w.message)).toHaveLength(1);
    expect(ours[0]!.message).toContain(`chat ${DEV_CHAT}`);
    expect(ours[0]!.message).toContain('forbidden 403');
    expect(ours[0]!.message).not.toContain(SECRET_HALF);
    expect(other.sent.length).toBeGreaterThan(2); // the other developer chat still gets reports and summaries
  });

  it('a transient failure drops that message only (no retry loop), warning once; later messages still go', async () => {
    const clock = createManualClock(0);
    let failures = 0;
    const chat = recordingSend({
      fail: () => (failures < 3 ? (failures += 1, new NetworkError('sendMessage failed: Network error (ECONNRESET)', { method: 'sendMessage' })) : undefined),
    });
    const send = (chatId: number | string, text: string, extra: Parameters<typeof chat.send>[2]) => {
      if (text.includes('sync')) throw new Error('thrown synchronously');
      return chat.send(chatId, text, extra);
    };
    const reporter = createErrorReporter({ send, chatIds: DEV_CHAT, clock, maxPerWindow: 10 });
    const warnings = await warningsDuring(async () => {
      for (const word of ['one', 'two', 'three', 'sync', 'four']) reporter.report(new Error(word));
      await reporter.close();
    });
    expect(failures).toBe(3);
    expect(chat.sent.map((m) => /: (\w+)\n/.exec(m.text)?.[1])).toEqual(['four']);
    expect(warnings.filter((w) => (w as Error & { code?: string }).code === REPORTER_WARNING_CODE)).toHaveLength(1);
  });
});

describe('createErrorReporter: lifecycle and options', () => {
  it('close() sends the pending summary, stops the timer, and nothing is sent afterwards', async () => {
    const { clock, reporter, sent } = setup();
    for (let i = 0; i < 10; i++) reporter.report(throwFromHandler('same'));
    expect(clock.pending()).toBe(0); // the window timer is unref'd
    await reporter.close();
    expect(sent).toHaveLength(2);
    expect(parseTelegramHtml(sent[1]!.text).text).toContain('and 9 more in the last');
    reporter.report(new Error('after close'));
    await clock.advance(120_000);
    await reporter.flush();
    await reporter.close();
    expect(sent).toHaveLength(2);
  });
});
