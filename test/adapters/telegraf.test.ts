import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { AbortController as PolyfillAbortController } from 'abort-controller';
import { Telegraf, Telegram, TelegramError } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import { resilienceMiddleware, useResilience } from '../../src/adapters/telegraf.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { drive, rejectionOf, runBotApiScenarios, START, USER } from './bot-api-scenarios.js';

// telegraf throws node-fetch's FetchError for transport failures: load the copy telegraf uses.
const requireFromTelegraf = createRequire(createRequire(import.meta.url).resolve('telegraf'));
const { FetchError } = requireFromTelegraf('node-fetch') as { FetchError: new (...args: never[]) => Error };

runBotApiScenarios('telegraf', ({ sim, resilience }) => {
  const bot = new Telegraf(sim.token, { telegram: { apiRoot: sim.apiRoot } });
  const undo = useResilience(bot.telegram, resilience);
  return {
    sendMessage: (chatId, text) => bot.telegram.sendMessage(chatId, text),
    getChat: (chatId) => bot.telegram.getChat(chatId),
    errors: { api: TelegramError, badGateway: TelegramError, reset: FetchError },
    errorCode: (error) => (error as TelegramError).code,
    retryAfter: (error) => (error as TelegramError).parameters?.retry_after,
    undo,
  };
});

describe('telegraf useResilience', () => {
  let sim: Simulator;
  let clock: ManualClock;
  let resilience: Resilience;
  let bot: Telegraf;

  beforeEach(async () => {
    clock = createManualClock(START);
    sim = await startSimulator({ clock, limits: false });
    resilience = createResilience({ clock, random: () => 0.5 });
    bot = new Telegraf(sim.token, { telegram: { apiRoot: sim.apiRoot } });
  });

  afterEach(async () => {
    await resilience.close();
    await sim.close();
  });

  it('wraps callApi in place and the returned function undoes it', async () => {
    const undo = useResilience(bot.telegram, resilience);
    expect(Object.prototype.hasOwnProperty.call(bot.telegram, 'callApi')).toBe(true);
    expect(() => useResilience(bot.telegram, resilience)).toThrow(/already wrapped/);
    undo();
    expect(Object.prototype.hasOwnProperty.call(bot.telegram, 'callApi')).toBe(false);
    expect(bot.telegram.callApi).toBe(Telegram.prototype.callApi);
    // Unwrapped, a 429 reaches the caller at once.
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 1 });
    const error = await rejectionOf(clock, bot.telegram.sendMessage(USER, 'x'));
    expect((error as TelegramError).code).toBe(429);
    expect(sim.requests()).toHaveLength(1);
    undo(); // a second call does nothing
  });

  it("passes callApi's signal: aborting during a flood wait rejects at once", async () => {
    useResilience(bot.telegram, resilience);
    sim.queueFault('429', { method: 'getChat', retryAfter: 30 });
    const controller = new AbortController();
    // telegraf types its signal with the abort-controller polyfill's AbortSignal; at run time it is the same thing.
    const signal = controller.signal as NonNullable<Parameters<typeof bot.telegram.callApi>[2]>['signal'];
    const call = bot.telegram.callApi('getChat', { chat_id: USER }, { signal });
    call.catch(() => {});
    for (let i = 0; i < 500 && clock.pending() === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(clock.pending()).toBeGreaterThan(0);
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    expect(clock.now()).toBe(START);
    expect(sim.requests()).toHaveLength(1);
  });

  it("works the way telegraf's polling calls it: the whole polyfilled AbortController as options", async () => {
    useResilience(bot.telegram, resilience);
    const controller = new PolyfillAbortController();
    const asOptions = controller as unknown as Parameters<typeof bot.telegram.callApi>[2];
    expect(await drive(clock, bot.telegram.callApi('getUpdates', { timeout: 0 }, asOptions))).toEqual([]);
    sim.queueFault('429', { method: 'getUpdates', retryAfter: 30 });
    const call = bot.telegram.callApi('getUpdates', { timeout: 0 }, asOptions);
    call.catch(() => {});
    for (let i = 0; i < 500 && clock.pending() === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(clock.pending()).toBeGreaterThan(0);
    controller.abort();
    // telegraf's polling loop ends quietly on exactly this name.
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.now()).toBe(START);
  });

  it('resilienceMiddleware covers ctx.telegram (ctx.reply), which telegraf builds per update', async () => {
    bot.use(resilienceMiddleware(resilience));
    bot.on('message', (ctx) => ctx.reply('pong'));
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 2 });
    const update = {
      update_id: 1,
      message: { message_id: 1, date: 0, chat: { id: USER, type: 'private' as const, first_name: 'U' }, from: { id: USER, is_bot: false, first_name: 'U' }, text: 'ping' },
    };
    await drive(clock, bot.handleUpdate(update));
    expect(sim.requests({ method: 'sendMessage' }).map((r) => r.outcome)).toEqual(['429', 'ok']);
    expect(sim.ledger().map((e) => e.text)).toEqual(['pong']);
  });

  it('an upload from a stream gets one attempt only', async () => {
    useResilience(bot.telegram, resilience);
    sim.queueFault('429', { method: 'sendDocument', retryAfter: 1 });
    const error = await rejectionOf(
      clock,
      bot.telegram.sendDocument(USER, { source: Readable.from([Buffer.from('bytes')]), filename: 'a.txt' }),
    );
    expect((error as TelegramError).code).toBe(429);
    expect(sim.requests({ method: 'sendDocument' })).toHaveLength(1);
    sim.queueFault('429', { method: 'sendDocument', retryAfter: 1 });
    await drive(clock, bot.telegram.sendDocument(USER, { source: Buffer.from('bytes'), filename: 'b.txt' }));
    expect(sim.requests({ method: 'sendDocument' }).map((r) => r.outcome)).toEqual(['429', '429', 'ok']);
  });

  it('rejects what it cannot wrap', () => {
    expect(() => useResilience({} as Telegram, resilience)).toThrow(TypeError);
    expect(() => useResilience(bot.telegram, {} as Resilience)).toThrow(TypeError);
  });
});
