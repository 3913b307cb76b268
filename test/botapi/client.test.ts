import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBotApi, type FetchLike, type FetchRequestInit } from '../../src/botapi/index.js';
import type { Attempt, AttemptFn, CallInfo } from '../../src/core/call.js';
import { RetryAfter } from '../../src/errors/telegram-error.js';
import { hang, sendJson, startScriptServer, type ScriptServer } from './script-server.js';
import { TOKEN, rejectionOf } from './token-leak.js';

let server: ScriptServer;

beforeAll(async () => {
  server = await startScriptServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

describe('the request', () => {
  it('is one JSON POST to {apiRoot}/bot{token}/{method}', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: server.url });
    server.script(sendJson(200, { ok: true, result: { message_id: 1 } }));
    const params = { chat_id: -100123, text: 'héllo ✓', reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'b' }]] } };
    await api.raw('sendMessage', params);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/bot${TOKEN}/sendMessage`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(params);
  });

  it('sends {} when there are no params', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: server.url });
    server.script(sendJson(200, { ok: true, result: { id: 5, is_bot: true } }));
    await expect(api.raw('getMe')).resolves.toEqual({ id: 5, is_bot: true });
    expect(server.requests[0]?.body).toBe('{}');
  });

  it('keeps a path prefix of apiRoot and ignores its trailing slash', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: `${server.url}/telegram/` });
    server.script(sendJson(200, { ok: true, result: true }));
    await api.raw('getMe');
    expect(server.requests[0]?.url).toBe(`/telegram/bot${TOKEN}/getMe`);
  });

  it('defaults apiRoot to https://api.telegram.org and uses an injected fetch', async () => {
    const seen: Array<{ url: string; init: FetchRequestInit }> = [];
    const fake: FetchLike = async (url, init) => {
      seen.push({ url, init });
      return { status: 200, statusText: 'OK', text: async () => '{"ok":true,"result":7}' };
    };
    const api = createBotApi({ token: TOKEN, fetch: fake });
    await expect(api.raw('getMe')).resolves.toBe(7);
    expect(seen.map((s) => s.url)).toEqual([`https://api.telegram.org/bot${TOKEN}/getMe`]);
    expect(seen[0]?.init.signal).toBeInstanceOf(AbortSignal);
    expect(seen[0]?.init.signal.aborted).toBe(false);
  });

  it('rejects a method name that could change the URL, without sending anything', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: server.url });
    for (const method of ['', 'send/Message', '../getMe', 'getMe?x=1', 'get Me']) {
      await expect(api.raw(method)).rejects.toBeInstanceOf(TypeError);
    }
    expect(server.requests).toHaveLength(0);
  });
});

/** A stand-in for the engine: records what it was given and runs the attempts it is told to. */
function fakeResilience(plan: (fn: AttemptFn<unknown>, info: CallInfo | undefined) => Promise<unknown>) {
  const infos: Array<CallInfo | undefined> = [];
  return {
    infos,
    call<T>(fn: AttemptFn<T>, info?: CallInfo): Promise<T> {
      infos.push(info);
      return plan(fn as AttemptFn<unknown>, info) as Promise<T>;
    },
  };
}

function attempt(number: number, info: CallInfo | undefined, overrides: Partial<Attempt> = {}): Attempt {
  return {
    method: info?.method,
    params: info?.params ? { ...info.params } : undefined,
    dc: undefined,
    number,
    signal: info?.signal ?? new AbortController().signal,
    ...overrides,
  };
}

describe('call', () => {
  it('without resilience sends exactly one request, like raw', async () => {
    const api = createBotApi({ token: TOKEN, apiRoot: server.url });
    server.script(sendJson(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }));
    await expect(api.call('sendMessage', { chat_id: 1, text: 'x' })).rejects.toBeInstanceOf(RetryAfter);
    expect(server.requests).toHaveLength(1);
  });

  it('goes through resilience.call with method, params, signal and idempotent', async () => {
    const resilience = fakeResilience(async (fn, info) => fn(attempt(1, info)));
    const api = createBotApi({ token: TOKEN, apiRoot: server.url, resilience });
    server.script(sendJson(200, { ok: true, result: 'done' }));
    const controller = new AbortController();
    const params = { chat_id: 1, text: 'x' };
    await expect(api.call('getChat', params, { signal: controller.signal, idempotent: true })).resolves.toBe('done');
    expect(resilience.infos).toEqual([{ method: 'getChat', params, signal: controller.signal, idempotent: true }]);
  });

  it('sends each attempt with the attempt params (e.g. a rewritten chat id)', async () => {
    const resilience = fakeResilience(async (fn, info) => {
      try {
        return await fn(attempt(1, info));
      } catch (error) {
        if (!(error instanceof RetryAfter)) throw error;
        return fn(attempt(2, info, { params: { ...info?.params, chat_id: -100999 } }));
      }
    });
    const api = createBotApi({ token: TOKEN, apiRoot: server.url, resilience });
    server.script(
      sendJson(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }),
      sendJson(200, { ok: true, result: { message_id: 3 } }),
    );
    await expect(api.call('sendMessage', { chat_id: 1, text: 'x' })).resolves.toEqual({ message_id: 3 });
    expect(server.requests.map((r) => JSON.parse(r.body).chat_id)).toEqual([1, -100999]);
  });

  it('passes the attempt signal to the request', async () => {
    const attemptController = new AbortController();
    const reason = new Error('engine aborted the attempt');
    const resilience = fakeResilience(async (fn, info) => {
      const pending = fn(attempt(1, info, { signal: attemptController.signal }));
      setTimeout(() => attemptController.abort(reason), 20);
      return pending;
    });
    const api = createBotApi({ token: TOKEN, apiRoot: server.url, resilience, timeoutMs: 10_000 });
    server.script(hang);
    // The caller's own signal never aborts: the abort that ends the request is the attempt's.
    const error = await rejectionOf(api.call('getMe', undefined, { signal: new AbortController().signal }));
    expect(error).toBe(reason);
  });

  it('raw never goes through resilience', async () => {
    const resilience = fakeResilience(async () => {
      throw new Error('should not be used');
    });
    const api = createBotApi({ token: TOKEN, apiRoot: server.url, resilience });
    server.script(sendJson(200, { ok: true, result: 1 }));
    await expect(api.raw('getMe')).resolves.toBe(1);
    expect(resilience.infos).toHaveLength(0);
  });

  it('call and raw work when taken off the object', async () => {
    const { call, raw } = createBotApi({ token: TOKEN, apiRoot: server.url });
    server.script(sendJson(200, { ok: true, result: 'a' }), sendJson(200, { ok: true, result: 'b' }));
    await expect(call('getMe')).resolves.toBe('a');
    await expect(raw('getMe')).resolves.toBe('b');
  });
});
