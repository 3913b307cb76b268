/**
 * Real bots against the simulator, as a bot developer would test one: grammY `bot.start()`, telegraf
 * `bot.launch()` and node-telegram-bot-api 2.x `startPolling()` on the real clock (long polling is
 * real waiting), plus webhook round trips through each SDK's own webhook handler. Every test stops
 * its bot and awaits the end of its polling loop.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, webhookCallback } from 'grammy';
import { Bot as NtbaBot } from 'node-telegram-bot-api';
import { Telegraf } from 'telegraf';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

let sim: Simulator | undefined;
let server: Server | undefined;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (server) await new Promise((r) => server!.close(r));
  await sim?.close();
  sim = undefined;
  server = undefined;
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const polls = () => sim!.requests({ method: 'getUpdates' }).length;
const message = (text: string, chatId = 42) => ({ message: { chat: { id: chatId }, text } });

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

describe('grammY bot.start()', () => {
  it('gets a pushed message, replies into the ledger, polls idly at long-poll pace, stops cleanly', async () => {
    sim = await startSimulator();
    const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    bot.command('start', (ctx) => ctx.reply('welcome'));
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const running = bot.start({ timeout: 1 });
    cleanups.push(async () => {
      await bot.stop();
      await running;
    });
    await waitFor(() => polls() >= 1);
    sim.pushUpdate(message('/start'));
    sim.pushUpdate(message('hello'));
    await waitFor(() => sim!.ledger().length === 2);
    expect(sim.ledger().map((e) => [e.chatId, e.text])).toEqual([
      [42, 'welcome'],
      [42, 'echo: hello'],
    ]);
    const before = polls();
    await sleep(2500);
    // Idle: one getUpdates per 1 s long poll (not thousands).
    expect(polls() - before).toBeGreaterThanOrEqual(1);
    expect(polls() - before).toBeLessThanOrEqual(4);
    expect(sim.requests().slice(0, 2).map((r) => [r.method, r.outcome])).toEqual([
      ['getMe', 'ok'],
      ['deleteWebhook', 'ok'],
    ]);
  });

  it('a second poller makes the first one fail with 409 Conflict', async () => {
    sim = await startSimulator();
    const first = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    const second = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    const firstRun = first.start({ timeout: 5 }).then(() => undefined, (error: unknown) => error);
    await waitFor(() => polls() >= 1);
    const secondRun = second.start({ timeout: 5 });
    cleanups.push(async () => {
      await second.stop();
      await secondRun;
    });
    const error = await firstRun;
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(409);
    expect((error as GrammyError).description).toMatch(/terminated by other getUpdates request/);
    sim.pushUpdate(message('still served'));
    await waitFor(() => sim!.requests({ method: 'getUpdates' }).some((r) => r.outcome === 'ok' && r.status === 200));
  });

  it('webhook round trip through webhookCallback with the secret token', async () => {
    sim = await startSimulator();
    const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    bot.on('message:text', (ctx) => ctx.reply(`hooked: ${ctx.message.text}`));
    await bot.init();
    const url = await listen(webhookCallback(bot, 'http', { secretToken: 'grammy_secret' }));
    await bot.api.setWebhook(url, { secret_token: 'grammy_secret' });
    sim.pushUpdate(message('via webhook'));
    await waitFor(() => sim!.ledger().length === 1);
    expect(sim.ledger()[0]).toMatchObject({ chatId: 42, text: 'hooked: via webhook' });
    expect(await bot.api.getWebhookInfo()).toMatchObject({ url, pending_update_count: 0 });
    expect((await bot.api.getWebhookInfo()).last_error_message).toBeUndefined();
  });

  it('a wrong secret token is refused by the bot: the update stays pending with the error', async () => {
    sim = await startSimulator();
    const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
    await bot.init();
    const url = await listen(webhookCallback(bot, 'http', { secretToken: 'expected' }));
    await bot.api.setWebhook(url, { secret_token: 'other' });
    sim.pushUpdate(message('x'));
    let info = await bot.api.getWebhookInfo();
    for (let i = 0; i < 100 && info.last_error_message === undefined; i++) {
      await sleep(20);
      info = await bot.api.getWebhookInfo();
    }
    expect(info).toMatchObject({ pending_update_count: 1, last_error_message: expect.stringMatching(/^Wrong response from the webhook: 401/) });
    await bot.api.deleteWebhook();
  });
});

describe('telegraf bot.launch()', () => {
  it('gets a pushed message, replies into the ledger, holds its 50 s long poll, stops cleanly', async () => {
    sim = await startSimulator();
    const bot = new Telegraf(sim.token, { telegram: { apiRoot: sim.apiRoot } });
    bot.on('text', (ctx) => ctx.reply(`telegraf: ${ctx.message.text}`));
    const running = bot.launch();
    cleanups.push(async () => {
      bot.stop('test over');
      await running;
    });
    await waitFor(() => polls() >= 1);
    sim.pushUpdate(message('ping', 7));
    await waitFor(() => sim!.ledger().length === 1);
    expect(sim.ledger()[0]).toMatchObject({ chatId: 7, method: 'sendMessage', text: 'telegraf: ping' });
    const before = polls();
    await sleep(1500);
    expect(polls() - before).toBeLessThanOrEqual(1);
  });

  it('webhook round trip through webhookCallback with the secret token: the reply lands in the ledger', async () => {
    sim = await startSimulator();
    const bot = new Telegraf(sim.token, { telegram: { apiRoot: sim.apiRoot } });
    bot.on('text', (ctx) => ctx.reply(`reply: ${ctx.message.text}`));
    const url = await listen(bot.webhookCallback('/hook', { secretToken: 'tg_secret' }));
    await bot.telegram.setWebhook(url, { secret_token: 'tg_secret' });
    sim.pushUpdate(message('over http', 9));
    await waitFor(() => sim!.ledger().length === 1);
    expect(sim.ledger()[0]).toMatchObject({ chatId: 9, text: 'reply: over http' });
    expect((await bot.telegram.getWebhookInfo()).pending_update_count).toBe(0);
  });
});

describe('node-telegram-bot-api 2.x startPolling()', () => {
  it('gets a pushed message, replies into the ledger, polls idly at long-poll pace (not in a busy loop), stops cleanly', async () => {
    sim = await startSimulator();
    const bot = new NtbaBot(sim.token, { apiRoot: sim.apiRoot });
    bot.on('message', (ctx) => ctx.reply(`ntba: ${ctx.message?.text ?? ''}`));
    const running = bot.startPolling(undefined, { timeout: 1 });
    cleanups.push(async () => {
      bot.stop();
      await running;
    });
    await waitFor(() => polls() >= 1);
    sim.pushUpdate(message('yo', 11));
    await waitFor(() => sim!.ledger().length === 1);
    expect(sim.ledger()[0]).toMatchObject({ chatId: 11, text: 'ntba: yo' });
    const before = polls();
    await sleep(2500);
    expect(polls() - before).toBeGreaterThanOrEqual(1);
    expect(polls() - before).toBeLessThanOrEqual(4);
  });
});
