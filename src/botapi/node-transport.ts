/**
 * The Bot API client's default transport: one JSON POST over `node:http` / `node:https` with a
 * keep-alive agent per protocol, shaped like `fetch` (`FetchLike`).
 *
 * Why not Node's global `fetch`: undici's WHATWG layer (Request/Response/Headers objects, web
 * streams) costs two to three times the CPU of a plain `http.request` per call on the same
 * kept-alive connection (bench/README.md has the figures), and a broadcast at the paid rate makes a
 * thousand calls a second. The client only needs a status, a status text and the body as text.
 *
 * Failures keep the shapes the client classifies (src/botapi/errors-from-response.ts): Node's own
 * system errors (`ECONNREFUSED` from connect, `ECONNRESET` "socket hang up" / "aborted" once the
 * request may have left), rejected before the headers arrive or from `text()` afterwards.
 */
import http from 'node:http';
import https from 'node:https';

/** What the client sends (its `FetchRequestInit`, restated here so this file imports nothing back). */
export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** What the client reads of the answer (its `FetchResponseLike`). */
export interface TransportResponse {
  status: number;
  statusText: string;
  text(): Promise<string>;
}

/**
 * Idle kept-alive sockets are closed after this long, before common servers close theirs (Node's
 * own 5 s, nginx 75 s), so a request is rarely written to a socket the server is just closing. A
 * server's `Keep-Alive: timeout=N` hint shortens it further (Node's agent reads it).
 */
const IDLE_SOCKET_MS = 4_000;

const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
};

/** A system error like Node's own, for a response whose body ended before it was complete. */
function cutOff(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

/**
 * How a request in flight is stopped without an AbortSignal: the transport sets `cancel` while the
 * request runs (calling it destroys the request and rejects with the reason given), and calls
 * `done` once, when the request is over (the body read, or failed). An AbortController costs about
 * 6 µs in Node 20 and a listener on its signal 4 µs more, a tenth of a whole request's own CPU: the
 * client uses this handle with its own timeout instead.
 */
export interface RequestHandle {
  cancel?: (reason: unknown) => void;
  done?: () => void;
}

/** `nodeTransport` without a signal: stopped through `handle` (see RequestHandle). */
export function nodeRequest(url: string, init: Omit<TransportRequest, 'signal'>, handle: RequestHandle): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
    const send = protocol === 'https:' ? https.request : http.request;
    const body = Buffer.from(init.body, 'utf8');
    const request = send(target, {
      method: init.method,
      headers: { ...init.headers, 'content-length': body.length },
      agent: agents[protocol],
    });
    let over = false;
    const done = () => {
      if (over) return;
      over = true;
      handle.cancel = undefined;
      handle.done?.();
    };
    // Set once the headers arrived: from then on failures belong to the body.
    let bodyFailed: ((error: unknown) => void) | undefined;
    handle.cancel = (reason) => {
      request.destroy();
      if (bodyFailed) bodyFailed(reason);
      else {
        done();
        reject(reason);
      }
    };

    request.on('error', (error) => {
      if (bodyFailed) {
        bodyFailed(error);
      } else {
        done();
        reject(error);
      }
    });
    request.on('response', (response) => {
      response.setEncoding('utf8');
      let text = '';
      const whole = new Promise<string>((resolveBody, rejectBody) => {
        bodyFailed = (error) => {
          done();
          response.destroy();
          rejectBody(error);
        };
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', (error) => bodyFailed?.(error));
        response.on('end', () => {
          done();
          resolveBody(text);
        });
        // A connection that closed mid-body without an 'error' (older Node versions): still a failure.
        response.on('close', () => {
          if (!response.complete) bodyFailed?.(cutOff());
        });
      });
      whole.catch(() => {}); // read (and reported) only if the caller asks for the text
      resolve({
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        text: () => whole,
      });
    });
    request.end(body);
  });
}

/**
 * Sends `init` to `url` and resolves once the response headers are in; `text()` resolves with the
 * whole body. An abort of `init.signal` destroys the request and rejects with `signal.reason`.
 */
export const nodeTransport = (url: string, init: TransportRequest): Promise<TransportResponse> => {
  const { signal, ...rest } = init;
  if (signal.aborted) return Promise.reject(signal.reason);
  const handle: RequestHandle = {};
  const onAbort = () => handle.cancel?.(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  handle.done = () => signal.removeEventListener('abort', onAbort);
  return nodeRequest(url, rest, handle);
};
