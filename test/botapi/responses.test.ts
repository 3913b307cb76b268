import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBotApi, type BotApi } from '../../src/botapi/index.js';
import {
  BadRequest,
  ChatMigrated,
  Conflict,
  Forbidden,
  InvalidServerResponse,
  InvalidToken,
  isTelegramError,
  NetworkError,
  RetryAfter,
  TelegramError,
  TimedOut,
} from '../../src/errors/telegram-error.js';
import { classify } from '../../src/errors/classify.js';
import { sendJson, sendText, startScriptServer, type Handler, type ScriptServer } from './script-server.js';
import { TOKEN, expectNoToken, rejectionOf } from './token-leak.js';

let server: ScriptServer;
let api: BotApi;

beforeAll(async () => {
  server = await startScriptServer();
  api = createBotApi({ token: TOKEN, apiRoot: server.url, timeoutMs: 5_000 });
});
afterEach(() => server.reset());
afterAll(() => server.close());

async function failWith(handler: Handler, method = 'sendMessage'): Promise<TelegramError> {
  server.script(handler);
  const error = await rejectionOf(api.raw(method, { chat_id: 1, text: 'hi' }));
  expect(isTelegramError(error)).toBe(true);
  expect(error).toBeInstanceOf(TelegramError);
  expectNoToken(error);
  return error as TelegramError;
}

describe('successful answers', () => {
  it('resolves with `result`', async () => {
    server.script(sendJson(200, { ok: true, result: { message_id: 42, text: 'hi' } }));
    await expect(api.raw('sendMessage', { chat_id: 1, text: 'hi' })).resolves.toEqual({ message_id: 42, text: 'hi' });
  });

  it('resolves with a falsy `result` as is', async () => {
    server.script(sendJson(200, { ok: true, result: false }));
    await expect(api.raw('deleteMessage', { chat_id: 1, message_id: 2 })).resolves.toBe(false);
  });
});

describe('Telegram error answers', () => {
  it('429 with retry_after -> RetryAfter(retry_after)', async () => {
    const parameters = { retry_after: 5 };
    const error = await failWith(
      sendJson(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters }),
    );
    expect(error).toBeInstanceOf(RetryAfter);
    expect((error as RetryAfter).retryAfter).toBe(5);
    expect(error).toMatchObject({
      name: 'RetryAfter',
      method: 'sendMessage',
      error_code: 429,
      description: 'Too Many Requests: retry after 5',
      parameters,
    });
    expect(error.message).toContain('Too Many Requests: retry after 5');
    expect(error.message).toContain('sendMessage');
    expect(error.stack?.split('\n')[0]).toBe(`RetryAfter: ${error.message}`);
  });

  it('retry_after wins over the number in the text', async () => {
    const error = await failWith(
      sendJson(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 99', parameters: { retry_after: 3 } }),
    );
    expect((error as RetryAfter).retryAfter).toBe(3);
  });

  it('429 without retry_after -> RetryAfter read from the text, parameters kept', async () => {
    const parameters = { something: 'else' };
    const error = await failWith(
      sendJson(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters }),
    );
    expect(error).toBeInstanceOf(RetryAfter);
    expect((error as RetryAfter).retryAfter).toBe(7);
    expect(error.parameters).toEqual(parameters);
    expect(error.error_code).toBe(429);
  });

  it('429 with neither retry_after nor a number -> RetryAfter(1)', async () => {
    const error = await failWith(sendJson(429, { ok: false, error_code: 429, description: 'Too Many Requests' }));
    expect(error).toBeInstanceOf(RetryAfter);
    expect((error as RetryAfter).retryAfter).toBe(1);
  });

  it('a negative retry_after is not trusted', async () => {
    const error = await failWith(
      sendJson(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 4', parameters: { retry_after: -10 } }),
    );
    expect((error as RetryAfter).retryAfter).toBe(4);
  });

  it('400 with migrate_to_chat_id -> ChatMigrated(newChatId)', async () => {
    const description = 'Bad Request: group chat was upgraded to a supergroup chat';
    const parameters = { migrate_to_chat_id: -1001234567890 };
    const error = await failWith(sendJson(400, { ok: false, error_code: 400, description, parameters }));
    expect(error).toBeInstanceOf(ChatMigrated);
    expect((error as ChatMigrated).newChatId).toBe(-1001234567890);
    expect(error).toMatchObject({ method: 'sendMessage', error_code: 400, description, parameters });
    expect(error.message).toContain(description);
  });

  const plain: Array<[number, string, new (...args: never[]) => TelegramError, string]> = [
    [400, 'Bad Request: chat not found', BadRequest, 'BadRequest'],
    [401, 'Unauthorized', InvalidToken, 'InvalidToken'],
    [403, 'Forbidden: bot was blocked by the user', Forbidden, 'Forbidden'],
    [409, 'Conflict: terminated by other getUpdates request', Conflict, 'Conflict'],
  ];
  for (const [code, description, Class, name] of plain) {
    it(`${code} -> ${name}`, async () => {
      const error = await failWith(sendJson(code, { ok: false, error_code: code, description }));
      expect(error).toBeInstanceOf(Class);
      expect(error.constructor).toBe(Class);
      expect(error).toMatchObject({ name, method: 'sendMessage', error_code: code, description });
      expect(error.parameters).toBeUndefined();
      expect(error.maybeDelivered).toBeUndefined();
      expect(error.message).toBe(`sendMessage failed: ${description}`);
      expect(error.stack?.split('\n')[0]).toBe(`${name}: ${error.message}`);
    });
  }

  it('404 -> the TelegramError base class with error_code 404', async () => {
    const error = await failWith(sendJson(404, { ok: false, error_code: 404, description: 'Not Found' }), 'noSuchMethod');
    expect(error.constructor).toBe(TelegramError);
    expect(error).toMatchObject({ method: 'noSuchMethod', error_code: 404, description: 'Not Found' });
    expect(error.message).toContain('noSuchMethod');
  });

  it('another code (420) -> the TelegramError base class', async () => {
    const error = await failWith(sendJson(420, { ok: false, error_code: 420, description: 'Flood' }));
    expect(error.constructor).toBe(TelegramError);
    expect(error.error_code).toBe(420);
  });

  it('the body error_code wins over the HTTP status; the status fills in when it is missing', async () => {
    const fromBody = await failWith(sendJson(200, { ok: false, error_code: 403, description: 'Forbidden: x' }));
    expect(fromBody).toBeInstanceOf(Forbidden);
    const fromStatus = await failWith(sendJson(400, { ok: false, description: 'Bad Request: y' }));
    expect(fromStatus).toBeInstanceOf(BadRequest);
    expect(fromStatus.error_code).toBe(400);
  });

  it('500 JSON -> NetworkError with error_code, maybeDelivered true', async () => {
    const error = await failWith(sendJson(500, { ok: false, error_code: 500, description: 'Internal Server Error' }));
    expect(error.constructor).toBe(NetworkError);
    expect(error).not.toBeInstanceOf(TimedOut);
    expect(error).toMatchObject({ error_code: 500, description: 'Internal Server Error', maybeDelivered: true });
  });
});

