import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, splitTelegramHtml } from '../../src/reporter/html.js';
import { assertValidMessage, parseTelegramHtml } from './telegram-html.js';

/** Random text with what breaks HTML (`<`, `&`, `>`, quotes), newlines, emoji (surrogate pairs). */
const text = fc
  .array(fc.constantFrom('a', 'Z', ' ', '\n', '<', '>', '&', '"', '&amp;', '😀', 'é', 'x'.repeat(30)), { maxLength: 400 })
  .map((pieces) => pieces.join(''));

/** Well-formed Telegram HTML built from escaped text and the tags the reporter uses (and a few more). */
const block: fc.Arbitrary<string> = fc.oneof(
  text.map(escapeHtml),
  text.map((t) => `<b>${escapeHtml(t)}</b>`),
  text.map((t) => `<code>${escapeHtml(t)}</code>`),
  text.map((t) => `<pre>${escapeHtml(t)}</pre>`),
  text.map((t) => `<pre><code class="language-json">${escapeHtml(t)}</code></pre>`),
  fc.tuple(text, text).map(([a, b]) => `<blockquote expandable><i>${escapeHtml(a)}</i> ${escapeHtml(b)}</blockquote>`),
  fc.tuple(text, text).map(([a, b]) => `<a href="https://example.org/?a=1&amp;b=2"><s>${escapeHtml(a)}</s>${escapeHtml(b)}</a>`),
);
const document = fc.array(block, { minLength: 1, maxLength: 30 }).map((blocks) => blocks.join('\n'));

const noSpace = (s: string) => s.replace(/\s/g, '');

describe('splitTelegramHtml', () => {
  it('gives parts that are each valid Telegram HTML within the limit, and together hold all the text', () => {
    fc.assert(
      fc.property(document, fc.integer({ min: 64, max: 4096 }), (html, limit) => {
        const whole = parseTelegramHtml(html).text;
        const parts = splitTelegramHtml(html, limit);
        for (const part of parts) {
          expect(part.length).toBeLessThanOrEqual(limit);
          assertValidMessage(part);
        }
        expect(noSpace(parts.map((part) => parseTelegramHtml(part).text).join(''))).toBe(noSpace(whole));
      }),
      { numRuns: 300 },
    );
  });

  it('closes a cut <pre> and opens it again, with its <code class>, at the start of the next part', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `    at frame${i} (/app/src/file.ts:${i}:1) & <anonymous>`);
    const html = `<b>stack</b>\n<pre><code class="language-js">${escapeHtml(lines.join('\n'))}</code></pre>`;
    const parts = splitTelegramHtml(html);
    expect(parts.length).toBeGreaterThan(3);
    for (const [i, part] of parts.entries()) {
      assertValidMessage(part);
      expect(part.endsWith('</code></pre>')).toBe(true);
      if (i > 0) expect(part.startsWith('<pre><code class="language-js">')).toBe(true);
    }
    // Cut at line ends: every frame arrives whole in one part.
    const texts = parts.map((part) => parseTelegramHtml(part).text);
    for (const line of lines) expect(texts.some((t) => t.includes(line))).toBe(true);
  });

  it('never cuts an entity or a surrogate pair, even with no newline to cut at', () => {
    const html = `<pre>${'&amp;😀'.repeat(3000)}</pre>`;
    const parts = splitTelegramHtml(html, 100);
    for (const part of parts) assertValidMessage(part);
    expect(parts.map((part) => parseTelegramHtml(part).text).join('')).toBe('&😀'.repeat(3000));
  });

  it('keeps a short message as it is and drops a blank one', () => {
    expect(splitTelegramHtml('<b>hi</b>')).toEqual(['<b>hi</b>']);
    expect(splitTelegramHtml('  \n ')).toEqual([]);
    expect(() => splitTelegramHtml('x', 10)).toThrow(RangeError);
  });
});

describe('the test parser itself', () => {
  it("refuses what Telegram refuses", () => {
    for (const bad of ['a < b', 'a & b', 'x > y', '<div>x</div>', '<b>x', '<b><i>x</b></i>', '<span>x</span>', '<code class="language-js">x</code>', '<pre><b>x</b></pre>', '&nbsp;', '<a>x</a>']) {
      expect(() => parseTelegramHtml(bad), bad).toThrow();
    }
    for (const good of ['<span class="tg-spoiler">x</span>', '<tg-spoiler>x</tg-spoiler>', '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', '<blockquote expandable>x</blockquote>', '<pre><code class="language-python">x</code></pre>', '&lt;&gt;&amp;&quot;&#38;']) {
      expect(() => parseTelegramHtml(good), good).not.toThrow();
    }
  });
});
