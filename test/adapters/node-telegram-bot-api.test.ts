import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { Api, Bot, NetworkError, TelegramApiError } from 'node-telegram-bot-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import { detectNtbaVersion, useResilience, type NtbaTarget } from '../../src/adapters/node-telegram-bot-api.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { drive, rejectionOf, runBotApiScenarios, START, USER } from './bot-api-scenarios.js';

// Silences 0.x's deprecation notices (promise cancellation, file content types).
process.env.NTBA_FIX_319 = '1';
process.env.NTBA_FIX_350 = '1';
const require = createRequire(import.meta.url);
type ErrorClass = new (...args: never[]) => Error;
interface LegacyBot {
  _request(path: string, options?: object): Promise<unknown>;
  sendMessage(chatId: number, text: string): Promise<unknown>;
  getChat(chatId: number): Promise<unknown>;
  sendDocument(chatId: number, doc: unknown, options?: object, fileOptions?: object): Promise<unknown>;
}
const TelegramBot0 = require('node-telegram-bot-api-0') as {
  new (token: string, options: Record<string, unknown>): LegacyBot;
  errors: { TelegramError: ErrorClass; ParseError: ErrorClass; FatalError: ErrorClass };
};
const legacyErrors = TelegramBot0.errors;

type LegacyApiError = Error & { code: string; response: { body: { error_code: number; parameters?: { retry_after?: number } } } };

runBotApiScenarios('node-telegram-bot-api 0.x', ({ sim, resilience }) => {
  const bot = new TelegramBot0(sim.token, { polling: false, baseApiUrl: sim.apiRoot });
  const undo = useResilience(bot, resilience);
  return {
    sendMessage: (chatId, text) => bot.sendMessage(chatId, text),
    getChat: (chatId) => bot.getChat(chatId),
    errors: { api: legacyErrors.TelegramError, badGateway: legacyErrors.ParseError, reset: legacyErrors.FatalError },
    errorCode: (error) => {
      expect((error as LegacyApiError).code).toBe('ETELEGRAM');
      return (error as LegacyApiError).response.body.error_code;
    },
    retryAfter: (error) => (error as LegacyApiError).response.body.parameters?.retry_after,
    undo,
  };
});

// 2.x is built WITHOUT maxRetries: 0 here, to prove the adapter turns the SDK's own retries off
// (row 3b would see 3 requests otherwise).
runBotApiScenarios('node-telegram-bot-api 2.x', ({ sim, resilience }) => {
  const bot = new Bot(sim.token, { apiRoot: sim.apiRoot });
  const undo = useResilience(bot, resilience);
  return {
    sendMessage: (chatId, text) => bot.api.sendMessage({ chat_id: chatId, text }),
    getChat: (chatId) => bot.api.getChat({ chat_id: chatId }),
    errors: { api: TelegramApiError, badGateway: NetworkError, reset: NetworkError },
    errorCode: (error) => (error as TelegramApiError).errorCode,
    retryAfter: (error) => (error as TelegramApiError).retryAfter,
    undo,
  };
});

