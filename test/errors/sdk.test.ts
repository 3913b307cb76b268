/**
 * Real error instances built from the real SDK packages (tests may import SDKs; the core never does).
 */
import { createRequire } from 'node:module';
import { MtTimeoutError, TransportError, tl } from '@mtcute/core';
import { GrammyError, HttpError } from 'grammy';
import {
  NetworkError as NtbaNetworkError,
  ParseError as NtbaParseError,
  TelegramApiError,
  TimeoutError as NtbaTimeoutError,
} from 'node-telegram-bot-api';
import { TelegramError as TelegrafError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/errors/index.js';
import { GRAMJS_SDKS } from '../adapters/gramjs-sdks.js';
import { expectWellFormed } from './helpers.js';

// node-telegram-bot-api 0.x ships no types; its error classes are plain CommonJS.
const require = createRequire(import.meta.url);
const ntba0 = require('node-telegram-bot-api-0/src/errors.js') as {
  TelegramError: new (message: string, response: unknown) => Error;
  FatalError: new (data: unknown) => Error;
  ParseError: new (message: string, response: unknown) => Error;
};

const flood = { ok: false as const, error_code: 429, description: 'Too Many Requests: retry after 17', parameters: { retry_after: 17 } };
const migrated = {
  ok: false as const,
  error_code: 400,
  description: 'Bad Request: group chat was upgraded to a supergroup chat',
  parameters: { migrate_to_chat_id: -1001122334455 },
};
const blocked = { ok: false as const, error_code: 403, description: 'Forbidden: bot was blocked by the user' };
const badRequest = { ok: false as const, error_code: 400, description: 'Bad Request: chat not found' };
const conflict = { ok: false as const, error_code: 409, description: 'Conflict: terminated by other getUpdates request' };
const badGateway = { ok: false as const, error_code: 502, description: 'Bad Gateway' };

/** The same six Bot API answers, checked through each SDK's own error class. */
function expectBotApiCases(wrap: (answer: typeof flood | typeof migrated | typeof blocked) => unknown): void {
  const cases: Array<[object, object]> = [
    [flood, { kind: 'flood', code: 429, retryAfterMs: 17_000, maybeDelivered: false }],
    [migrated, { kind: 'chat_migrated', migrateToChatId: -1001122334455, maybeDelivered: false }],
    [blocked, { kind: 'forbidden', code: 403, maybeDelivered: false }],
    [badRequest, { kind: 'bad_request', code: 400, maybeDelivered: false }],
    [conflict, { kind: 'conflict', code: 409, maybeDelivered: false }],
    [badGateway, { kind: 'server', code: 502, maybeDelivered: true }],
  ];
  for (const [answer, want] of cases) {
    const error = wrap(answer as typeof flood);
    const failure = classify(error);
    expect(failure, (answer as typeof flood).description).toMatchObject(want);
    expect(failure.cause).toBe(error);
    expectWellFormed(failure, error);
  }
}

describe('grammY', () => {
  it('GrammyError carries the Bot API answer', () => {
    expectBotApiCases((answer) => new GrammyError("Call to 'sendMessage' failed!", answer, 'sendMessage', { chat_id: 1 }));
  });

  it('HttpError is classified by the error it wraps', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(classify(new HttpError("Network request for 'sendMessage' failed!", refused))).toMatchObject({
      kind: 'network',
      type: 'ECONNREFUSED',
      maybeDelivered: false,
    });
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(classify(new HttpError('failed', abort))).toMatchObject({ kind: 'timeout', maybeDelivered: true });
  });

  it("HttpError around grammY's own timeout is a timeout; around anything else a network failure", () => {
    const timedOut = new Error("Request to 'sendMessage' timed out after 500 seconds");
    expect(classify(new HttpError('failed', timedOut))).toMatchObject({ kind: 'timeout', maybeDelivered: true });
    expect(classify(new HttpError('failed', new Error('stream broke')))).toMatchObject({ kind: 'network', maybeDelivered: true });
  });
});

describe('telegraf', () => {
  it('TelegramError carries the Bot API answer in `response`', () => {
    expectBotApiCases((answer) => new TelegrafError(answer, { method: 'sendMessage', payload: { chat_id: 1 } }));
  });
});

