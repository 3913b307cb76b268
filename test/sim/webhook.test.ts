/** Webhooks against a real HTTP server on 127.0.0.1, retries on a manual clock. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { callJson } from './helpers.js';

interface Hit {
  headers: IncomingHttpHeaders;
  body: any;
}

let sim: Simulator | undefined;
let server: Server | undefined;
let clock: ManualClock;

/** A webhook receiver whose answers come from `respond` (status and optional JSON body), in turn. */
async function receiver(respond: (hit: Hit, n: number) => { status: number; json?: unknown }): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      hits.push(hit);
      const { status, json } = respond(hit, hits.length);
      res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
      res.end(json === undefined ? '' : JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits };
}

async function start(): Promise<Simulator> {
  clock = createManualClock(1_700_000_000_000);
  sim = await startSimulator({ clock, limits: false });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  sim = undefined;
  server = undefined;
});

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('condition not met');
}

const info = async (s: Simulator) => (await callJson(s, 'getWebhookInfo')).json.result;

describe('webhooks', () => {
  it('POSTs each update with the secret token, and runs a method in the answer as a webhook reply', async () => {
    const s = await start();
    const hook = await receiver((hit) => ({ status: 200, json: { method: 'sendMessage', chat_id: hit.body.message.chat.id, text: `echo ${hit.body.message.text}` } }));
    const set = await callJson(s, 'setWebhook', { url: hook.url, secret_token: 'sec_RET-1' });
    expect(set.json).toEqual({ ok: true, result: true, description: 'Webhook was set' });
    const id = s.pushUpdate({ message: { chat: { id: 42 }, text: 'hi' } });
    await waitFor(() => s.ledger().length === 1);
    expect(hook.hits).toHaveLength(1);
    expect(hook.hits[0]!.headers['x-telegram-bot-api-secret-token']).toBe('sec_RET-1');
    expect(hook.hits[0]!.headers['content-type']).toBe('application/json');
    expect(hook.hits[0]!.body).toMatchObject({ update_id: id, message: { text: 'hi', chat: { id: 42 } } });
    expect(s.ledger()).toEqual([expect.objectContaining({ chatId: 42, method: 'sendMessage', text: 'echo hi' })]);
    expect(s.requests({ method: 'sendMessage' })).toEqual([expect.objectContaining({ viaWebhookReply: true, outcome: 'ok', delivered: true })]);
    expect(await info(s)).toEqual({ url: hook.url, has_custom_certificate: false, pending_update_count: 0, max_connections: 40 });
  });

  it('keeps a failed update pending, reports the error, and retries it (in order) after the delay on the clock', async () => {
    const s = await start();
    const hook = await receiver((_hit, n) => ({ status: n === 1 ? 500 : 200 }));
    await callJson(s, 'setWebhook', { url: hook.url });
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'first' } });
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'second' } });
    await waitFor(async () => (await info(s)).last_error_message !== undefined);
    expect(await info(s)).toMatchObject({ pending_update_count: 2, last_error_message: 'Wrong response from the webhook: 500 Internal Server Error', last_error_date: 1_700_000_000 });
    expect(hook.hits).toHaveLength(1);
    await clock.advance(999);
    await new Promise((r) => setTimeout(r, 30));
    expect(hook.hits).toHaveLength(1);
    await clock.advance(1);
    await waitFor(async () => (await info(s)).pending_update_count === 0);
    expect(hook.hits.map((h) => h.body.message.text)).toEqual(['first', 'first', 'second']);
  });

  it('reports a refused connection and stops retrying once the webhook is deleted', async () => {
    const s = await start();
    const closed = await receiver(() => ({ status: 200 }));
    await new Promise((r) => server!.close(r));
    server = undefined;
    await callJson(s, 'setWebhook', { url: closed.url });
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'x' } });
    await waitFor(async () => (await info(s)).last_error_message === 'Connection refused');
    expect((await callJson(s, 'deleteWebhook')).json).toEqual({ ok: true, result: true, description: 'Webhook was deleted' });
    expect((await callJson(s, 'deleteWebhook')).json.description).toBe('Webhook is already deleted');
    await waitFor(() => clock.pending() === 0);
    // Undelivered updates wait for getUpdates.
    expect((await callJson(s, 'getUpdates')).json.result).toHaveLength(1);
  });

  it('getUpdates is 409 while a webhook is set; setWebhook ends a waiting poll; drop_pending_updates forgets', async () => {
    const s = await start();
    const hook = await receiver(() => ({ status: 503 }));
    const waiting = callJson(s, 'getUpdates', { timeout: 30 });
    await waitFor(() => clock.pending() === 1);
    await callJson(s, 'setWebhook', { url: hook.url });
    const conflict = await waiting;
    const expected = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
    expect([conflict.status, conflict.json.description]).toEqual([409, expected]);
    expect((await callJson(s, 'getUpdates')).json.description).toBe(expected);
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'x' } });
    await waitFor(() => hook.hits.length === 1);
    await callJson(s, 'deleteWebhook', { drop_pending_updates: true });
    expect(await info(s)).toEqual({ url: '', has_custom_certificate: false, pending_update_count: 0 });
  });

  it('refuses a bad URL or secret token', async () => {
    const s = await start();
    expect((await callJson(s, 'setWebhook', { url: 'ftp://example.com/x' })).json.description).toBe('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    expect((await callJson(s, 'setWebhook', { url: 'http://127.0.0.1:1/x', secret_token: 'no spaces' })).json.description).toMatch(/secret token/);
    expect((await info(s)).url).toBe('');
  });
});
