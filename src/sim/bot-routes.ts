/**
 * `/bot<token>/<method>`: authenticates, reads the parameters, injects the planned fault, runs the
 * method and logs the request (never the token).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import { canonicalMethod, errorAnswer, floodAnswer, type ApiAnswer } from './answers.js';
import type { BotMethods } from './bot-methods.js';
import type { FaultPlan } from './faults.js';
import { BodyError, readParams, type Params } from './http-body.js';
import { dropSocket, send, sendJson } from './http-send.js';
import type { RequestLogEntry, RequestOutcome } from './types.js';
import type { Waits } from './waits.js';

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

const STATUS_OUTCOMES: Record<number, RequestOutcome> = { 200: 'ok', 400: '400', 401: '401', 403: '403', 404: '404', 409: '409', 429: '429' };

/** A method that answers later (`getUpdates` long polling). */
export type AsyncMethod = (params: Params, res: ServerResponse) => Promise<ApiAnswer>;

export interface BotRouteDeps {
  token: string;
  clock: Clock;
  bot: BotMethods;
  faults: FaultPlan;
  waits: Waits;
  hangMs: number;
  slowMs: number;
  asyncMethods: Record<string, AsyncMethod>;
  /** Appends a new entry to the request log and returns it (with its `seq`). */
  logRequest: (entry: Omit<RequestLogEntry, 'seq'>) => RequestLogEntry;
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

function record(entry: RequestLogEntry, result: ApiAnswer, outcome?: RequestOutcome): void {
  entry.status = result.status;
  entry.outcome = outcome ?? STATUS_OUTCOMES[result.status] ?? '400';
  if (result.limit) entry.limit = result.limit;
  if (result.retryAfter !== undefined) entry.retryAfter = result.retryAfter;
  if (result.delivered) entry.delivered = true;
}

export function createBotRoute(deps: BotRouteDeps) {
  const { token, clock, bot, faults, waits } = deps;
  const answer = (res: ServerResponse, entry: RequestLogEntry, result: ApiAnswer, outcome?: RequestOutcome): void => {
    record(entry, result, outcome);
    sendJson(res, result.status, result.body);
  };
  const newEntry = () => deps.logRequest({ method: undefined, chatId: undefined, outcome: '404', status: null, delivered: false, at: clock.now() });

  /** Runs a method the bot called through a webhook reply: logged, never faulted, no one to answer. */
  const runReply = (name: string, params: Params): void => {
    const entry = newEntry();
    entry.viaWebhookReply = true;
    entry.method = loggableMethod(name);
    entry.chatId = loggableChatId(params.chat_id);
    const method = canonicalMethod(name);
    const result = method && !deps.asyncMethods[method] ? bot.call(method, params) : errorAnswer(404, 'Not Found: method not found');
    record(entry, result);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const entry = newEntry();
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
        await waits.sleep(deps.hangMs, { res });
        return dropSocket(res);
      case 'slow':
        entry.outcome = 'slow';
        if (!(await waits.sleep(deps.slowMs, { res }))) return dropSocket(res);
        break;
      case 'reset_after':
      case 'bad_json':
      case undefined:
        break;
    }

    const asyncMethod = deps.asyncMethods[method];
    const result = asyncMethod ? await asyncMethod(params, res) : bot.call(method, params);
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
  return { handle, runReply };
}
