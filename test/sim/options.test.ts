/**
 * `startSimulator` is strict: an unknown key is a TypeError with the near name, each wrong value says
 * what it must be and what it got (never the token's value), and a full valid set starts a simulator.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { startSimulator, type SimulatorOptions } from '../../src/sim/index.js';

const TOKEN = '7777777:AAE-secret_Token0123456789abcdefXYZ';

/** One wrong value per option, and what the error says. */
const MISTYPED: Record<keyof SimulatorOptions, [unknown, string]> = {
  port: ['8081', 'a whole number from 0 to 65535, got "8081"'],
  token: [`${TOKEN} `, 'a token like "123456:ABC-def", got a string'],
  clock: [{ now: () => 0 }, 'a Clock ({ now, sleep }), got an object'],
  limits: [true, 'false or an object of limits, got true'],
  strict: ['yes', 'a boolean, got "yes"'],
  migratedGroups: [{ '-1': 5 }, 'an object { [oldGroupId]: newSupergroupId (< 0) }, got an object'],
  migrateAllGroups: [1, 'a boolean, got 1'],
  blockedUsers: [[-5], 'an array of user ids (whole numbers > 0), got an array'],
  faults: ['flaky', 'an object { seed, rate, kinds?, methods?, retryAfter? }, got "flaky"'],
  hangMs: [-1, 'a number >= 0 (Infinity allowed), got -1'],
  slowMs: [Infinity, 'a finite number >= 0, got Infinity'],
  webhookRetryMs: [0, 'a finite number > 0, got 0'],
  webhookTimeoutMs: [NaN, 'a finite number > 0, got NaN'],
};

describe('startSimulator options', () => {
  it.each(Object.entries(MISTYPED))('rejects a mistyped `%s`', async (key, [value, words]) => {
    const error = await startSimulator({ [key]: value } as SimulatorOptions).then(
      (sim) => sim.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(error).toEqual(new TypeError(`startSimulator: option \`${key}\` must be ${words}`));
    expect(String((error as Error).stack)).not.toContain(TOKEN.slice(8));
  });

  it.each<[unknown, string]>([
    [{ blockedUser: [1] }, 'unknown option `blockedUser` (did you mean `blockedUsers`?)'],
    [{ hangMS: 5 }, 'unknown option `hangMS` (did you mean `hangMs`?)'],
    [{ apiRoot: 'x' }, 'unknown option `apiRoot` (known: port, token, clock, limits, strict, migratedGroups, migrateAllGroups, blockedUsers, faults, hangMs, slowMs, webhookRetryMs, webhookTimeoutMs)'],
    [{ limits: { chatPerSecnd: 1 } }, 'unknown option `limits.chatPerSecnd` (did you mean `limits.chatPerSecond`?)'],
    [{ faults: { seed: 1, rate: 0.1, kind: ['500'] } }, 'unknown option `faults.kind` (did you mean `faults.kinds`?)'],
    [{ faults: { rate: 0.1 } }, 'option `faults.seed` is required: a whole number'],
    [{ faults: { seed: 1, rate: 2 } }, 'option `faults.rate` must be a number from 0 to 1, got 2'],
    [{ faults: { seed: 1, rate: 0.1, kinds: ['boom'] } }, 'option `faults.kinds` must be a non-empty array of'],
    [{ faults: { seed: 1.5, rate: 0.1 } }, 'option `faults.seed` must be a whole number, got 1.5'],
    [{ limits: { perChat: 1 } }, 'unknown option `limits.perChat` (known: limits.globalPerSecond, limits.chatPerSecond, limits.chatBurst, limits.groupPerMinute, limits.paidPerSecond)'],
    [{ faults: { seed: 1, rate: 0.1, methods: 'getMe' } }, 'option `faults.methods` must be an array of method names, got "getMe"'],
    [{ faults: { seed: 1, rate: 0.1, retryAfter: 0 } }, 'option `faults.retryAfter` must be a whole number of seconds > 0, got 0'],
    [TOKEN, 'options must be an object, got a string'],
  ])('rejects %j', async (options, words) => {
    await expect(startSimulator(options as SimulatorOptions)).rejects.toThrow(`startSimulator: ${words}`);
  });

  it('accepts a full valid set', async () => {
    const sim = await startSimulator({
      port: 0,
      token: '123:abc',
      clock: createManualClock(),
      limits: { globalPerSecond: 10 },
      strict: true,
      migratedGroups: { '-1': -1001 },
      migrateAllGroups: false,
      blockedUsers: [7],
      faults: { seed: 3, rate: 0, kinds: ['500'], methods: ['sendMessage'], retryAfter: 2 },
      hangMs: Infinity,
      slowMs: 10,
      webhookRetryMs: 100,
      webhookTimeoutMs: 100,
    } satisfies Required<SimulatorOptions>);
    try {
      expect(sim.token).toBe('123:abc');
    } finally {
      await sim.close();
    }
  });
});