describe('node-telegram-bot-api 0.x', () => {
  it('ETELEGRAM carries the answer in response.body', () => {
    expectBotApiCases((answer) => new ntba0.TelegramError(`${answer.error_code} ${answer.description}`, { statusCode: answer.error_code, body: answer }));
  });

  it('EPARSE (an HTML page instead of JSON) is server', () => {
    const response = { statusCode: 502, body: '<html>502 Bad Gateway</html>' };
    const error = new ntba0.ParseError(`Error parsing response: ${response.body}`, response);
    expect(classify(error)).toMatchObject({ kind: 'server', code: 502, type: 'EPARSE', maybeDelivered: true });
  });

  it('EPARSE of a 404 page (a proxy, a wrong api root) is not_found, not delivered', () => {
    const response = { statusCode: 404, body: '<html>404 Not Found</html>' };
    const error = new ntba0.ParseError(`Error parsing response: ${response.body}`, response);
    expect(classify(error)).toMatchObject({ kind: 'not_found', code: 404, type: 'EPARSE', maybeDelivered: false });
  });

  it('EFATAL keeps only the text of the request error: the code is read from it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(classify(new ntba0.FatalError(refused))).toMatchObject({ kind: 'network', type: 'ECONNREFUSED', maybeDelivered: false });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classify(new ntba0.FatalError(reset))).toMatchObject({ kind: 'network', type: 'ECONNRESET', maybeDelivered: true });
    expect(classify(new ntba0.FatalError('Unsupported Buffer file-type'))).toMatchObject({ kind: 'network', maybeDelivered: true });
  });

  it('EFATAL with a cause attached looks at the cause', () => {
    const error = Object.assign(new ntba0.FatalError('x'), { cause: Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) });
    expect(classify(error)).toMatchObject({ kind: 'timeout', maybeDelivered: false });
  });
});

describe('node-telegram-bot-api 2.x', () => {
  it('TelegramApiError carries errorCode/description/parameters', () => {
    expectBotApiCases((answer) => new TelegramApiError(answer.error_code, answer.description, 'parameters' in answer ? answer.parameters : undefined));
  });

  it('NetworkError (EFETCH) looks at its cause; without one it is a network failure or the 5xx it names', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classify(new NtbaNetworkError('Network request failed: sendMessage', { cause: reset }))).toMatchObject({
      kind: 'network',
      type: 'ECONNRESET',
      maybeDelivered: true,
    });
    expect(classify(new NtbaNetworkError('Server error 502 on sendMessage'))).toMatchObject({ kind: 'server', code: 502, maybeDelivered: true });
    expect(classify(new NtbaNetworkError('No fetch implementation available'))).toMatchObject({ kind: 'network', type: 'EFETCH' });
  });

  it('TimeoutError (ETIMEOUT) is a timeout; ParseError (EPARSE) is server', () => {
    const abort = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classify(new NtbaTimeoutError('Request timed out: sendMessage', { cause: abort }))).toMatchObject({
      kind: 'timeout',
      maybeDelivered: true,
    });
    expect(classify(new NtbaParseError('Invalid JSON in response to sendMessage', { responseText: '<html>' }))).toMatchObject({
      kind: 'server',
      maybeDelivered: true,
    });
  });
});

