/**
 * The SDKs' errors as they really throw them: each Bot API client talks to a fake Bot API on
 * 127.0.0.1 that answers a flood, an nginx-style 502 HTML page, or nothing (closed port), and
 * `classify` must read what happened from whatever the SDK threw. Also checks that the token, which
 * these clients put in their URLs, never reaches the description.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { Api as GrammyApi } from 'grammy';
import { Transport as NtbaTransport } from 'node-telegram-bot-api';
import { Telegram as TelegrafApi } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/errors/index.js';
import type { Failure } from '../../src/errors/failure.js';
import { expectWellFormed } from './helpers.js';

process.env.NTBA_FIX_319 = '1'; // silences ntba 0.x's promise-cancellation deprecation notice
const require = createRequire(import.meta.url);
const Ntba0Bot = require('node-telegram-bot-api-0') as new (
  token: string,
  options: { baseApiUrl: string; polling: false },
) => { sendMessage(chatId: number, text: string): Promise<unknown> };

const TOKEN = '987654321:AAFakeTokenForTestsOnly_abcdefghijklmn';

type Scenario = 'flood' | 'html502' | 'html404';

/** A fake Bot API: `/<scenario>/bot<token>/<method>`. */
function fakeBotApi(): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/flood/')) {
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 13', parameters: { retry_after: 13 } }));
      } else if (req.url?.startsWith('/html404/')) {
        // A wrong api root, or a proxy that does not know the path: its own page, not Telegram's.
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html><head><title>404 Not Found</title></head><body><center>nginx</center></body></html>');
      } else {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>');
      }
    });
  });
}

let server: http.Server;
let base: string;
let deadRoot: string;

beforeAll(async () => {
  server = fakeBotApi();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadRoot = `http://127.0.0.1:${(probe.address() as net.AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Runs one send through an SDK client and classifies what it threw. */
type Send = (apiRoot: string) => Promise<unknown>;

async function failureOf(send: Send, apiRoot: string): Promise<Failure> {
  let thrown: unknown = undefined;
  try {
    await send(apiRoot);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'the SDK call should have failed').toBeDefined();
  const failure = classify(thrown);
  expectWellFormed(failure, thrown);
  expect(failure.description ?? '').not.toContain(TOKEN.split(':')[1]);
  return failure;
}

const clients: Array<[string, Send]> = [
  ['grammY', (root) => new GrammyApi(TOKEN, { apiRoot: root }).sendMessage(1, 'hi')],
  // telegraf resolves `./bot<token>/...` against apiRoot as a URL: keep the path with a trailing slash.
  ['telegraf', (root) => new TelegrafApi(TOKEN, { apiRoot: `${root}/` }).sendMessage(1, 'hi')],
  ['node-telegram-bot-api 0.x', (root) => new Ntba0Bot(TOKEN, { baseApiUrl: root, polling: false }).sendMessage(1, 'hi')],
  [
    'node-telegram-bot-api 2.x',
    (root) => new NtbaTransport(TOKEN, { apiRoot: root, maxRetries: 0 }).request('sendMessage', { chat_id: 1, text: 'hi' }),
  ],
];

const at = (scenario: Scenario) => `${base}/${scenario}`;

describe.each(clients)('%s against a fake Bot API', (_name, send) => {
  it('a 429 answer is a flood with retry_after in ms', async () => {
    expect(await failureOf(send, at('flood'))).toMatchObject({ kind: 'flood', retryAfterMs: 13_000, maybeDelivered: false });
  });

  it('an nginx 502 HTML page is a server failure, maybe delivered', async () => {
    expect(await failureOf(send, at('html502'))).toMatchObject({ kind: 'server', maybeDelivered: true });
  });

  it('an nginx 404 HTML page (wrong api root) is not_found where the SDK keeps the status', async () => {
    const failure = await failureOf(send, at('html404'));
    // grammY and telegraf (node-fetch's "invalid json response body") and ntba 2.x (ParseError) drop
    // the HTTP status: such a page cannot be told from a 502 one. ntba 0.x keeps `response.statusCode`.
    if (_name === 'node-telegram-bot-api 0.x') expect(failure).toMatchObject({ kind: 'not_found', code: 404, maybeDelivered: false });
    else expect(failure).toMatchObject({ kind: 'server', maybeDelivered: true });
  });

  it('a closed port is a network failure that surely never left', async () => {
    expect(await failureOf(send, deadRoot)).toMatchObject({ kind: 'network', type: 'ECONNREFUSED', maybeDelivered: false });
  });
});
