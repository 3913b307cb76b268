/**
 * A local fake of the Telegram Bot API server: a real `node:http` server on 127.0.0.1 that real
 * clients and real bots (grammY, telegraf, node-telegram-bot-api, fetch, any language) can talk to,
 * with Telegram's flood limits, chat migrations, blocked users, injectable network faults, long
 * polling, webhooks, and a control API under `/sim/`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOptions } from '../core/check-options.js';
import { systemClock } from '../core/clock.js';
import { BotMethods } from './bot-methods.js';
import { CallbackQueries, registerInteractions } from './bot-interactions.js';
import { createBotRoute } from './bot-routes.js';
import { parseChatId } from './chats.js';
import { createControlRoute } from './control-api.js';
import { FaultPlan, sameChat } from './faults.js';
import { dropSocket } from './http-send.js';
import { createRateLimitModel } from './limits.js';
import { registerMyCommands } from './my-commands.js';
import { SCHEDULE_CHECKS, validateSimulatorOptions } from './options.js';
import { LongPolling } from './polling.js';
import type { RequestLogEntry, SimFilter, Simulator, SimulatorOptions } from './types.js';
import { fillUpdate } from './update-fill.js';
import { UpdateQueue } from './updates.js';
import { Waits } from './waits.js';
import { Webhook } from './webhook.js';

/** Shaped like a real token (bot id, colon, 35 url-safe characters) but accepted only here. */
export const DEFAULT_SIM_TOKEN = '123456789:AAHsimulatorFakeToken_0123456789abc';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  validateSimulatorOptions(options);
  const clock = options.clock ?? systemClock;
  const token = options.token ?? DEFAULT_SIM_TOKEN;
  const limits = options.limits === false ? null : createRateLimitModel(options.limits, clock, options.strict ?? false);
  const bot = new BotMethods({
    token,
    clock,
    limits,
    migratedGroups: options.migratedGroups ?? {},
    migrateAllGroups: options.migrateAllGroups ?? false,
    blockedUsers: options.blockedUsers ?? [],
  });
  const callbacks = new CallbackQueries();
  registerInteractions(bot, callbacks);
  registerMyCommands(bot);
  const faults = new FaultPlan(options.faults);
  const waits = new Waits(clock);
  const queue = new UpdateQueue();
  let log: RequestLogEntry[] = [];
  let seq = 0;
  let closed: Promise<void> | undefined;

  let polling: LongPolling | undefined;
  const botRoute = createBotRoute({
    token,
    clock,
    bot,
    faults,
    waits,
    hangMs: options.hangMs ?? Infinity,
    slowMs: options.slowMs ?? 1000,
    asyncMethods: {
      getUpdates: (params, res) => polling!.getUpdates(params, res),
    },
    logRequest: (fields) => {
      const entry: RequestLogEntry = { seq: ++seq, ...fields };
      log.push(entry);
      return entry;
    },
  });
  const webhook = new Webhook({
    queue,
    waits,
    clock,
    retryMs: options.webhookRetryMs ?? 1000,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    onSet: () => polling?.terminate(),
    runReply: botRoute.runReply,
  });
  polling = new LongPolling({ queue, waits, webhookActive: () => webhook.active });
  bot.register({
    setWebhook: (p) => webhook.set(p),
    deleteWebhook: (p) => webhook.delete(p),
    getWebhookInfo: () => webhook.info(),
  });

  let control: ReturnType<typeof createControlRoute> | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = url.pathname === '/sim' || url.pathname.startsWith('/sim/') ? control! : botRoute.handle;
    route(req, res, url).catch(() => dropSocket(res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const apiRoot = `http://127.0.0.1:${port}`;

  const matchesFilter = (filter: SimFilter | undefined, method: string | undefined, chatId: number | string | undefined) =>
    (filter?.method === undefined || filter.method.toLowerCase() === method?.toLowerCase()) &&
    (filter?.chatId === undefined || sameChat(parseChatId(filter.chatId) ?? filter.chatId, parseChatId(chatId) ?? chatId));

  const simulator: Simulator = {
    apiRoot,
    token,
    port,
    methodUrl: (method) => `${apiRoot}/bot${token}/${method}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        waits.closeAll();
        webhook.stop();
        // The callback also gets ERR_SERVER_NOT_RUNNING if it already stopped; closed is closed.
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    ledger: (filter) => bot.ledger().filter((e) => matchesFilter(filter, e.method, e.chatId)).map((e) => ({ ...e })),
    deliveredTo: (chatId) => simulator.ledger({ chatId }),
    requests: (filter) => log.filter((e) => matchesFilter(filter, e.method, e.chatId)).map((e) => ({ ...e })),
    pushUpdate(raw) {
      const { update, type } = fillUpdate(raw, {
        store: bot.store,
        supergroups: bot.supergroups,
        date: bot.date(),
        nextUpdateId: queue.nextId,
        nextCallbackId: () => callbacks.newId(),
      });
      const query = update.callback_query as { id?: string } | undefined;
      if (query?.id) callbacks.opened(query.id);
      queue.push(update, type);
      return update.update_id;
    },
    reset() {
      log = [];
      seq = 0;
      bot.reset();
      faults.reset();
      queue.clear();
      webhook.resetErrors();
    },
    queueFault: (kind, match) => faults.queue(kind, match),
    setFault: (kind, match) => faults.set(kind, match),
    addFault: (kind, match) => faults.add(kind, match),
    setFaultSchedule(schedule) {
      if (schedule !== null) {
        if (typeof schedule !== 'object') throw new TypeError('setFaultSchedule: the schedule must be an object { seed, rate, ... } or null');
        checkOptions('setFaultSchedule', schedule, SCHEDULE_CHECKS);
      }
      faults.setSchedule(schedule);
    },
  };
  control = createControlRoute({ sim: simulator, faults, seed: options.faults?.seed ?? 1 });
  return simulator;
}
