import { describe, expect, it } from 'vitest';
import { checkOptions, rejectUnknownOptions } from '../../src/core/check-options.js';
import { checkOption, finitePositive, nonEmptyString } from '../../src/core/checks.js';
import { closestName } from '../../src/core/closest-name.js';

const TABLE = { apiRoot: nonEmptyString, timeoutMs: finitePositive, token: nonEmptyString };
const SECRET = '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

describe('checkOptions', () => {
  it.each([
    ['a typo, with the near name', { apiroot: 'x' }, 'f: unknown option `apiroot` (did you mean `apiRoot`?)'],
    ['a key with no near name, with the known ones', { colour: 1 }, 'f: unknown option `colour` (known: apiRoot, timeoutMs, token)'],
    ['several unknown keys', { apiroot: 'x', colour: 1 }, 'f: unknown options `apiroot` (did you mean `apiRoot`?), `colour` (known: apiRoot, timeoutMs, token)'],
    ['a mistyped value, with what was given', { token: SECRET, timeoutMs: '500' }, 'f: option `timeoutMs` must be a finite number > 0, got "500"'],
    ['an out-of-range value', { token: SECRET, timeoutMs: -1 }, 'f: option `timeoutMs` must be a finite number > 0, got -1'],
    ['a missing required option', {}, 'f: option `token` is required: a non-empty string'],
    ['not an object (maybe the secret itself: only its kind is shown)', 'token', 'f: options must be an object, got a string'],
    ['an array', [], 'f: options must be an object, got an array'],
    ['null', null, 'f: options must be an object, got null'],
  ])('%s', (_, options, message) => {
    expect(() => checkOptions('f', options, TABLE, { required: ['token'], secrets: ['token'] })).toThrow(new TypeError(message));
  });

  it('prefixes nested keys, and names the nested object when it is not one', () => {
    expect(() => checkOptions('f', { tmeoutMs: 1 }, TABLE, { prefix: 'throttle.' })).toThrow('f: unknown option `throttle.tmeoutMs` (did you mean `throttle.timeoutMs`?)');
    expect(() => checkOptions('f', 3, TABLE, { prefix: 'throttle.' })).toThrow('f: option `throttle` must be an object, got 3');
    expect(() => checkOptions('f', 'x', TABLE)).toThrow('f: options must be an object, got "x"');
  });

  it('accepts a valid set, undefined values and undefined options; allows alsoKnown keys', () => {
    const full = { apiRoot: 'http://x', timeoutMs: 5, token: SECRET };
    expect(checkOptions('f', full, TABLE)).toBe(full);
    expect(checkOptions('f', { timeoutMs: undefined }, TABLE)).toEqual({ timeoutMs: undefined });
    expect(checkOptions('f', undefined, TABLE)).toEqual({});
    expect(() => checkOptions('f', { match: 'x' }, TABLE, { alsoKnown: ['match'] })).not.toThrow();
  });

  it("never shows a secret's value: a wrong one by its kind, the given one cut out of other values", () => {
    const messages = [
      { token: 42 },
      { token: '' },
      { token: SECRET, apiRoot: 5 },
      { token: SECRET, timeoutMs: `https://api.telegram.org/bot${SECRET}/x` },
      { token: SECRET, timeoutMs: `bot${encodeURIComponent(SECRET)}` },
      { token: SECRET, timeoutMs: `https://x/${SECRET.slice(7)}`, spellings: true },
    ].map(({ spellings, ...options }) => {
      try {
        checkOptions('f', options, TABLE, { secrets: ['token'], ...(spellings ? { spellings: (s: string) => [s, s.slice(7)] } : {}) });
      } catch (error) {
        return `${(error as Error).message}\n${(error as Error).stack}`;
      }
      throw new Error('accepted');
    });
    expect(messages[0]).toContain('option `token` must be a non-empty string, got a number');
    expect(messages[3]).toContain('got "https://api.telegram.org/bot<secret>/x"');
    for (const message of messages) {
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(SECRET.slice(7, 30));
      expect(message).not.toContain(encodeURIComponent(SECRET));
    }
  });

  it('rejectUnknownOptions and checkOption use the same words', () => {
    expect(() => rejectUnknownOptions('g', { maxAtempts: 1 }, ['maxAttempts'])).toThrow('g: unknown option `maxAtempts` (did you mean `maxAttempts`?)');
    expect(() => checkOption('g', 'n', 'x', finitePositive)).toThrow('g: option `n` must be a finite number > 0, got "x"');
  });
});

describe('closestName', () => {
  it.each([
    ['apiroot', 'apiRoot'],
    ['maxAtempts', 'maxAttempts'],
    ['tokn', 'token'],
    ['completelyDifferent', undefined],
  ])('%s -> %s', (name, near) => {
    expect(closestName(name, ['apiRoot', 'maxAttempts', 'token', 'timeoutMs'])).toBe(near);
  });
});
