import { getEventListeners } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBotApi, type BotApi, type FetchLike } from '../../src/botapi/index.js';
import { NetworkError, TimedOut } from '../../src/errors/telegram-error.js';
import {
  closedPort,
  destroySocket,
  hang,
  partialBody,
  sendJson,
  startScriptServer,
  type ScriptServer,
} from './script-server.js';
import { TOKEN, expectNoToken, rejectionOf } from './token-leak.js';

let server: ScriptServer;
const TIMEOUT_MS = 200;

/**
 * The real-server cases run on both transports: the client's default (node:http keep-alive) and
 * Node's global fetch (undici) passed as `fetch`, so each one's real error shapes are classified
 * the same way.
 */
const TRANSPORTS: Array<[string, FetchLike | undefined]> = [
  ['the default transport (node:http)', undefined],
  ["Node's global fetch (undici)", globalThis.fetch as FetchLike],
];

beforeAll(async () => {
  server = await startScriptServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

/** Polls (real time, 5 ms steps, 2 s at most) until `done()` is true. */
async function until(done: () => boolean): Promise<void> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > 2_000) throw new Error('condition not met within 2 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Error codes found along `cause` / `errors` of `error`. */
function codesIn(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 6 && typeof current === 'object' && current !== null; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

for (const [transport, fetch] of TRANSPORTS) {
  const withFetch = fetch ? { fetch } : {};
  const api = (): BotApi => createBotApi({ ...withFetch, token: TOKEN, apiRoot: server.url, timeoutMs: TIMEOUT_MS });

  describe(`connection failures against a real server, ${transport}`, () => {
    it('socket destroyed before answering -> NetworkError, maybeDelivered true', async () => {
      server.script(destroySocket);
      const error = await rejectionOf(api().raw('sendMessage', { chat_id: 1, text: 'x' }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).not.toBeInstanceOf(TimedOut);
      expect(error).toMatchObject({ method: 'sendMessage', maybeDelivered: true, error_code: undefined });
      expect((error as NetworkError).cause).toBeDefined();
      expectNoToken(error);
    });

    it('body cut off mid-stream -> NetworkError, maybeDelivered true', async () => {
      server.script(partialBody('{"ok":true,"result":{"mess', 'destroy'));
      const error = await rejectionOf(api().raw('sendMessage', { chat_id: 1, text: 'x' }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).not.toBeInstanceOf(TimedOut);
      expect((error as NetworkError).maybeDelivered).toBe(true);
      expect((error as NetworkError).message).toContain('reading the response');
      expectNoToken(error);
    });

    it('connection refused (a closed port) -> NetworkError, maybeDelivered false', async () => {
      const port = await closedPort();
      const refused = createBotApi({ ...withFetch, token: TOKEN, apiRoot: `http://127.0.0.1:${port}`, timeoutMs: 5_000 });
      const error = await rejectionOf(refused.raw('sendMessage', { chat_id: 1, text: 'x' }));
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).maybeDelivered).toBe(false);
      expect(codesIn(error)).toContain('ECONNREFUSED');
      expect((error as NetworkError).message).toContain('ECONNREFUSED');
      expectNoToken(error);
    });
  });

  describe(`timeouts and aborts against a real server, ${transport}`, () => {
    it('a hang -> TimedOut after timeoutMs, maybeDelivered true', async () => {
      server.script(hang);
      const started = performance.now();
      const error = await rejectionOf(api().raw('sendMessage', { chat_id: 1, text: 'x' }));
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(TimedOut);
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ name: 'TimedOut', method: 'sendMessage', maybeDelivered: true });
      expect((error as TimedOut).message).toContain(`${TIMEOUT_MS} ms`);
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 1_000);
      expect(server.requests).toHaveLength(1);
      expectNoToken(error);
    });

    it('a hang while the body is being read -> TimedOut', async () => {
      server.script(partialBody('{"ok":true,', 'hang'));
      const error = await rejectionOf(api().raw('getMe'));
      expect(error).toBeInstanceOf(TimedOut);
      expect((error as TimedOut).maybeDelivered).toBe(true);
      expectNoToken(error);
    });

    it('caller abort during a hang rejects with signal.reason itself, within 100 ms', async () => {
      const slow = createBotApi({ ...withFetch, token: TOKEN, apiRoot: server.url, timeoutMs: 10_000 });
      server.script(hang);
      const controller = new AbortController();
      const reason = new Error('caller gave up');
      const pending = rejectionOf(slow.raw('sendMessage', { chat_id: 1, text: 'x' }, { signal: controller.signal }));
      await until(() => server.requests.length === 1);
      const abortedAt = performance.now();
      controller.abort(reason);
      const error = await pending;
      // Far sooner than the server would answer (a busy machine may take a while, never that long).
      expect(performance.now() - abortedAt).toBeLessThan(2_000);
      expect(error).toBe(reason);
    });

    it('with a caller signal that never aborts, the timeout still gives TimedOut', async () => {
      server.script(hang);
      const controller = new AbortController();
      const error = await rejectionOf(api().raw('getMe', undefined, { signal: controller.signal }));
      expect(error).toBeInstanceOf(TimedOut);
      expectNoToken(error);
    });



    it('a request after a timed-out one still works (nothing left half-open in the client)', async () => {
      server.script(hang, sendJson(200, { ok: true, result: 'second' }));
      const client = api();
      await expect(client.raw('getMe')).rejects.toBeInstanceOf(TimedOut);
      await expect(client.raw('getMe')).resolves.toBe('second');
    });
  });
}

