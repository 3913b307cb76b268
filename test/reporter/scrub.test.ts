import { describe, expect, it } from 'vitest';
import { prettyJson, truncate } from '../../src/reporter/pretty-json.js';
import { createScrub } from '../../src/reporter/scrub.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

describe('scrub', () => {
  it('removes the token raw, URL-encoded, in a bot<token> URL and its secret half', () => {
    const scrub = createScrub(TOKEN);
    const text = [
      `https://api.telegram.org/bot${TOKEN}/sendMessage`,
      encodeURIComponent(TOKEN),
      TOKEN.split(':')[1],
    ].join(' | ');
    const clean = scrub(text);
    expect(clean).toBe('https://api.telegram.org/bot<token>/sendMessage | <token> | <token>');
  });

  it('removes token-shaped text even when no token was given', () => {
    const other = '987654321:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const clean = createScrub(undefined)(`GET /bot${other}/getMe and ${encodeURIComponent(other)}`);
    expect(clean).not.toContain('ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
    expect(clean).toBe('GET /bot<token>/getMe and <token>');
  });
});

describe('prettyJson', () => {
  const scrub = createScrub(TOKEN);

  it('hides secret-named fields and the token, keeps the rest', () => {
    const json = prettyJson({ chat_id: 1, text: `url .../bot${TOKEN}/x`, provider_token: 'abc', nested: { password: 'p' } }, scrub, 1000);
    expect(JSON.parse(json)).toEqual({ chat_id: 1, text: 'url .../bot<token>/x', provider_token: '<hidden>', nested: { password: '<hidden>' } });
  });

  it('truncates long strings, long arrays, deep nesting and the whole text, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { big: 'x'.repeat(1000), list: Array.from({ length: 100 }, (_, i) => i) };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20; i++) deep = deep.next = {};
    cyclic.deep = root;
    const parsed = JSON.parse(prettyJson(cyclic, scrub, 100_000));
    expect(parsed.big).toBe(`${'x'.repeat(300)}… (+700 chars)`);
    expect(parsed.list).toHaveLength(21);
    expect(parsed.self).toBe('[circular]');
    expect(JSON.stringify(parsed.deep)).toContain('{…}');
    const short = prettyJson({ list: Array.from({ length: 20 }, (_, i) => `item ${i}`) }, scrub, 120);
    expect(short.length).toBeLessThan(170);
    expect(short).toMatch(/… \(truncated, \d+ more chars\)$/);
  });

  it('never cuts a surrogate pair', () => {
    expect(truncate('a😀', 2)).toBe('a… (+2 chars)');
  });
});