describe.each(GRAMJS_SDKS.map((sdk) => [sdk.name, sdk.errors] as const))('GramJS (%s)', (_name, gramjs) => {
  /** GramJS builds its errors from the raw rpc_error with RPCMessageToError, exactly like this. */
  const gramjsError = (errorCode: number, errorMessage: string): Error =>
    gramjs.RPCMessageToError({ errorCode, errorMessage } as never, { className: 'messages.SendMessage' } as never);

  it('FloodWaitError (message in words, errorMessage "FLOOD") gives the exact wait from `seconds`', () => {
    const error = gramjsError(420, 'FLOOD_WAIT_31');
    expect(error.constructor.name).toBe('FloodWaitError');
    expect(classify(error)).toMatchObject({ kind: 'flood', code: 420, type: 'FLOOD_WAIT_31', retryAfterMs: 31_000, maybeDelivered: false });
  });

  it('FLOOD_PREMIUM_WAIT, SLOWMODE_WAIT and FLOOD_TEST_PHONE_WAIT are floods too', () => {
    expect(classify(gramjsError(420, 'FLOOD_PREMIUM_WAIT_6'))).toMatchObject({ kind: 'flood', retryAfterMs: 6000 });
    expect(classify(gramjsError(420, 'SLOWMODE_WAIT_9'))).toMatchObject({ kind: 'flood', retryAfterMs: 9000 });
    expect(classify(gramjsError(420, 'FLOOD_TEST_PHONE_WAIT_2'))).toMatchObject({ kind: 'flood', retryAfterMs: 2000 });
    expect(classify(gramjsError(420, 'TAKEOUT_INIT_DELAY_60'))).toMatchObject({ kind: 'flood', retryAfterMs: 60_000 });
  });

  it.each(['FILE', 'PHONE', 'USER', 'NETWORK'])('%s_MIGRATE_4 gives dc 4 (from newDc)', (prefix) => {
    expect(classify(gramjsError(303, `${prefix}_MIGRATE_4`))).toMatchObject({ kind: 'dc_migrate', dc: 4, maybeDelivered: false });
  });

  it('plain RPCErrors keep the raw name and code', () => {
    expect(classify(gramjsError(403, 'USER_IS_BLOCKED'))).toMatchObject({ kind: 'forbidden', type: 'USER_IS_BLOCKED' });
    expect(classify(gramjsError(400, 'PEER_ID_INVALID'))).toMatchObject({ kind: 'bad_request', type: 'PEER_ID_INVALID' });
    expect(classify(gramjsError(406, 'AUTH_KEY_DUPLICATED'))).toMatchObject({ kind: 'not_acceptable', maybeDelivered: false });
    expect(classify(gramjsError(500, 'RPC_CALL_FAIL'))).toMatchObject({ kind: 'server', maybeDelivered: true });
    expect(classify(gramjsError(-503, 'Timedout'))).toMatchObject({ kind: 'timeout', maybeDelivered: true });
  });

  it('MsgWaitError (a 420 "FLOOD" without a wait) is a server failure, not a flood', () => {
    expect(classify(gramjsError(400, 'MSG_WAIT_FAILED'))).toMatchObject({ kind: 'server', maybeDelivered: true });
  });

  it('the base classes: ServerError is server, TimedOutError (503 "Timeout") is timeout', () => {
    expect(classify(new gramjs.ServerError('INTERNAL', undefined as never))).toMatchObject({ kind: 'server' });
    expect(classify(new gramjs.TimedOutError('Timeout', undefined as never))).toMatchObject({ kind: 'timeout' });
  });
});

describe('mtcute', () => {
  const fromTl = (errorCode: number, errorMessage: string) => tl.RpcError.fromTl({ _: 'mt_rpc_error', errorCode, errorMessage });

  it('FLOOD_WAIT_%d with `seconds` gives the exact wait and the full raw name', () => {
    const error = fromTl(420, 'FLOOD_WAIT_23');
    expect(error.text).toBe('FLOOD_WAIT_%d');
    expect(classify(error)).toMatchObject({ kind: 'flood', code: 420, type: 'FLOOD_WAIT_23', retryAfterMs: 23_000, maybeDelivered: false });
  });

  it('FILE_MIGRATE_4 gives dc 4; STATS_MIGRATE keeps its dc in `dc`', () => {
    expect(classify(fromTl(303, 'FILE_MIGRATE_4'))).toMatchObject({ kind: 'dc_migrate', dc: 4, type: 'FILE_MIGRATE_4' });
    expect(classify(fromTl(303, 'STATS_MIGRATE_5'))).toMatchObject({ kind: 'dc_migrate', dc: 5 });
  });

  it('a raw name mtcute does not template (FLOOD_PREMIUM_WAIT_X) is read as is', () => {
    expect(classify(fromTl(420, 'FLOOD_PREMIUM_WAIT_8'))).toMatchObject({ kind: 'flood', retryAfterMs: 8000 });
  });

  it('names with a number that are not waits stay by their code', () => {
    expect(classify(fromTl(400, 'PASSWORD_TOO_FRESH_3600'))).toMatchObject({ kind: 'bad_request', type: 'PASSWORD_TOO_FRESH_3600' });
    expect(classify(fromTl(500, 'INTERDC_2_CALL_ERROR'))).toMatchObject({ kind: 'server', maybeDelivered: true });
  });

  it('its own request timeout is a timeout; a transport-level 429 is a flood', () => {
    expect(classify(new MtTimeoutError(5000))).toMatchObject({ kind: 'timeout', maybeDelivered: true });
    expect(classify(new TransportError(429))).toMatchObject({ kind: 'flood', retryAfterMs: 1000, maybeDelivered: false });
  });

  it('403, 400 and 500 via the constructor', () => {
    expect(classify(new tl.RpcError(403, 'CHAT_WRITE_FORBIDDEN'))).toMatchObject({ kind: 'forbidden', maybeDelivered: false });
    expect(classify(new tl.RpcError(400, 'PEER_ID_INVALID'))).toMatchObject({ kind: 'bad_request' });
    expect(classify(new tl.RpcError(500, 'WORKER_BUSY_TOO_LONG_RETRY'))).toMatchObject({ kind: 'server', maybeDelivered: true });
  });
});