describe('timeouts and aborts with an injected fetch', () => {
  it('when the caller aborted too by the time the failure is handled, the caller reason wins', async () => {
    const controller = new AbortController();
    const reason = new Error('caller');
    // Rejects only once our timeout fired, after aborting the caller's signal as well.
    const racing: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal.addEventListener('abort', () => {
          controller.abort(reason);
          reject(init.signal.reason);
        });
      });
    const client = createBotApi({ token: TOKEN, fetch: racing, timeoutMs: 30 });
    await expect(client.raw('getMe', undefined, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('an already aborted signal rejects with its reason and sends nothing', async () => {
    const reason = new Error('too late');
    const api = createBotApi({ token: TOKEN, apiRoot: server.url, timeoutMs: TIMEOUT_MS });
    const error = await rejectionOf(api.raw('getMe', undefined, { signal: AbortSignal.abort(reason) }));
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(0);
  });

  it('an abort takes effect even when the fetch implementation ignores the signal', async () => {
    const deaf: FetchLike = () => new Promise(() => {});
    const client = createBotApi({ token: TOKEN, apiRoot: server.url, fetch: deaf, timeoutMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = rejectionOf(client.raw('getMe', undefined, { signal: controller.signal }));
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).resolves.toBe(reason);
  });

  it('the timeout takes effect even when the fetch implementation ignores the signal', async () => {
    const deaf: FetchLike = () => new Promise(() => {});
    const client = createBotApi({ token: TOKEN, apiRoot: server.url, fetch: deaf, timeoutMs: 50 });
    const error = await rejectionOf(client.raw('getMe'));
    expect(error).toBeInstanceOf(TimedOut);
    expectNoToken(error);
  });
});

describe('what a request leaves behind', () => {
  it('a caller signal shared by many requests carries one listener of ours while they run, none after', async () => {
    const answered: Array<() => void> = [];
    const later: FetchLike = () =>
      new Promise((resolve) => answered.push(() => resolve({ status: 200, statusText: 'OK', text: async () => '{"ok":true,"result":1}' })));
    const client = createBotApi({ token: TOKEN, fetch: later, timeoutMs: 60_000 });
    const shared = new AbortController();
    const calls = Array.from({ length: 20 }, () => client.raw('getMe', undefined, { signal: shared.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    for (const answer of answered) answer();
    await expect(Promise.all(calls)).resolves.toEqual(Array(20).fill(1));
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });
});

/** A fetch that rejects like undici does: `TypeError('fetch failed', { cause })`. */
function failingFetch(cause: unknown): FetchLike {
  return () => Promise.reject(new TypeError('fetch failed', { cause }));
}

function systemError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe('which fetch failures may have delivered the request', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['ECONNREFUSED', systemError('ECONNREFUSED', 'connect ECONNREFUSED 149.154.167.220:443'), false],
    ['ENOTFOUND', systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.telegram.org'), false],
    ['EAI_AGAIN', systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.telegram.org'), false],
    ['UND_ERR_CONNECT_TIMEOUT', systemError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), false],
    [
      'AggregateError of refusals (happy eyeballs)',
      Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], ''), {
        code: 'ECONNREFUSED',
      }),
      false,
    ],
    [
      'AggregateError mixing a refusal and a reset',
      new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNRESET')], 'many'),
      true,
    ],
    ['ECONNRESET', systemError('ECONNRESET', 'read ECONNRESET'), true],
    ['UND_ERR_SOCKET', systemError('UND_ERR_SOCKET', 'other side closed'), true],
    ['EPIPE', systemError('EPIPE', 'write EPIPE'), true],
    ['an error without a code', new Error('something odd'), true],
  ];
  for (const [label, cause, maybeDelivered] of cases) {
    it(`${label} -> NetworkError, maybeDelivered ${maybeDelivered}`, async () => {
      const client = createBotApi({ token: TOKEN, fetch: failingFetch(cause) });
      const error = await rejectionOf(client.raw('sendMessage', { chat_id: 1, text: 'x' }));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).not.toBeInstanceOf(TimedOut);
      expect((error as NetworkError).maybeDelivered).toBe(maybeDelivered);
      expect(((error as NetworkError).cause as Error).cause).toBe(cause);
      expectNoToken(error);
    });
  }

  it('a fetch that throws synchronously is handled like a rejection', async () => {
    const throwing: FetchLike = () => {
      throw systemError('ECONNREFUSED');
    };
    const client = createBotApi({ token: TOKEN, fetch: throwing });
    const error = await rejectionOf(client.raw('getMe'));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).maybeDelivered).toBe(false);
  });

  it('a body that fails to read is maybeDelivered even with a connect-phase code', async () => {
    const fetchWithBadBody: FetchLike = async () => ({
      status: 200,
      statusText: 'OK',
      text: () => Promise.reject(new TypeError('terminated', { cause: systemError('ECONNREFUSED') })),
    });
    const client = createBotApi({ token: TOKEN, fetch: fetchWithBadBody });
    const error = await rejectionOf(client.raw('getMe'));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).maybeDelivered).toBe(true);
  });
});
