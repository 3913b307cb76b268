/**
 * Real SDKs pointed at the simulator. Adapter tests build on these: if an SDK cannot talk to the
 * simulator, or does not see Telegram's error parameters, it fails here first.
 */
import { createRequire } from 'node:module';
import { Bot, GrammyError, InputFile } from 'grammy';
import { Telegraf } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

// Silences node-telegram-bot-api 0.x's deprecation notices (promise cancellation, file content types).
process.env.NTBA_FIX_319 = '1';
process.env.NTBA_FIX_350 = '1';
const require = createRequire(import.meta.url);
const TelegramBot0 = require('node-telegram-bot-api-0') as new (token: string, options: Record<string, unknown>) => any;

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ clock: createManualClock(1_700_000_000_000), migratedGroups: { '-55': -10055 }, blockedUsers: [99] });
});

afterEach(async () => {
  await sim.close();
});

/** Runs `call`, expecting it to reject, and returns the error. */
async function rejection(call: Promise<unknown>): Promise<any> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('grammY', () => {
  it('getMe and sendMessage through new Bot(token, { client: { apiRoot } })', async () => {
    const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    const me = await bot.api.getMe();
    expect(me).toMatchObject({ id: 123456789, is_bot: true });
    const message = await bot.api.sendMessage(42, 'from grammY');
    expect(message).toMatchObject({ message_id: 1, chat: { id: 42, type: 'private' }, text: 'from grammY' });
    const doc = await bot.api.sendDocument(42, new InputFile(Buffer.from('hello'), 'hello.txt'), { caption: 'doc' });
    expect(doc.message_id).toBe(2);
    expect(sim.deliveredTo(42).map((e) => [e.method, e.text])).toEqual([
      ['sendMessage', 'from grammY'],
      ['sendDocument', 'doc'],
    ]);
  });

  it("surfaces Telegram's error parameters (429 retry_after, migrate_to_chat_id, 403)", async () => {
    const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    sim.queueFault('429', { retryAfter: 4 });
    const flood = await rejection(bot.api.sendMessage(1, 'x'));
    expect(flood).toBeInstanceOf(GrammyError);
    expect([flood.error_code, flood.parameters]).toEqual([429, { retry_after: 4 }]);
    const migrated = await rejection(bot.api.sendMessage(-55, 'x'));
    expect([migrated.error_code, migrated.parameters]).toEqual([400, { migrate_to_chat_id: -10055 }]);
    expect((await rejection(bot.api.sendMessage(99, 'x'))).error_code).toBe(403);
  });
});

describe('telegraf', () => {
  it('getMe and sendMessage through new Telegraf(token, { telegram: { apiRoot } })', async () => {
    const bot = new Telegraf(sim.token, { telegram: { apiRoot: sim.apiRoot } });
    const me = await bot.telegram.getMe();
    expect(me).toMatchObject({ id: 123456789, is_bot: true });
    const message = await bot.telegram.sendMessage(-10055, 'from telegraf');
    expect(message).toMatchObject({ message_id: 1, chat: { id: -10055, type: 'supergroup' }, text: 'from telegraf' });
    expect(sim.ledger()).toEqual([expect.objectContaining({ chatId: -10055, method: 'sendMessage', text: 'from telegraf' })]);
  });

  it("surfaces Telegram's error parameters", async () => {
    const bot = new Telegraf(sim.token, { telegram: { apiRoot: sim.apiRoot } });
    sim.queueFault('429', { retryAfter: 3 });
    const flood = await rejection(bot.telegram.sendMessage(1, 'x'));
    expect([flood.code, flood.parameters]).toEqual([429, { retry_after: 3 }]);
    const migrated = await rejection(bot.telegram.sendMessage(-55, 'x'));
    expect(migrated.parameters).toEqual({ migrate_to_chat_id: -10055 });
  });
});

describe('node-telegram-bot-api 0.x', () => {
  const newBot = () => new TelegramBot0(sim.token, { polling: false, baseApiUrl: sim.apiRoot });

  it('getMe and sendMessage with baseApiUrl (url-encoded forms)', async () => {
    const bot = newBot();
    const me = await bot.getMe();
    expect(me).toMatchObject({ id: 123456789, is_bot: true });
    const message = await bot.sendMessage(7, 'from ntba ✓');
    expect(message).toMatchObject({ message_id: 1, chat: { id: 7 }, text: 'from ntba ✓' });
    await bot.sendDocument(7, Buffer.from('abc'), { caption: 'multipart' }, { filename: 'a.txt', contentType: 'text/plain' });
    expect(sim.deliveredTo(7).map((e) => [e.method, e.text])).toEqual([
      ['sendMessage', 'from ntba ✓'],
      ['sendDocument', 'multipart'],
    ]);
  });

  it("surfaces Telegram's error body as ETELEGRAM", async () => {
    const bot = newBot();
    sim.queueFault('429', { retryAfter: 5 });
    const flood = await rejection(bot.sendMessage(1, 'x'));
    expect(flood.code).toBe('ETELEGRAM');
    expect(flood.response.body).toMatchObject({ error_code: 429, parameters: { retry_after: 5 } });
    const migrated = await rejection(bot.sendMessage(-55, 'x'));
    expect(migrated.response.body.parameters).toEqual({ migrate_to_chat_id: -10055 });
  });
});