describe('node-telegram-bot-api useResilience', () => {
  let sim: Simulator;
  let clock: ManualClock;
  let resilience: Resilience;

  beforeEach(async () => {
    clock = createManualClock(START);
    sim = await startSimulator({ clock, limits: false });
    resilience = createResilience({ clock, random: () => 0.5 });
  });

  afterEach(async () => {
    await resilience.close();
    await sim.close();
  });

  const legacyBot = () => new TelegramBot0(sim.token, { polling: false, baseApiUrl: sim.apiRoot });
  const transportOf = (api: Api) => (api as unknown as { transport: { maxRetries: number } }).transport;

  it('tells 0.x from 2.x by duck typing, and refuses anything else', () => {
    expect(detectNtbaVersion(legacyBot())).toBe('0.x');
    expect(detectNtbaVersion(new Bot(sim.token, { apiRoot: sim.apiRoot }))).toBe('2.x');
    expect(detectNtbaVersion(new Api(sim.token, { apiRoot: sim.apiRoot }))).toBe('2.x');
    expect(detectNtbaVersion({ request() {} })).toBeUndefined();
    expect(() => useResilience({} as NtbaTarget, resilience)).toThrow(TypeError);
  });

  it("2.x: turns the SDK's own retries off while installed and restores them on undo", async () => {
    const bot = new Bot(sim.token, { apiRoot: sim.apiRoot, maxRetries: 4 });
    const undo = useResilience(bot, resilience);
    expect(transportOf(bot.api).maxRetries).toBe(0);
    expect(() => useResilience(bot.api, resilience)).toThrow(/already wrapped/);
    undo();
    expect(transportOf(bot.api).maxRetries).toBe(4);
    expect(Object.prototype.hasOwnProperty.call(bot.api, 'request')).toBe(false);
  });

  it('2.x: with maxRetries: 0 configured, nothing is changed and a 502 on sendMessage is sent once', async () => {
    const api = new Api(sim.token, { apiRoot: sim.apiRoot, maxRetries: 0 });
    useResilience(api, resilience);
    expect(transportOf(api).maxRetries).toBe(0);
    sim.queueFault('502_html', { method: 'sendMessage' });
    const error = await rejectionOf(clock, api.sendMessage({ chat_id: USER, text: 'x' }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(sim.requests()).toHaveLength(1);
  });

  it('2.x: passes the signal: aborting during a flood wait rejects at once', async () => {
    const bot = new Bot(sim.token, { apiRoot: sim.apiRoot });
    useResilience(bot, resilience);
    sim.queueFault('429', { method: 'getChat', retryAfter: 30 });
    const controller = new AbortController();
    const call = bot.api.getChat({ chat_id: USER }, controller.signal);
    call.catch(() => {});
    for (let i = 0; i < 500 && clock.pending() === 0; i++) await new Promise((r) => setTimeout(r, 2));
    expect(clock.pending()).toBeGreaterThan(0);
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    expect(clock.now()).toBe(START);
    expect(sim.requests()).toHaveLength(1);
  });

  it('0.x: undo restores _request; a second wrap is refused', async () => {
    const bot = legacyBot();
    const original = bot._request;
    const undo = useResilience(bot, resilience);
    expect(bot._request).not.toBe(original);
    expect(() => useResilience(bot, resilience)).toThrow(/already wrapped/);
    undo();
    expect(bot._request).toBe(original);
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 1 });
    await rejectionOf(clock, bot.sendMessage(USER, 'x'));
    expect(sim.requests()).toHaveLength(1);
  });

  it("0.x: getUpdates (polling) is left to the SDK, so stopPolling({ cancel: true }) keeps Bluebird's cancel()", async () => {
    const bot = legacyBot() as LegacyBot & { getUpdates(form?: object): Promise<unknown> & { cancel?: unknown } };
    useResilience(bot, resilience);
    const updates = bot.getUpdates({ timeout: 0 });
    expect(typeof updates.cancel).toBe('function');
    expect(await updates).toEqual([]);
    sim.queueFault('429', { method: 'getUpdates', retryAfter: 1 });
    await rejectionOf(clock, bot.getUpdates({ timeout: 0 }));
    expect(sim.requests({ method: 'getUpdates' })).toHaveLength(2);
    // Every other method goes through the engine.
    const chat = bot.getChat(USER) as Promise<unknown> & { cancel?: unknown };
    expect(typeof chat.cancel).toBe('undefined');
    await chat;
  });

  it('0.x: an upload from a stream gets one attempt only; a buffer is retried', async () => {
    const bot = legacyBot();
    useResilience(bot, resilience);
    const fileOptions = { filename: 'a.txt', contentType: 'text/plain' };
    sim.queueFault('429', { method: 'sendDocument', retryAfter: 1 });
    const error = (await rejectionOf(clock, bot.sendDocument(USER, Readable.from([Buffer.from('bytes')]), {}, fileOptions))) as LegacyApiError;
    expect(error.response.body.error_code).toBe(429);
    expect(sim.requests({ method: 'sendDocument' })).toHaveLength(1);
    sim.queueFault('429', { method: 'sendDocument', retryAfter: 1 });
    await drive(clock, bot.sendDocument(USER, Buffer.from('bytes'), { caption: 'buf' }, fileOptions));
    expect(sim.requests({ method: 'sendDocument' }).map((r) => r.outcome)).toEqual(['429', '429', 'ok']);
    expect(sim.ledger().map((e) => e.text)).toEqual(['buf']);
  });

  it('0.x: reply_markup survives a retry (each attempt gets its own copy of the form)', async () => {
    const bot = legacyBot() as LegacyBot & { sendMessage(chatId: number, text: string, options: object): Promise<unknown> };
    useResilience(bot, resilience);
    sim.queueFault('429', { method: 'sendMessage', retryAfter: 1 });
    const keyboard = { inline_keyboard: [[{ text: 'ok', callback_data: 'ok' }]] };
    const message = (await drive(clock, bot.sendMessage(USER, 'with keys', { reply_markup: keyboard }))) as { text: string };
    expect(message.text).toBe('with keys');
    expect(sim.requests({ method: 'sendMessage' }).map((r) => r.outcome)).toEqual(['429', 'ok']);
  });
});
