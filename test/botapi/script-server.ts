/**
 * A tiny HTTP server on 127.0.0.1 that answers each request with the next scripted handler, and
 * records what it received. Test helper only (not a test file).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers one request. Called once the request body has been read. */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface ScriptServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Queues handlers for the next requests, in order. */
  script(...handlers: Handler[]): void;
  /**
   * Drops queued handlers and recorded requests, and destroys the connections of requests still
   * unanswered (hangs). Idle connections stay: closing one under the client's feet would fail the
   * next test's request with "other side closed".
   */
  reset(): void;
  close(): Promise<void>;
}

export async function startScriptServer(): Promise<ScriptServer> {
  const queue: Handler[] = [];
  const requests: RecordedRequest[] = [];
  const busy = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const socket = req.socket;
    busy.add(socket);
    res.on('close', () => busy.delete(socket));
    // One request per connection: a kept-alive socket closed by `reset` could otherwise be picked
    // for the next test's request and fail it with "other side closed".
    res.shouldKeepAlive = false;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const handler = queue.shift();
      if (handler) handler(req, res);
      else sendText(599, 'text/plain', 'no scripted response')(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...handlers) => queue.push(...handlers),
    reset() {
      queue.length = 0;
      requests.length = 0;
      for (const socket of busy) socket.destroy();
      busy.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was just released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sendText(status: number, contentType: string, body: string): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

export function sendJson(status: number, body: unknown): Handler {
  return sendText(status, 'application/json', JSON.stringify(body));
}

/** Never answers. */
export const hang: Handler = () => {};

/** Closes the connection without writing a byte. */
export const destroySocket: Handler = (req) => {
  req.socket.destroy();
};

/** Sends headers and `partial` of a body announced as longer, then `after` it: 'destroy' or 'hang'. */
export function partialBody(partial: string, after: 'destroy' | 'hang'): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(partial) + 100 });
    res.write(partial);
    if (after === 'destroy') setTimeout(() => res.socket?.destroy(), 20);
  };
}
