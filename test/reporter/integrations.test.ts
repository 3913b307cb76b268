/**
 * The one-line integrations, against the simulator over real HTTP: grammY and telegraf bots whose
 * handler throws, reporting to a developer chat whose messages land in the simulator's ledger.
 */
import { Bot } from 'grammy';
import { Telegraf } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grammyTransformer } from '../../src/adapters/grammy.js';
import { useResilience } from '../../src/adapters/telegraf.js';
import { createBotApi, createErrorReporter, createManualClock, createResilience, REPORTER_WARNING_CODE } from '../../src/index.js';
import type { ManualClock, Resilience } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { drive } from '../helpers/drive.js';
import { warningsDuring } from './helpers.js';
import { assertValidMessage } from './telegram-html.js';

const START = 1_700_000_000_000;
/** The developers' group: a supergroup id the simulator accepts (any chat that is not blocked or migrated). */
const DEV_CHAT = -1009876543210;
const USER = 42;
/** A private developer chat whose user blocked the bot: the simulator answers 403. */
const BLOCKED_DEV = 666;

const update = (id: number, text: string) => ({
  update_id: id,
  message: {
    message_id: id,
    date: 0,
    chat: { id: USER, type: 'private' as const, first_name: 'U' },
    from: { id: USER, is_bot: false, first_name: 'U' },
    text,
  },
});

let clock: ManualClock;
let sim: Simulator;
let resilience: Resilience;

beforeEach(async () => {
  clock = createManualClock(START);
  sim = await startSimulator({ clock, blockedUsers: [BLOCKED_DEV] });
  resilience = createResilience({ clock, random: () => 0.5, throttle: true });
});

afterEach(async () => {
  await resilience.close();
  await sim.close();
});

/** Every message in the developer chat, checked as Telegram would, and without the token. */
function devMessages(): string[] {
  const texts = sim.deliveredTo(DEV_CHAT).map((entry) => entry.text ?? '');
  const secret = sim.token.split(':')[1]!;
  for (const text of texts) {
    assertValidMessage(text);
    expect(text).not.toContain(secret);
  }
  return texts;
}

describe('grammY: bot.catch', () => {
  it('reports a throwing handler with its update; a storm of them folds', async () => {
    const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    bot.api.config.use(grammyTransformer(resilience));
    await drive(clock, bot.init());
    const reporter = createErrorReporter({ api: bot.api, chatIds: DEV_CHAT, clock });
    bot.on('message', (ctx) => {
      throw new Error(`cannot handle "${ctx.message.text}" from ${ctx.from.id} via ${sim.apiRoot}/bot${sim.token}/getMe`);
    });
    bot.catch((err) => reporter.report(err.error, { update: err.ctx.update }));

    // What grammY's polling loop does with each update: handleUpdate, and BotError to bot.catch.
    for (let i = 1; i <= 50; i++) await drive(clock, bot.handleUpdate(update(i, `<b>hi</b> & bye #${i}`)).catch(bot.errorHandler));
    await drive(clock, reporter.close());

    const texts = devMessages();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('<b>⚠️ Error</b>: cannot handle "');
    expect(texts[0]).toContain('&lt;b&gt;hi&lt;/b&gt; &amp; bye #1');
    expect(texts[0]).toContain('"update_id": 1,');
    expect(texts[0]).toContain('/bot&lt;token&gt;/getMe');
    expect(texts[1]).toContain('and 49 more in the last');
  });

  it('bot.catch(reporter.report) works too: the BotError is unwrapped and its update used', async () => {
    const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    await drive(clock, bot.init());
    const reporter = createErrorReporter({ api: bot.api, chatIds: DEV_CHAT, clock });
    bot.on('message', () => {
      throw new RangeError('out of range');
    });
    bot.catch(reporter.report);
    await drive(clock, bot.handleUpdate(update(7, 'x')).catch(bot.errorHandler));
    await drive(clock, reporter.close());
    const [text] = devMessages();
    expect(text).toContain('<b>⚠️ RangeError</b>: out of range');
    expect(text).toContain('"update_id": 7');
  });
});

describe('telegraf: bot.catch', () => {
  it('reports a throwing handler with its update, through bot.telegram', async () => {
    const bot = new Telegraf(sim.token, { telegram: { apiRoot: sim.apiRoot } });
    useResilience(bot.telegram, resilience);
    const reporter = createErrorReporter({ api: bot.telegram, chatIds: DEV_CHAT, clock });
    bot.on('message', async (ctx) => {
      await ctx.telegram.sendMessage(BLOCKED_DEV, 'this one is refused');
    });
    bot.catch((err, ctx) => reporter.report(err, { update: ctx.update }));
    await drive(clock, bot.handleUpdate(update(3, 'a < b')));
    await drive(clock, reporter.close());
    const [text, ...rest] = devMessages();
    expect(rest).toEqual([]);
    // telegraf's own TelegramError: classify() reads it, the method and payload come from error.on.
    expect(text).toContain('<b>⚠️ TelegramError</b>: 403: Forbidden: bot was blocked by the user');
    expect(text).toContain('kind <code>forbidden</code> · code <code>403</code>');
    expect(text).toContain('method <code>sendMessage</code>');
    expect(text).toContain(`"chat_id": ${BLOCKED_DEV}`);
    expect(text).toContain('"text": "a &lt; b"');
  });
});

describe('createBotApi client and failing sends', () => {
  it('sends through our client and its resilience engine: a flood wait on the developer chat is waited out', async () => {
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience });
    const reporter = createErrorReporter({ api, token: sim.token, chatIds: DEV_CHAT, clock, maxPerWindow: 3 });
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 5 });
    for (const word of ['one', 'two', 'three', 'four']) reporter.report(new Error(`${word} ${sim.token}`));
    await drive(clock, reporter.close());
    const texts = devMessages();
    expect(texts).toHaveLength(4); // three reports, one summary
    expect(texts[3]).toContain('4 errors in the last');
    expect(sim.requests({ method: 'sendMessage' }).map((r) => r.outcome)).toEqual(['429', 'ok', 'ok', 'ok', 'ok']);
  });

  it('a developer chat that blocked the bot (403) gets one request, then nothing more, and one warning', async () => {
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience });
    const reporter = createErrorReporter({ api, token: sim.token, chatIds: [BLOCKED_DEV, DEV_CHAT], clock });
    const warnings = await warningsDuring(async () => {
      for (let i = 0; i < 100; i++) reporter.report(new Error(['alpha', 'bravo', 'charlie'][i % 3]));
      await drive(clock, reporter.close());
    });
    expect(sim.requests({ chatId: BLOCKED_DEV }).map((r) => r.outcome)).toEqual(['403']);
    const ours = warnings.filter((w) => (w as Error & { code?: string }).code === REPORTER_WARNING_CODE);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toContain(`chat ${BLOCKED_DEV} failed (forbidden 403`);
    expect(devMessages()).toHaveLength(4); // the other chat: three reports and the summary
  });
});
