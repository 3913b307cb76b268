/**
 * `grammyTransformer`'s options are strict: an unknown key is a TypeError with the near name, a wrong
 * token says what it must be without showing it, and a full valid set works against the simulator.
 */
import { Bot } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grammyTransformer, type GrammyTransformerOptions } from '../../src/adapters/grammy.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

const TOKEN = '7777777:AAE-secret_Token0123456789abcdefXYZ';

describe('grammyTransformer options', () => {
  let resilience: Resilience;
  beforeEach(() => {
    resilience = createResilience();
  });
  afterEach(() => resilience.close());

  it.each<[string, unknown, string]>([
    ['a typo', { tokn: TOKEN }, 'unknown option `tokn` (did you mean `token`?)'],
    ['an unknown key', { apiRoot: 'http://x' }, 'unknown option `apiRoot` (known: token)'],
    ['a number for the token', { token: 123 }, 'option `token` must be a non-empty string, got a number'],
    ['an empty token', { token: '' }, 'option `token` must be a non-empty string, got a string'],
    ['the token instead of options', TOKEN, 'options must be an object, got a string'],
  ])('%s: a TypeError naming it, never the token', (_, options, words) => {
    let thrown: unknown;
    try {
      grammyTransformer(resilience, options as GrammyTransformerOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toEqual(new TypeError(`grammyTransformer: ${words}`));
    expect(String((thrown as Error).stack)).not.toContain(TOKEN.slice(8));
  });

  it('accepts a full valid set (and no options, and an unset token)', async () => {
    const sim: Simulator = await startSimulator({ limits: false });
    try {
      const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
      bot.api.config.use(grammyTransformer(resilience, { token: sim.token } satisfies Required<GrammyTransformerOptions>));
      await expect(bot.api.getMe()).resolves.toMatchObject({ is_bot: true });
      expect(() => grammyTransformer(resilience)).not.toThrow();
      expect(() => grammyTransformer(resilience, { token: process.env.NO_SUCH_VARIABLE })).not.toThrow();
    } finally {
      await sim.close();
    }
  });
});
