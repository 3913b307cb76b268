import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTransport } from '../../src/botapi/node-transport.js';

/** A server that answers every request with `answer`, remembering each request's socket. */
let server: http.Server;
let url = '';
const sockets: Socket[] = [];
const bodies: Array<{ body: string; length: string | undefined }> = [];
let answer: (res: http.ServerResponse) => void = (res) => res.end('{}');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    sockets.push(req.socket);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push({ body, length: req.headers['content-length'] });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bot1:x/getMe`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (body: string, signal = new AbortController().signal) =>
  nodeTransport(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });

describe('nodeTransport', () => {
  it('sends the body with its byte length, and reads status, status text and body', async () => {
    answer = (res) => {
      res.statusCode = 418;
      res.statusMessage = 'Teapot';
      res.end('{"ok":false}');
    };
    const response = await post('{"text":"héllo ✓"}');
    expect(response.status).toBe(418);
    expect(response.statusText).toBe('Teapot');
    expect(await response.text()).toBe('{"ok":false}');
    expect(bodies.at(-1)).toEqual({ body: '{"text":"héllo ✓"}', length: String(Buffer.byteLength('{"text":"héllo ✓"}')) });
  });

  it('decodes a multi-byte character split across two chunks', async () => {
    const bytes = Buffer.from('"✓✓"', 'utf8');
    answer = (res) => {
      res.writeHead(200, { 'content-length': bytes.length });
      res.write(bytes.subarray(0, 2));
      setTimeout(() => res.end(bytes.subarray(2)), 10);
    };
    expect(await (await post('{}')).text()).toBe('"✓✓"');
  });

  it('keeps the connection alive: sequential requests share one socket', async () => {
    answer = (res) => res.end('{}');
    const before = sockets.length;
    for (let i = 0; i < 3; i++) await (await post('{}')).text();
    const used = new Set(sockets.slice(before));
    expect(sockets.length - before).toBe(3);
    expect(used.size).toBe(1);
  });

  it('an abort while the body is read rejects text() with the reason and drops the connection', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write('{"ok":');
    };
    const controller = new AbortController();
    const response = await post('{}', controller.signal);
    const socket = sockets.at(-1)!;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(response.text()).rejects.toBe(reason);
    await closed;
  });

  it('an abort before the headers rejects with the reason and drops the connection', async () => {
    answer = () => {};
    const before = bodies.length;
    const controller = new AbortController();
    const pending = post('{}', controller.signal);
    while (bodies.length === before) await new Promise((r) => setTimeout(r, 5));
    const closed = new Promise((resolve) => sockets.at(-1)!.once('close', resolve));
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await closed;
  });

  it('an already aborted signal sends nothing', async () => {
    const before = bodies.length;
    const reason = new Error('too late');
    await expect(post('{}', AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(bodies.length).toBe(before);
  });
});
