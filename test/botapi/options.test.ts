/**
 * `createBotApi` and its per-call options are strict: an unknown key is a TypeError with the near name
 * (`apiroot` used to be ignored, and the call went to api.telegram.org with the token), a wrong value
 * says what it must be and what it got, and no error ever holds the token.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBotApi, type BotApiOptions, type FetchLike } from '../../src/botapi/index.js';
import { createResilience } from '../../src/engine/resilience.js';
import { sendJson, startScriptServer, type ScriptServer } from './script-server.js';
import { expectNoToken, rejectionOf, TOKEN, TOKEN_SECRET_HALF } from './token-leak.js';

let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

const MAX = 2 ** 31 - 1;

function thrownBy(options: unknown): TypeError {
  try {
    createBotApi(options as BotApiOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError;
  }
  throw new Error('accepted');
}

describe('createBotApi options', () => {
  const ok = { token: TOKEN };
  it.each<[string, unknown, string]>([
    ['a typo of apiRoot', { token: TOKEN, apiroot: 'http://127.0.0.1:1' }, 'unknown option `apiroot` (did you mean `apiRoot`?)'],
    ['a typo of timeoutMs', { token: TOKEN, timeoutMS: 5 }, 'unknown option `timeoutMS` (did you mean `timeoutMs`?)'],
    ['a typo of token', { tokn: TOKEN }, 'unknown option `tokn` (did you mean `token`?)'],
    ['an unknown key', { token: TOKEN, proxy: 'x' }, 'unknown option `proxy` (known: token, apiRoot, resilience, timeoutMs, fetch)'],
    ['no options', undefined, "option `token` is required: a non-empty string without whitespace, '/', '?', '#' or '%'"],
    ['no token', {}, "option `token` is required: a non-empty string without whitespace, '/', '?', '#' or '%'"],
    ['options not an object', TOKEN, 'options must be an object, got a string'],
    ['an empty token', { token: '' }, "option `token` must be a non-empty string without whitespace, '/', '?', '#' or '%', got a string"],
    ['a number for the token', { token: 12345 }, "option `token` must be a non-empty string without whitespace, '/', '?', '#' or '%', got a number"],
    ['a token with a space', { token: `${TOKEN} ` }, "option `token` must be a non-empty string without whitespace, '/', '?', '#' or '%', got a string"],
    ['a token with a slash', { token: `${TOKEN}/x` }, "option `token` must be a non-empty string without whitespace, '/', '?', '#' or '%', got a string"],
    ['apiRoot not a URL', { ...ok, apiRoot: 'api.telegram.org' }, 'option `apiRoot` must be an http(s) URL without query, fragment or credentials, got "api.telegram.org"'],
    ['apiRoot ftp', { ...ok, apiRoot: 'ftp://x' }, 'option `apiRoot` must be an http(s) URL without query, fragment or credentials, got "ftp://x"'],
    ['apiRoot with a query', { ...ok, apiRoot: 'https://x/?a=1' }, 'option `apiRoot` must be an http(s) URL without query, fragment or credentials, got "https://x/?a=1"'],
    ['apiRoot with credentials', { ...ok, apiRoot: 'https://u:p@x' }, 'option `apiRoot` must be an http(s) URL without query, fragment or credentials, got "https://u:p@x"'],
    ['apiRoot a number', { ...ok, apiRoot: 42 }, 'option `apiRoot` must be an http(s) URL without query, fragment or credentials, got 42'],
    ['apiRoot with the token pasted in', { ...ok, apiRoot: `https://x/${TOKEN}?a=1` }, 'option `apiRoot` must be an http(s) URL without query, fragment or credentials, got "https://x/<secret>?a=1"'],
    ['apiRoot with the secret half pasted in', { ...ok, apiRoot: `ftp://x/${TOKEN_SECRET_HALF}` }, 'option `apiRoot` must be an http(s) URL without query, fragment or credentials, got "ftp://x/<secret>"'],
    ['resilience without call', { ...ok, resilience: {} }, 'option `resilience` must be a resilience engine with call(fn, info), such as createResilience(), got an object'],
    ['timeoutMs 0', { ...ok, timeoutMs: 0 }, `option \`timeoutMs\` must be a number of milliseconds > 0 and <= ${MAX}, got 0`],
    ['timeoutMs NaN', { ...ok, timeoutMs: NaN }, `option \`timeoutMs\` must be a number of milliseconds > 0 and <= ${MAX}, got NaN`],
    ['timeoutMs too long for a timer', { ...ok, timeoutMs: 2 ** 31 }, `option \`timeoutMs\` must be a number of milliseconds > 0 and <= ${MAX}, got ${2 ** 31}`],
    ['timeoutMs a string', { ...ok, timeoutMs: '100' }, `option \`timeoutMs\` must be a number of milliseconds > 0 and <= ${MAX}, got "100"`],
    ['fetch not a function', { ...ok, fetch: 'fetch' }, 'option `fetch` must be a function, got "fetch"'],
  ])('%s: a TypeError naming it, without the token', (_, options, words) => {
    const error = thrownBy(options);
    expect(error.message).toBe(`createBotApi: ${words}`);
    expectNoToken(error);
  });

  it('with `apiroot` nothing is sent anywhere', () => {
    let fetched = 0;
    const fetch: FetchLike = async () => {
      fetched++;
      return { status: 200, statusText: 'OK', text: async () => '{"ok":true,"result":true}' };
    };
    expect(() => createBotApi({ token: TOKEN, apiroot: server.url, fetch } as never)).toThrow(TypeError);
    expect(fetched).toBe(0);
  });

  it('accepts a full valid set, and calls through it', async () => {
    const resilience = createResilience();
    let fetched = 0;
    const api = createBotApi({
      token: TOKEN,
      apiRoot: `${server.url}/`,
      resilience,
      timeoutMs: 1_000.5,
      fetch: (url, init) => {
        fetched++;
        return fetch(url, init);
      },
    } satisfies Required<BotApiOptions>);
    server.script(sendJson(200, { ok: true, result: { id: 1 } }));
    await expect(api.call('getMe')).resolves.toEqual({ id: 1 });
    expect(server.requests[0]!.url).toBe(`/bot${TOKEN}/getMe`);
    expect(fetched).toBe(1);
    await resilience.close();
  });
});

describe('per-call options of call and raw', () => {
  const api = () => createBotApi({ token: TOKEN, apiRoot: server.url, resilience: createResilience() });
  it.each<['call' | 'raw', unknown, string]>([
    ['call', { signl: new AbortController().signal }, 'createBotApi: call: unknown option `signl` (did you mean `signal`?)'],
    ['call', { idempotnt: true }, 'createBotApi: call: unknown option `idempotnt` (did you mean `idempotent`?)'],
    ['call', { signal: { aborted: false } }, 'createBotApi: call: option `signal` must be an AbortSignal, got an object'],
    ['call', { idempotent: 'yes' }, 'createBotApi: call: option `idempotent` must be a boolean, got "yes"'],
    ['call', 5, 'createBotApi: call: options must be an object, got 5'],
    ['raw', { idempotent: true }, 'createBotApi: raw: unknown option `idempotent` (known: signal)'],
    ['raw', { signal: 'stop' }, 'createBotApi: raw: option `signal` must be an AbortSignal, got "stop"'],
  ])('%s(%j) rejects (never throws), and sends nothing', async (method, options, words) => {
    const client = api();
    let result: Promise<unknown> | undefined;
    expect(() => (result = client[method]('getMe', {}, options as never))).not.toThrow();
    const error = await rejectionOf(result!);
    expect(error).toEqual(new TypeError(words));
    expectNoToken(error);
    expect(server.requests).toHaveLength(0);
  });

  it('accepts all of them', async () => {
    const client = api();
    server.script(sendJson(200, { ok: true, result: 1 }), sendJson(200, { ok: true, result: 2 }));
    const { signal } = new AbortController();
    await expect(client.call('getChat', { chat_id: 1 }, { signal, idempotent: true })).resolves.toBe(1);
    await expect(client.raw('getChat', { chat_id: 1 }, { signal })).resolves.toBe(2);
  });
});
