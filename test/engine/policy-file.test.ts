/** Policy files: what they accept, and every error with its exact message, key path, line and column. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import { POLICY_CHECKS } from '../../src/policy/defaults.js';
import { isPolicyFileError, PolicyFileError } from '../../src/policy/policy-file-error.js';
import { loadPolicy, parsePolicy } from '../../src/engine/policy-file.js';
import { networkError, tooManyRequests } from '../helpers/failures.js';

/** The PolicyFileError `text` is rejected with. */
function rejection(text: string, source = 'policy.json'): PolicyFileError {
  try {
    parsePolicy(text, source);
  } catch (error) {
    if (isPolicyFileError(error)) return error;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

describe('parsePolicy: valid files', () => {
  const text = `{
  "floodSleepThreshold": 120,
  "maxTotalDelayMs": "Infinity",
  "allowDuplicates": false,
  "throttle": { "groupPerMinute": 15, "chatPerSecond": 0.5 },
  "builtinRules": true,
  "onBackendError": "fail",
  "backendTimeoutMs": 250,
  "rules": [
    { "match": "sendMessage", "name": "broadcast", "maxAttempts": 3, "throttle": false },
    { "match": "send*", "idempotent": false },
    { "match": { "regex": "^get", "flags": "i" }, "name": "reads", "maxAttempts": 2, "maxElapsedMs": "Infinity" }
  ]
}`;

  it('returns exactly the options written, "Infinity" as Infinity and { regex } as a RegExp', () => {
    expect(parsePolicy(text)).toEqual({
      floodSleepThreshold: 120,
      maxTotalDelayMs: Number.POSITIVE_INFINITY,
      allowDuplicates: false,
      throttle: { groupPerMinute: 15, chatPerSecond: 0.5 },
      builtinRules: true,
      onBackendError: 'fail',
      backendTimeoutMs: 250,
      rules: [
        { match: 'sendMessage', name: 'broadcast', maxAttempts: 3, throttle: false },
        { match: 'send*', idempotent: false },
        { match: /^get/i, name: 'reads', maxAttempts: 2, maxElapsedMs: Number.POSITIVE_INFINITY },
      ],
    });
  });

  it('the result goes straight into createResilience (with non-JSON options spread next to it)', async () => {
    const resilience = createResilience({ ...parsePolicy(text), clock: createManualClock() });
    expect(resilience.policy.floodSleepThreshold).toBe(120);
    expect(resilience.policy.maxTotalDelayMs).toBe(Number.POSITIVE_INFINITY);
    expect(resilience.explain(networkError('ECONNRESET'), { method: 'GETCHAT' }, { attempts: 2 })).toMatchObject({ action: 'fail', rule: 'reads' });
    expect(resilience.explain(tooManyRequests(100), { method: 'sendMessage' })).toMatchObject({ action: 'sleep', rule: 'broadcast' });
    await resilience.close();
  });

  it('accepts an empty object, CRLF line endings and a byte-order mark', () => {
    expect(parsePolicy('{}')).toEqual({});
    expect(parsePolicy('\uFEFF{\r\n  "maxAttempts": 2\r\n}\r\n')).toEqual({ maxAttempts: 2 });
    expect(parsePolicy('{"rules": []}')).toEqual({ rules: [] });
  });
});

describe('parsePolicy: invalid values, with key path, line and column', () => {
  const cases: [string, string, { key: string | undefined; line: number; column: number; message: string }][] = [
    ['a value out of range', '{\n  "maxAttempts": 0\n}', { key: 'maxAttempts', line: 2, column: 3, message: 'maxAttempts must be an integer >= 1 (or Infinity), got 0' }],
    ['a string for a number', '{\n\n    "baseDelayMs": "500"\n}', { key: 'baseDelayMs', line: 3, column: 5, message: 'baseDelayMs must be a finite number >= 0, got "500"' }],
    ['"Infinity" where only finite numbers go', '{ "floodJitterMs": "Infinity" }', { key: 'floodJitterMs', line: 1, column: 3, message: 'floodJitterMs must be a finite number >= 0, got "Infinity"' }],
    ['null for a boolean', '{\n "allowDuplicates": null\n}', { key: 'allowDuplicates', line: 2, column: 2, message: 'allowDuplicates must be a boolean, got null' }],
    ['an unknown key, with a suggestion', '{\n  "maxAttemps": 3\n}', { key: 'maxAttemps', line: 2, column: 3, message: 'unknown key maxAttemps (did you mean "maxAttempts"?)' }],
    ['an unknown key without a near one', '{"retries": 3}', { key: 'retries', line: 1, column: 2, message: 'unknown key retries' }],
    [
      'a function-valued option',
      '{\n  "isIdempotent": true\n}',
      { key: 'isIdempotent', line: 2, column: 3, message: "isIdempotent cannot be set in a policy file (its value is code, not JSON); pass it to createResilience next to the file's options" },
    ],
    [
      'an object-valued engine option',
      '{"clock": {}}',
      { key: 'clock', line: 1, column: 2, message: "clock cannot be set in a policy file (its value is code, not JSON); pass it to createResilience next to the file's options" },
    ],
    ['a key written twice', '{\n  "maxAttempts": 2,\n  "maxAttempts": 3\n}', { key: 'maxAttempts', line: 3, column: 3, message: 'maxAttempts is written twice (first on line 2)' }],
    ['builtinRules not a boolean', '{"builtinRules": "no"}', { key: 'builtinRules', line: 1, column: 2, message: 'builtinRules must be a boolean, got "no"' }],
    ['onBackendError out of its set', '{"onBackendError": "retry"}', { key: 'onBackendError', line: 1, column: 2, message: 'onBackendError must be "fallback" or "fail", got "retry"' }],
    ['backendTimeoutMs zero', '{"backendTimeoutMs": 0}', { key: 'backendTimeoutMs', line: 1, column: 2, message: 'backendTimeoutMs must be a finite number > 0, got 0' }],
    [
      'throttle of the wrong type',
      '{\n  "throttle": 5\n}',
      {
        key: 'throttle',
        line: 2,
        column: 3,
        message: 'throttle must be true, false or an object of limits (globalPerSecond, chatPerSecond, groupPerMinute, paidBroadcastPerSecond, idleChatTtlMs), got 5',
      },
    ],
    ['a fractional group limit', '{"throttle": {"groupPerMinute": 20.5}}', { key: 'throttle.groupPerMinute', line: 1, column: 15, message: 'throttle.groupPerMinute must be a whole number >= 1, got 20.5' }],
    ['a throttle limit of zero', '{\n  "throttle": {\n    "groupPerMinute": 0\n  }\n}', { key: 'throttle.groupPerMinute', line: 3, column: 5, message: 'throttle.groupPerMinute must be a whole number >= 1, got 0' }],
    ['an unknown throttle limit', '{"throttle": {"chatPerSecnd": 1}}', { key: 'throttle.chatPerSecnd', line: 1, column: 15, message: 'unknown key throttle.chatPerSecnd (did you mean "chatPerSecond"?)' }],
    ['rules not an array', '{"rules": {}}', { key: 'rules', line: 1, column: 2, message: 'rules must be an array of { "match": ..., options }, got an object' }],
    [
      'a rule that is not an object',
      '{"rules": [\n  {"match": "a"},\n  "sendMessage"\n]}',
      { key: 'rules[1]', line: 3, column: 3, message: 'rules[1] must be an object like { "match": "sendMessage", "maxAttempts": 3 }, got "sendMessage"' },
    ],
    [
      'the third rule\'s maxAttempts',
      '{\n  "rules": [\n    { "match": "getUpdates" },\n    { "match": "send*", "maxAttempts": 3 },\n    { "match": "getChat",\n      "maxAttempts": 0.5 }\n  ]\n}',
      { key: 'rules[2].maxAttempts', line: 6, column: 7, message: 'rules[2].maxAttempts must be an integer >= 1 (or Infinity), got 0.5' },
    ],
    [
      'a rule without match',
      '{"rules": [\n  { "maxAttempts": 2 }\n]}',
      { key: 'rules[0].match', line: 2, column: 3, message: 'rules[0].match is required (a method name, a glob such as "send*", or { "regex": "^get", "flags": "i" })' },
    ],
    ['an empty match', '{"rules": [{"match": ""}]}', { key: 'rules[0].match', line: 1, column: 13, message: 'rules[0].match must not be empty' }],
    [
      'a match of the wrong type',
      '{"rules": [{"match": 5}]}',
      { key: 'rules[0].match', line: 1, column: 13, message: 'rules[0].match must be a method name, a glob such as "send*", or { "regex": "^get", "flags": "i" }, got 5' },
    ],
    ['bad RegExp flags', '{"rules": [{"match": {"regex": "^get", "flags": "gg"}}]}', { key: 'rules[0].match.flags', line: 1, column: 40, message: 'rules[0].match.flags must be a string of RegExp flags such as "i", got "gg"' }],
    ['an unknown key in a regex object', '{"rules": [{"match": {"regex": "^get", "flag": "i"}}]}', { key: 'rules[0].match.flag', line: 1, column: 40, message: 'unknown key rules[0].match.flag (did you mean "flags"?)' }],
    ['a regex object without regex', '{"rules": [{"match": {"flags": "i"}}]}', { key: 'rules[0].match.regex', line: 1, column: 13, message: 'rules[0].match.regex is required (the pattern, e.g. "^get")' }],
    ['a rule name that is not a string', '{"rules": [{"match": "a", "name": 3}]}', { key: 'rules[0].name', line: 1, column: 27, message: 'rules[0].name must be a string, got 3' }],
    ['an unknown rule option', '{"rules": [\n {"match": "a", "floodSleepTreshold": 1}]}', { key: 'rules[0].floodSleepTreshold', line: 2, column: 17, message: 'unknown key rules[0].floodSleepTreshold (did you mean "floodSleepThreshold"?)' }],
    ['a rule-level throttle that is not a boolean', '{"rules": [{"match": "a", "throttle": {}}]}', { key: 'rules[0].throttle', line: 1, column: 27, message: 'rules[0].throttle must be a boolean, got an object' }],
    ['a root that is not an object', '\n  [1, 2]', { key: undefined, line: 2, column: 3, message: 'a policy file must hold a JSON object, got an array' }],
  ];

  it.each(cases)('%s', (_name, text, expected) => {
    const error = rejection(text);
    expect(error).toBeInstanceOf(PolicyFileError);
    expect(error.problems).toHaveLength(1);
    expect({ key: error.key, line: error.line, column: error.column, message: error.problems[0]!.message }).toEqual(expected);
    expect(error.path).toBe('policy.json');
    expect(error.message).toBe(`policy.json:${expected.line}:${expected.column}: ${expected.message}`);
  });

  it('an invalid regular expression names the key and says why', () => {
    const error = rejection('{"rules": [{"match": {"regex": "get("}}]}');
    expect(error.key).toBe('rules[0].match.regex');
    expect([error.line, error.column]).toEqual([1, 23]);
    expect(error.problems[0]!.message).toMatch(/^rules\[0\]\.match\.regex is not a valid regular expression: .*get\(/);
  });

  it('reports every problem, in file order, not only the first', () => {
    const error = rejection('{\n  "rules": [ { "match": "a", "maxAttempts": -1 } ],\n  "maxAttempts": 0,\n  "bogus": 1\n}');
    expect(error.problems.map((p) => [p.line, p.key])).toEqual([
      [2, 'rules[0].maxAttempts'],
      [3, 'maxAttempts'],
      [4, 'bogus'],
    ]);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.key).toBe('rules[0].maxAttempts');
  });
});

describe('parsePolicy: JSON syntax errors say line:column', () => {
  const cases: [string, string, number, number, string][] = [
    ['a trailing comma', '{\n  "maxAttempts": 2,\n}', 3, 1, 'trailing comma before "}" is not allowed in JSON'],
    ['a comment', '{\n  // retry less\n  "maxAttempts": 2\n}', 2, 3, 'comments are not allowed in JSON'],
    ['a bare Infinity', '{"maxAttempts": Infinity}', 1, 17, 'Infinity is not JSON; write "Infinity" (a string) for no limit'],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', 3, 3, `expected "," or "}" after the value of "a", got '"'`],
    ['single quotes', "{'maxAttempts': 2}", 1, 2, 'keys must be in double quotes'],
    ['an unterminated string', '{\n  "maxAttempts": "2\n}', 2, 18, 'unterminated string (no closing quote before the end of the line)'],
    ['a raw tab inside a string', '{"rules": [{"match": "send\t*"}]}', 1, 27, 'control characters must be escaped inside a string (\\t, \\u0001, ...)'],
    ['an empty file', '  \n', 2, 1, 'the file is empty (expected a JSON object)'],
    ['text after the object', '{} x', 1, 4, "unexpected 'x' after the end of the JSON value"],
    ['a missing colon', '{"a" 1}', 1, 6, `expected ":" after key "a", got '1'`],
    ['a truncated file', '{"rules": [', 1, 12, 'unexpected end of input'],
  ];

  it.each(cases)('%s', (_name, text, line, column, message) => {
    const error = rejection(text);
    expect({ line: error.line, column: error.column, key: error.key, message: error.problems[0]!.message }).toEqual({
      line,
      column,
      key: undefined,
      message: `invalid JSON: ${message}`,
    });
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(rejection('['.repeat(10_000)).problems[0]!.message).toMatch(/^invalid JSON: nesting deeper than 200 levels/);
  });
});

describe('the file and the API agree on what is valid', () => {
  const samples: unknown[] = [0, 1, 2, -1, 1.5, 1e9, 'Infinity', true, false, 'x', null, [], {}];
  const keys = Object.keys(POLICY_CHECKS).filter((k) => k !== 'isIdempotent');
  const apiAccepts = (build: () => unknown) => {
    try {
      const r = build() as { close(): Promise<void> };
      void r.close();
      return true;
    } catch {
      return false;
    }
  };
  const fileAccepts = (text: string) => {
    try {
      parsePolicy(text);
      return true;
    } catch (error) {
      if (!isPolicyFileError(error)) throw error;
      return false;
    }
  };
  const inApi = (v: unknown) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v);

  it.each(keys)('top-level %s', (key) => {
    for (const value of samples) {
      const file = fileAccepts(JSON.stringify({ [key]: value }));
      const api = apiAccepts(() => createResilience({ [key]: inApi(value) }));
      expect({ key, value, file }).toEqual({ key, value, file: api });
    }
  });

  it.each(keys)('%s inside a rule', (key) => {
    for (const value of samples) {
      const file = fileAccepts(JSON.stringify({ rules: [{ match: 'sendMessage', [key]: value }] }));
      const api = apiAccepts(() => createResilience({ rules: [{ match: 'sendMessage', [key]: inApi(value) }] }));
      expect({ key, value, file }).toEqual({ key, value, file: api });
    }
  });

  it('throttle limits', () => {
    for (const limit of ['globalPerSecond', 'chatPerSecond', 'groupPerMinute', 'paidBroadcastPerSecond', 'idleChatTtlMs']) {
      for (const value of samples) {
        const file = fileAccepts(JSON.stringify({ throttle: { [limit]: value } }));
        const api = apiAccepts(() => createResilience({ throttle: { [limit]: inApi(value) } }));
        expect({ limit, value, file }).toEqual({ limit, value, file: api });
      }
    }
  });
});

describe('loadPolicy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file; errors carry its path', async () => {
    const good = join(dir, 'good.json');
    await writeFile(good, '{ "maxAttempts": 3 }');
    await expect(loadPolicy(good)).resolves.toEqual({ maxAttempts: 3 });
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{\n  "maxAttempts": 3,\n  "rules": [ { "match": "x", "maxDcHops": -2 } ]\n}');
    const error = await loadPolicy(bad).catch((e: unknown) => e);
    expect(isPolicyFileError(error)).toBe(true);
    expect(error).toMatchObject({ path: bad, line: 3, column: 30, key: 'rules[0].maxDcHops' });
    expect((error as Error).message).toBe(`${bad}:3:30: rules[0].maxDcHops must be an integer >= 0 (or Infinity), got -2`);
  });

  it('a missing file is a PolicyFileError without a position', async () => {
    const missing = join(dir, 'missing.json');
    const error = await loadPolicy(missing).catch((e: unknown) => e);
    expect(isPolicyFileError(error)).toBe(true);
    expect(error).toMatchObject({ path: missing, line: undefined, column: undefined, key: undefined });
    expect((error as Error).message).toBe(`${missing}: cannot read the policy file (no such file)`);
  });
});

describe('isPolicyFileError', () => {
  it('recognizes the error, also from another copy of the package (by its brand)', () => {
    expect(isPolicyFileError(rejection('{"x": 1}'))).toBe(true);
    expect(isPolicyFileError({ [Symbol.for('telegram-resilience.PolicyFileError')]: true })).toBe(true);
    expect(isPolicyFileError(new Error('x'))).toBe(false);
    expect(isPolicyFileError(new SyntaxError('x'))).toBe(false);
    expect(isPolicyFileError(null)).toBe(false);
    expect(isPolicyFileError('PolicyFileError')).toBe(false);
  });
});
