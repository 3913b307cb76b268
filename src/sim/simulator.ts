/**
 * A local fake of the Telegram Bot API server: a real `node:http` server on 127.0.0.1 that real
 * clients (grammY, telegraf, node-telegram-bot-api, fetch) can talk to, with Telegram's flood
 * limits, chat migrations, blocked users and injectable network faults.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../core/clock.js';
import { canonicalMethod, errorAnswer, floodAnswer, type ApiAnswer } from './answers.js';
import { BotMethods } from './bot-methods.js';
import { parseChatId } from './chats.js';
import { FaultPlan, sameChat } from './faults.js';
import { BodyError, readParams, type Params } from './http-body.js';
import { createRateLimitModel } from './limits.js';
import type { RequestLogEntry, RequestOutcome, SimFilter, Simulator, SimulatorOptions } from './types.js';

/** Shaped like a real token (bot id, colon, 35 url-safe characters) but accepted only here. */
export const DEFAULT_SIM_TOKEN = '123456789:AAHsimulatorFakeToken_0123456789abc';

/** Longest delay a Node timer can hold; longer waits are treated as "until close()". */
const MAX_TIMER_MS = 2 ** 31 - 1;

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

const STATUS_OUTCOMES: Record<number, RequestOutcome> = { 200: 'ok', 400: '400', 401: '401', 403: '403', 404: '404', 429: '429' };

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { server: 'nginx/1.18.0', 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Drops the connection without an answer (an RST, like a crashed proxy). */
function dropSocket(res: ServerResponse): void {
  const socket = res.socket;
  if (socket && !socket.destroyed) socket.resetAndDestroy();
  else res.destroy();
}

/** A method name safe to log: never anything that could be part of a token. */
function loggableMethod(name: string): string {
  return canonicalMethod(name) ?? (/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : '<invalid>');
}

function loggableChatId(value: unknown): number | string | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
}

function tokenMatches(segment: string, token: string): boolean {
  try {
    return decodeURIComponent(segment) === token;
  } catch {
    return false;
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const token = options.token ?? DEFAULT_SIM_TOKEN;
  const hangMs = options.hangMs ?? Infinity;
  const slowMs = options.slowMs ?? 1000;
  const limits = options.limits === false ? null : createRateLimitModel(options.limits, clock, options.strict ?? false);
  const bot = new BotMethods({
    token,
    clock,
    limits,
    migratedGroups: options.migratedGroups ?? {},
    blockedUsers: options.blockedUsers ?? [],
  });
  const faults = new FaultPlan(options.faults);
  let log: RequestLogEntry[] = [];
  let seq = 0;
  let closing = false;
  let closed: Promise<void> | undefined;
  /** Aborted by `close()` so no hang/slow wait outlives the server. */
  const waits = new Set<AbortController>();

  /** Waits `ms` on the clock; false if the client or `close()` ended it first. */
  const waitOnClock = async (ms: number, res: ServerResponse): Promise<boolean> => {
    const controller = new AbortController();
    const onClose = () => controller.abort();
    waits.add(controller);
    res.on('close', onClose);
    if (closing) controller.abort();
    try {
      if (Number.isFinite(ms) && ms <= MAX_TIMER_MS) {
        await clock.sleep(ms, controller.signal);
      } else {
        await new Promise<void>((_, reject) => {
          if (controller.signal.aborted) reject(controller.signal.reason);
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
        });
      }
      return !controller.signal.aborted;
    } catch {
      return false;
    } finally {
      waits.delete(controller);
      res.off('close', onClose);
    }
  };

  const answer = (res: ServerResponse, entry: RequestLogEntry, result: ApiAnswer, outcome?: RequestOutcome): void => {
    entry.status = result.status;
    entry.outcome = outcome ?? STATUS_OUTCOMES[result.status] ?? '400';
    if (result.limit) entry.limit = result.limit;
    if (result.retryAfter !== undefined) entry.retryAfter = result.retryAfter;
    if (result.delivered) entry.delivered = true;
    send(res, result.status, 'application/json', JSON.stringify(result.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const entry: RequestLogEntry = { seq: ++seq, method: undefined, chatId: undefined, outcome: '404', status: null, delivered: false, at: clock.now() };
    log.push(entry);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = /^\/bot([^/]*)\/([^/]+)\/?$/.exec(url.pathname);
    if (!route) return answer(res, entry, errorAnswer(404, 'Not Found'));
    entry.method = loggableMethod(route[2]!);
    if (!tokenMatches(route[1]!, token)) return answer(res, entry, errorAnswer(401, 'Unauthorized'));
    const method = canonicalMethod(route[2]!);
    if (!method) return answer(res, entry, errorAnswer(404, 'Not Found: method not found'));

    let params: Params;
    try {
      params = await readParams(req, url);
    } catch (error) {
      if (error instanceof BodyError) return answer(res, entry, errorAnswer(400, error.description));
      throw error;
    }
    entry.chatId = loggableChatId(params.chat_id);

    const fault = faults.pick(method, entry.chatId);
    if (fault) entry.fault = fault.kind;
    switch (fault?.kind) {
      case 'reset_before':
        entry.outcome = 'reset_before';
        return dropSocket(res);
      case '500':
        return answer(res, entry, errorAnswer(500, 'Internal Server Error'), '500');
      case '502_html':
        entry.status = 502;
        entry.outcome = '502_html';
        return send(res, 502, 'text/html', NGINX_502);
      case '429':
        return answer(res, entry, floodAnswer(fault.retryAfter), '429');
      case 'hang':
        entry.outcome = 'hang';
        await waitOnClock(hangMs, res);
        return dropSocket(res);
      case 'slow':
        entry.outcome = 'slow';
        if (!(await waitOnClock(slowMs, res))) return dropSocket(res);
        break;
      case 'reset_after':
      case 'bad_json':
      case undefined:
        break;
    }

    const result = bot.call(method, params);
    if (result.delivered) entry.delivered = true;
    if (fault?.kind === 'reset_after') {
      entry.outcome = 'reset_after';
      return dropSocket(res);
    }
    if (fault?.kind === 'bad_json') {
      entry.status = 200;
      entry.outcome = 'bad_json';
      const json = JSON.stringify(result.body);
      return send(res, 200, 'application/json', json.slice(0, Math.max(1, Math.floor(json.length / 2))));
    }
    return answer(res, entry, result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => dropSocket(res));
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
        closing = true;
        for (const controller of waits) controller.abort();
        // The callback also gets ERR_SERVER_NOT_RUNNING if it already stopped; closed is closed.
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    ledger: (filter) => bot.ledger().filter((e) => matchesFilter(filter, e.method, e.chatId)).map((e) => ({ ...e })),
    deliveredTo: (chatId) => simulator.ledger({ chatId }),
    requests: (filter) => log.filter((e) => matchesFilter(filter, e.method, e.chatId)).map((e) => ({ ...e })),
    reset() {
      log = [];
      seq = 0;
      bot.reset();
      faults.reset();
    },
    queueFault: (kind, match) => faults.queue(kind, match),
    setFault: (kind, match) => faults.stand(kind, match),
    setFaultSchedule: (schedule) => faults.setSchedule(schedule),
  };
  return simulator;
}
