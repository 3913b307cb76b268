/**
 * `createResilience` is strict: every option it knows is checked (a case per option below, so a new
 * option without one fails this test), an unknown one is named with the near name, and a full valid
 * set is accepted. The nested objects (`throttle`, each rule) are checked the same way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryChatIdStore } from '../../src/core/chat-id-store.js';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import { ENGINE_OPTIONS, type ResilienceOptions } from '../../src/engine/options.js';
import { THROTTLE_CHECKS } from '../../src/limits/throttle-options.js';
import { POLICY_CHECKS } from '../../src/policy/defaults.js';

/** One wrong value per option, and what the error says it must be. */
const MISTYPED: Record<string, [unknown, string]> = {
  floodSleepThreshold: [-1, 'a number >= 0 (Infinity allowed), got -1'],
  floodJitterMs: [Infinity, 'a finite number >= 0, got Infinity'],
  maxFloodWaits: [1.5, 'an integer >= 0 (or Infinity), got 1.5'],
  maxAttempts: [0, 'an integer >= 1 (or Infinity), got 0'],
  baseDelayMs: ['500', 'a finite number >= 0, got "500"'],
  maxDelayMs: [NaN, 'a number >= 0 (Infinity allowed), got NaN'],
  maxTotalDelayMs: [null, 'a number >= 0 (Infinity allowed), got null'],
  maxDcHops: [-1, 'an integer >= 0 (or Infinity), got -1'],
  maxChatMigrations: ['2', 'an integer >= 0 (or Infinity), got "2"'],
  allowDuplicates: ['yes', 'a boolean, got "yes"'],
  idempotent: [1, 'a boolean, got 1'],
  maxElapsedMs: [-5, 'a number >= 0 (Infinity allowed), got -5'],
  throttle: ['yes', 'true, false or an object of limits, got "yes"'],
  isIdempotent: [true, 'a function, got true'],
  clock: [{}, 'an object with now() and sleep(ms, signal), got an object'],
  random: [0.5, 'a function returning a number in [0, 1), got 0.5'],
  chatIdStore: [{ get() {} }, 'an object with get(oldChatId) and set(oldChatId, newChatId), got an object'],
  backend: [{}, 'a limits backend such as redisBackend({ client }), got an object'],
  backendTimeoutMs: [0, 'a finite number > 0, got 0'],
  onBackendError: ['retry', '"fallback" or "fail", got "retry"'],
  rules: [{}, 'an array, got an object'],
  builtinRules: ['no', 'a boolean, got "no"'],
};

const THROTTLE_MISTYPED: Record<string, [unknown, string]> = {
  globalPerSecond: [0, 'a finite number > 0, got 0'],
  chatPerSecond: ['1', 'a finite number > 0, got "1"'],
  groupPerMinute: [20.5, 'a whole number >= 1, got 20.5'],
  paidBroadcastPerSecond: [Infinity, 'a finite number > 0, got Infinity'],
  idleChatTtlMs: [-1, 'a finite number > 0, got -1'],
};

let opened: Resilience[] = [];
afterEach(async () => {
  await Promise.all(opened.map((r) => r.close()));
  opened = [];
});
const create = (options: unknown) => {
  const resilience = createResilience(options as ResilienceOptions);
  opened.push(resilience);
  return resilience;
};

