/**
 * A minimal Bot API client: one JSON POST per call, typed errors, a per-request timeout, caller
 * aborts, and an optional resilience engine wrapped around every call.
 *
 * It sends JSON only (no multipart file uploads): pass files by `file_id` or URL.
 */
import type { AttemptFn, CallInfo, CallParams } from '../core/call.js';
import { abortReason, untilAborted } from '../core/abort.js';
import { scrubSecret, tokenSpellings } from '../errors/scrub-token.js';
import { errorFromFetchFailure, outcomeFromResponse, timedOut } from './errors-from-response.js';

/**
 * What `createBotApi` needs from a resilience engine (`createResilience` satisfies it). Typed by
 * shape so the client does not depend on the engine's module.
 */
export interface ResilienceLike {
  call<T>(fn: AttemptFn<T>, info?: CallInfo): Promise<T>;
}

/** The part of an HTTP response the client reads. */
export interface FetchResponseLike {
  status: number;
  statusText: string;
  text(): Promise<string>;
}

/** The request the client makes. Node's global `fetch` accepts it. */
export interface FetchRequestInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

/** A `fetch`-compatible function. Node's global `fetch` is one. */
export type FetchLike = (url: string, init: FetchRequestInit) => Promise<FetchResponseLike>;

export interface BotApiOptions {
  /**
   * The bot token from @BotFather (`123456:ABC-...`). Required, a non-empty string. It is only used
   * to build the request URL: it never appears in an error, its message, stack or causes.
   */
  token: string;
  /**
   * Base URL of the Bot API server, `http:` or `https:`, optionally with a path prefix (e.g. a local
   * Bot API server at `http://127.0.0.1:8081`). Requests go to `{apiRoot}/bot{token}/{method}`.
   * @default 'https://api.telegram.org'
   */
  apiRoot?: string;
  /**
   * A resilience engine (`createResilience(...)`). When given, `call` runs every request through
   * `resilience.call`, which retries flood waits, migrations and network faults. `raw` never uses it.
   * @default undefined (`call` behaves like `raw`)
   */
  resilience?: ResilienceLike;
  /**
   * Upper bound, in milliseconds, on one request: connecting, sending, waiting for and reading the
   * answer. When it passes the request rejects with `TimedOut`. A positive number up to 2^31-1.
   * For `getUpdates` long polling it must exceed the poll's own `timeout` (given in seconds).
   * @default 30_000
   */
  timeoutMs?: number;
  /**
   * The `fetch` implementation to send requests with (for tests, proxies, custom agents).
   * @default Node's global `fetch`, looked up at each request
   */
  fetch?: FetchLike;
}

/** Options of one `raw` request. */
export interface RawOptions {
  /** Aborting it rejects the request at once with `signal.reason`, unchanged. */
  signal?: AbortSignal;
}

/** Options of one `call`. */
export interface CallOptions extends RawOptions {
  /**
   * Tells the resilience engine this call may be resent even when an earlier attempt may have been
   * delivered (e.g. `getChat`; never `sendMessage` unless duplicates are acceptable).
   * @default undefined (the engine decides from the method name)
   */
  idempotent?: boolean;
}

export interface BotApi {
  /**
   * Calls a Bot API method through the resilience engine when one was given (else exactly like
   * `raw`). Resolves with the response's `result`; rejects with a `TelegramError` subclass, or with
   * `signal.reason` when the caller aborts.
   */
  call<T = unknown>(method: string, params?: CallParams, options?: CallOptions): Promise<T>;
  /** Sends exactly one request, no retries. Same results and errors as `call`. */
  raw<T = unknown>(method: string, params?: CallParams, options?: RawOptions): Promise<T>;
}

const DEFAULT_API_ROOT = 'https://api.telegram.org';
const DEFAULT_TIMEOUT_MS = 30_000;
/** Timers in Node cannot be longer than this; `AbortSignal.timeout` would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Bot API method names are plain identifiers; anything else could rewrite the URL path. */
const METHOD_NAME = /^[A-Za-z0-9_]+$/;