describe('answers that are not Bot API responses', () => {
  it('502 HTML page -> InvalidServerResponse(502), maybeDelivered true, cause = the parse error', async () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    const error = await failWith(sendText(502, 'text/html', html));
    expect(error).toBeInstanceOf(InvalidServerResponse);
    expect(error).toMatchObject({ method: 'sendMessage', error_code: 502, maybeDelivered: true });
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(error.message).toContain('502');
  });

  it('404 HTML page (a proxy, a wrong api root) -> InvalidServerResponse(404), not delivered, classified not_found', async () => {
    const html = '<html><head><title>404 Not Found</title></head><body>nginx</body></html>';
    const error = await failWith(sendText(404, 'text/html', html));
    expect(error).toBeInstanceOf(InvalidServerResponse);
    expect(error).toMatchObject({ method: 'sendMessage', error_code: 404, maybeDelivered: false });
    expect(classify(error)).toMatchObject({ kind: 'not_found', code: 404, maybeDelivered: false });
    // The same page with a 502 stays Telegram's side failing.
    expect(classify(await failWith(sendText(502, 'text/html', html)))).toMatchObject({ kind: 'server', code: 502, maybeDelivered: true });
  });

  it('truncated JSON -> InvalidServerResponse with the HTTP status', async () => {
    const error = await failWith(sendText(200, 'application/json', '{"ok":true,"result":{"message_id":4'));
    expect(error).toBeInstanceOf(InvalidServerResponse);
    expect(error).toMatchObject({ error_code: 200, maybeDelivered: true });
  });

  for (const [label, body] of [
    ['an array', '[1,2]'],
    ['an object without ok', '{"hello":"world"}'],
    ['ok:true without result', '{"ok":true}'],
    ['a non-numeric error_code', '{"ok":false,"error_code":"400"}'],
    ['an empty body', ''],
  ] as const) {
    it(`${label} -> InvalidServerResponse`, async () => {
      const error = await failWith(sendText(200, 'application/json', body));
      expect(error).toBeInstanceOf(InvalidServerResponse);
      expect(error).toMatchObject({ error_code: 200, maybeDelivered: true });
    });
  }
});

describe('token in the answer', () => {
  it('a description echoing the token is scrubbed', async () => {
    const description = `Bad Request: token ${TOKEN} is wrong; ${encodeURIComponent(TOKEN)}`;
    const error = await failWith(sendJson(400, { ok: false, error_code: 400, description, parameters: { echo: TOKEN } }));
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.description).toBe('Bad Request: token <token> is wrong; <token>');
    expect(error.parameters?.echo).toBe('<token>');
  });
});