describe('createResilience options', () => {
  it('has a wrong value above for every option it knows', () => {
    expect(Object.keys(MISTYPED).sort()).toEqual([...Object.keys(POLICY_CHECKS), ...Object.keys(ENGINE_OPTIONS)].sort());
    expect(Object.keys(THROTTLE_MISTYPED).sort()).toEqual(Object.keys(THROTTLE_CHECKS).sort());
  });

  it.each(Object.entries(MISTYPED))('rejects a mistyped `%s`, naming it, what it must be and what it got', (key, [value, words]) => {
    expect(() => create({ [key]: value })).toThrow(new TypeError(`createResilience: option \`${key}\` must be ${words}`));
  });

  it.each(Object.entries(THROTTLE_MISTYPED))('rejects a mistyped `throttle.%s`', (key, [value, words]) => {
    expect(() => create({ throttle: { [key]: value } })).toThrow(new TypeError(`createResilience: option \`throttle.${key}\` must be ${words}`));
  });

  it.each([
    [{ maxAtempts: 3 }, 'unknown option `maxAtempts` (did you mean `maxAttempts`?)'],
    [{ FloodSleepThreshold: 3 }, 'unknown option `FloodSleepThreshold` (did you mean `floodSleepThreshold`?)'],
    [{ throttle: { perChat: 1 } }, 'unknown option `throttle.perChat` (known: throttle.globalPerSecond, throttle.chatPerSecond, throttle.groupPerMinute, throttle.paidBroadcastPerSecond, throttle.idleChatTtlMs)'],
    [{ throttle: { chatPerSecnd: 1 } }, 'unknown option `throttle.chatPerSecnd` (did you mean `throttle.chatPerSecond`?)'],
    [{ rules: [{ match: 'x', maxAtempts: 1 }] }, 'unknown option `rules[0].maxAtempts` (did you mean `rules[0].maxAttempts`?)'],
    [{ rules: [{ match: 'x' }, { mach: 'y' }] }, 'unknown option `rules[1].mach` (did you mean `rules[1].match`?)'],
    [{ rules: [{ name: 'x' }] }, 'option `rules[0].match` is required: a method name, a glob, a RegExp or a function'],
    [{ rules: [{ match: '' }] }, 'option `rules[0].match` must be a method name, a glob, a RegExp or a function, got ""'],
    [{ rules: [{ match: 'x', name: 3 }] }, 'option `rules[0].name` must be a string, got 3'],
    [{ rules: [{ match: 'x', maxAttempts: 0 }] }, 'option `rules[0].maxAttempts` must be an integer >= 1 (or Infinity), got 0'],
    [{ rules: ['sendMessage'] }, 'option `rules[0]` must be an object like { match, ...options }, got "sendMessage"'],
    [null, 'options must be an object, got null'],
    [[], 'options must be an object, got an array'],
  ])('rejects %j', (options, words) => {
    expect(() => create(options)).toThrow(new TypeError(`createResilience: ${words}`));
  });

  it('with() is as strict: unknown keys with a suggestion, mistyped values, rules', () => {
    const resilience = create({});
    expect(() => resilience.with({ maxAtempts: 1 } as never)).toThrow('resilience.with: unknown option `maxAtempts` (did you mean `maxAttempts`?)');
    expect(() => resilience.with({ rulez: [] } as never)).toThrow('resilience.with: unknown option `rulez` (did you mean `rules`?)');
    expect(() => resilience.with({ maxAttempts: 0 })).toThrow('resilience.with: option `maxAttempts` must be an integer >= 1 (or Infinity), got 0');
    expect(() => resilience.with({ rules: [{ match: 'x', maxDcHop: 1 } as never] })).toThrow('(did you mean `rules[0].maxDcHops`?)');
    expect(() => resilience.with(null as never)).toThrow('resilience.with: overrides must be an object, got null');
  });

  it('accepts a full valid set', () => {
    const resilience = create({
      floodSleepThreshold: Infinity,
      floodJitterMs: 10,
      maxFloodWaits: 3,
      maxAttempts: 2,
      baseDelayMs: 1,
      maxDelayMs: 2,
      maxTotalDelayMs: 1_000,
      maxDcHops: 1,
      maxChatMigrations: 1,
      allowDuplicates: true,
      idempotent: false,
      maxElapsedMs: 5_000,
      throttle: { globalPerSecond: 10, chatPerSecond: 2, groupPerMinute: 5, paidBroadcastPerSecond: 100, idleChatTtlMs: 70_000 },
      isIdempotent: () => true,
      clock: createManualClock(),
      random: () => 0.5,
      chatIdStore: createMemoryChatIdStore(),
      backendTimeoutMs: 100,
      onBackendError: 'fail',
      rules: [{ match: 'send*', name: 'sends', maxAttempts: 1, throttle: false }, { match: /^get/, idempotent: true }, { match: () => false }],
      builtinRules: false,
    } satisfies Required<Omit<ResilienceOptions, 'backend'>>);
    expect(resilience.policy).toMatchObject({ maxAttempts: 2, maxElapsedMs: 5_000, allowDuplicates: true });
    expect(create(undefined).policy.maxAttempts).toBe(5);
    expect(create({ throttle: true, maxAttempts: undefined }).policy.maxAttempts).toBe(5);
  });
});