function checkToken(token: unknown): string {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('createBotApi: option `token` must be a non-empty string');
  }
  // Never echo the value: it is a secret even when malformed.
  if (/[\s/?#%]/.test(token)) {
    throw new TypeError("createBotApi: option `token` must not contain whitespace, '/', '?', '#' or '%'");
  }
  return token;
}

function checkApiRoot(apiRoot: unknown): string {
  const problem = 'createBotApi: option `apiRoot` must be an http(s) URL without query, fragment or credentials';
  if (typeof apiRoot !== 'string') throw new TypeError(problem);
  let url: URL;
  try {
    url = new URL(apiRoot);
  } catch {
    throw new TypeError(problem);
  }
  const bad =
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== '';
  if (bad) throw new TypeError(problem);
  return url.href.replace(/\/+$/, '');
}

function checkTimeout(timeoutMs: unknown): number {
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new TypeError(`createBotApi: option \`timeoutMs\` must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}`);
  }
  return Math.ceil(timeoutMs);
}

/** Creates a Bot API client. Throws `TypeError` (naming the option) on invalid options. */
export function createBotApi(options: BotApiOptions): BotApi {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createBotApi: options must be an object with a `token`');
  }
  const token = checkToken(options.token);
  const apiRoot = checkApiRoot(options.apiRoot ?? DEFAULT_API_ROOT);
  const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const { resilience, fetch: injectedFetch } = options;
  if (resilience !== undefined && typeof resilience?.call !== 'function') {
    throw new TypeError('createBotApi: option `resilience` must have a `call(fn, info)` method');
  }
  if (injectedFetch !== undefined && typeof injectedFetch !== 'function') {
    throw new TypeError('createBotApi: option `fetch` must be a function');
  }
  const secrets = tokenSpellings(token);
  const hide = <E>(error: E): E => scrubSecret(error, secrets);
  const base = `${apiRoot}/bot${token}/`;

  async function raw<T = unknown>(method: string, params?: CallParams, rawOptions: RawOptions = {}): Promise<T> {
    if (typeof method !== 'string' || !METHOD_NAME.test(method)) {
      throw hide(new TypeError('createBotApi: `method` must be a Bot API method name such as "sendMessage"'));
    }
    const callerSignal = rawOptions.signal;
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    const body = JSON.stringify(params ?? {});
    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeoutSignal]) : timeoutSignal;

    // The caller's abort wins over everything and is passed on untouched; then our timeout.
    const failure = (error: unknown, afterResponse: boolean): unknown => {
      if (callerSignal?.aborted) return abortReason(callerSignal);
      if (timeoutSignal.aborted) return hide(timedOut(method, timeoutMs, error));
      return hide(errorFromFetchFailure(method, error, afterResponse));
    };

    const doFetch: FetchLike = injectedFetch ?? (globalThis.fetch as FetchLike);
    let response: FetchResponseLike;
    try {
      const init: FetchRequestInit = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal,
      };
      response = await untilAborted(Promise.resolve().then(() => doFetch(base + method, init)), signal);
    } catch (error) {
      throw failure(error, false);
    }
    let text: string;
    try {
      text = await untilAborted(Promise.resolve().then(() => response.text()), signal);
    } catch (error) {
      throw failure(error, true);
    }
    const outcome = outcomeFromResponse<T>(method, response.status, response.statusText, text);
    if (outcome.ok) return outcome.result;
    throw hide(outcome.error);
  }

  function call<T = unknown>(method: string, params?: CallParams, callOptions: CallOptions = {}): Promise<T> {
    const { signal, idempotent } = callOptions;
    if (!resilience) return raw<T>(method, params, { signal });
    // A call without a signal passes none on (its attempt.signal would be made only to be ignored).
    return resilience.call<T>((attempt) => raw<T>(method, attempt.params, { signal: signal && attempt.signal }), {
      method,
      params,
      signal,
      idempotent,
    });
  }

  return { call, raw };
}
