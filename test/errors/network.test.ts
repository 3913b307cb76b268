/**
 * Transport failures: real ones produced on 127.0.0.1 where possible, object literals for the rest
 * (DNS and routing failures cannot be produced without leaving the machine).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/errors/index.js';
import { expectWellFormed } from './helpers.js';

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A port on 127.0.0.1 that nothing listens on (listened on, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('real transport failures on 127.0.0.1', () => {
  let destroyer: http.Server;
  let resetter: net.Server;
  let silent: net.Server;
  const url = (server: net.Server) => `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;

  beforeAll(async () => {
    // Accepts the request, then drops the socket without answering.
    destroyer = http.createServer((req) => req.socket.destroy());
    // Sends a TCP RST as soon as the request arrives.
    resetter = net.createServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
    // Accepts and never answers.
    silent = net.createServer(() => undefined);
    await Promise.all(
      [destroyer, resetter, silent].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
    );
  });

  afterAll(async () => {
    silent.close();
    await Promise.all([destroyer, resetter].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('fetch to a closed port: ECONNREFUSED in cause, surely not delivered', async () => {
    const error = await caught(async () => fetch(`http://127.0.0.1:${await closedPort()}/`));
    expect((error as Error).message).toBe('fetch failed');
    const f = classify(error);
    expect(f).toMatchObject({ kind: 'network', type: 'ECONNREFUSED', maybeDelivered: false });
    expectWellFormed(f, error);
  });

  it('a raw net connect to a closed port: ECONNREFUSED on the error itself', async () => {
    const port = await closedPort();
    const error = await caught(
      () =>
        new Promise((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
          socket.on('error', reject);
        }),
    );
    expect(classify(error)).toMatchObject({ kind: 'network', type: 'ECONNREFUSED', maybeDelivered: false });
  });

  it('the server drops the socket after the request: undici socket error, maybe delivered', async () => {
    const error = await caught(() => fetch(url(destroyer), { method: 'POST', body: 'x' }));
    expect(classify(error)).toMatchObject({ kind: 'network', type: 'UND_ERR_SOCKET', maybeDelivered: true });
  });

  it('the server resets the connection: ECONNRESET, maybe delivered', async () => {
    const error = await caught(() => fetch(url(resetter), { method: 'POST', body: 'x' }));
    expect(classify(error)).toMatchObject({ kind: 'network', type: 'ECONNRESET', maybeDelivered: true });
  });

  it('AbortSignal.timeout on a silent server: TimeoutError, maybe delivered', async () => {
    const error = await caught(() => fetch(url(silent), { signal: AbortSignal.timeout(50) }));
    expect(classify(error)).toMatchObject({ kind: 'timeout', type: 'TimeoutError', maybeDelivered: true });
  });

  it('a manual abort: AbortError is a timeout too', async () => {
    const controller = new AbortController();
    const pending = fetch(url(silent), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(classify(await caught(() => pending))).toMatchObject({ kind: 'timeout', type: 'AbortError' });
  });
});

const sysError = (code: string) => Object.assign(new Error(`${code} happened`), { code });

describe('Node and undici codes (object literals)', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'])(
    '%s never left: network, not delivered',
    (code) => {
      expect(classify(sysError(code))).toMatchObject({ kind: 'network', type: code, maybeDelivered: false });
    },
  );

  it.each(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_SOMETHING_NEW'])(
    '%s may have been delivered: network',
    (code) => {
      expect(classify(sysError(code))).toMatchObject({ kind: 'network', type: code, maybeDelivered: true });
    },
  );

  it.each(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])('%s is a timeout, maybe delivered', (code) => {
    expect(classify(sysError(code))).toMatchObject({ kind: 'timeout', type: code, maybeDelivered: true });
  });

  it('UND_ERR_CONNECT_TIMEOUT is a timeout that surely never left', () => {
    expect(classify(sysError('UND_ERR_CONNECT_TIMEOUT'))).toMatchObject({ kind: 'timeout', maybeDelivered: false });
  });

  it("TypeError('fetch failed') is explained by its cause, a few levels down", () => {
    const deep = new TypeError('fetch failed', { cause: new Error('wrapper', { cause: sysError('EHOSTUNREACH') }) });
    expect(classify(deep)).toMatchObject({ kind: 'network', type: 'EHOSTUNREACH', maybeDelivered: false });
    expect(classify(new TypeError('fetch failed'))).toMatchObject({ kind: 'network', maybeDelivered: true });
  });

  it('an AggregateError of connect attempts is read through its errors', () => {
    const error = new AggregateError([sysError('ECONNREFUSED'), sysError('ECONNREFUSED')], 'all attempts failed');
    expect(classify(error)).toMatchObject({ kind: 'network', type: 'ECONNREFUSED', maybeDelivered: false });
  });

  it('a cyclic cause chain ends as unknown without looping', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause: unknown }).cause = b;
    expect(classify(a)).toMatchObject({ kind: 'unknown', maybeDelivered: true });
  });

  it('a very deep chain is cut off (no stack overflow) and a shallow code is still found', () => {
    let deep: unknown = sysError('ECONNREFUSED');
    for (let i = 0; i < 10_000; i++) deep = { cause: deep };
    expect(classify(deep).kind).toBe('unknown');
    expect(classify({ cause: { cause: sysError('EPIPE') } })).toMatchObject({ kind: 'network', type: 'EPIPE' });
  });

  it('an unrelated string code stays unknown but is reported in type', () => {
    expect(classify(sysError('ERR_INVALID_ARG_TYPE'))).toMatchObject({ kind: 'unknown', type: 'ERR_INVALID_ARG_TYPE' });
  });
});
