import { describe, expect, it } from 'vitest';
import { createBotApi, type FetchLike } from '../../src/botapi/index.js';
import { scrubSecret, tokenSpellings } from '../../src/errors/scrub-token.js';
import { NetworkError, TimedOut } from '../../src/errors/telegram-error.js';
import { TOKEN, TOKEN_SECRET_HALF, expectNoToken, rejectionOf, visibleText } from './token-leak.js';

const URL_WITH_TOKEN = `https://api.telegram.org/bot${TOKEN}/sendMessage`;

/** An undici-like failure that spells the token in every place we can think of, with a cycle. */
function leakyFailure(): TypeError {
  const socketError = Object.assign(new Error(`other side closed while talking to ${URL_WITH_TOKEN}`), {
    code: 'UND_ERR_SOCKET',
    url: URL_WITH_TOKEN,
    details: { request: { path: `/bot${encodeURIComponent(TOKEN)}/sendMessage` } },
  });
  socketError.stack = `Error: boom ${TOKEN}\n    at leak (${URL_WITH_TOKEN})`;
  const many = new AggregateError([new Error(`inner ${TOKEN_SECRET_HALF}`), socketError], `several ${TOKEN}`);
  const top = new TypeError(`fetch failed for ${URL_WITH_TOKEN}`, { cause: many });
  Object.defineProperty(top, 'hidden', { value: `not enumerable ${TOKEN}`, enumerable: false, writable: true });
  (socketError as { cause?: unknown }).cause = top; // a cycle back to the top
  return top;
}

describe('the token never leaks', () => {
  it('is scrubbed from the message, stack, causes, AggregateError#errors and their properties', async () => {
    const failure = leakyFailure();
    expect(visibleText(failure)).toContain(TOKEN); // the fixture really leaks before scrubbing
    const client = createBotApi({ token: TOKEN, fetch: () => Promise.reject(failure) });
    const error = await rejectionOf(client.raw('sendMessage', { chat_id: 1, text: 'x' }));
    expect(error).toBeInstanceOf(NetworkError);
    expectNoToken(error);
    // The rest of the text survives, with a placeholder where the token was.
    const cause = (error as NetworkError).cause as TypeError;
    expect(cause).toBe(failure);
    expect(cause.message).toBe('fetch failed for https://api.telegram.org/bot<token>/sendMessage');
    expect((cause as unknown as { hidden: string }).hidden).toBe('not enumerable <token>');
    const inner = (cause.cause as AggregateError).errors[0] as Error;
    expect(inner.message).toBe('inner <token>');
  });

  it('is scrubbed from a timeout whose cause mentions it', async () => {
    const fetchThatTimesOut: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(new Error(`aborted ${URL_WITH_TOKEN}`)));
      });
    const client = createBotApi({ token: TOKEN, fetch: fetchThatTimesOut, timeoutMs: 20 });
    const error = await rejectionOf(client.raw('getMe'));
    expect(error).toBeInstanceOf(TimedOut);
    expectNoToken(error);
  });

  it('is scrubbed from a body-read failure', async () => {
    const client = createBotApi({
      token: TOKEN,
      fetch: async () => ({
        status: 200,
        statusText: 'OK',
        text: () => Promise.reject(new TypeError(`terminated ${TOKEN}`)),
      }),
    });
    const error = await rejectionOf(client.raw('getMe'));
    expect(error).toBeInstanceOf(NetworkError);
    expectNoToken(error);
  });

  it('is scrubbed from an HTML page echoing the URL', async () => {
    const client = createBotApi({
      token: TOKEN,
      fetch: async () => ({ status: 502, statusText: 'Bad Gateway', text: async () => `<h1>${URL_WITH_TOKEN}</h1>` }),
    });
    const error = await rejectionOf(client.raw('getMe'));
    expectNoToken(error);
  });

  it('is never in the message of a rejected method name', async () => {
    const client = createBotApi({ token: TOKEN });
    const error = await rejectionOf(client.raw(`send/${TOKEN}`));
    expect(error).toBeInstanceOf(TypeError);
    expectNoToken(error);
  });

  it('the caller abort reason is passed through untouched (it is the caller’s own object)', async () => {
    const reason = new Error(`caller wrote ${TOKEN}`);
    const client = createBotApi({ token: TOKEN, fetch: () => new Promise(() => {}) });
    const controller = new AbortController();
    const pending = client.raw('getMe', undefined, { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(reason.message).toBe(`caller wrote ${TOKEN}`);
  });
});

describe('scrubSecret', () => {
  it('replaces every spelling, longest first', () => {
    const error = new Error(`${TOKEN} ${encodeURIComponent(TOKEN)} ${TOKEN_SECRET_HALF}`);
    scrubSecret(error, tokenSpellings(TOKEN));
    expect(error.message).toBe('<token> <token> <token>');
  });

  it('does not hunt for a short secret half (it could match ordinary text)', () => {
    expect(tokenSpellings('123:abc')).toEqual(['123%3Aabc', '123:abc']);
  });

  it('survives frozen objects, throwing getters and deep chains', () => {
    const frozen = Object.freeze({ note: `frozen ${TOKEN}` });
    const error = new Error(`top ${TOKEN}`, { cause: frozen });
    Object.defineProperty(error, 'bad', {
      get() {
        throw new Error('getter');
      },
    });
    let deep: Error = error;
    for (let i = 0; i < 50; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(() => scrubSecret(deep, tokenSpellings(TOKEN))).not.toThrow();
    expect(() => scrubSecret(error, tokenSpellings(TOKEN))).not.toThrow();
    expect(error.message).toBe('top <token>');
    expect(frozen.note).toBe(`frozen ${TOKEN}`);
  });
});
