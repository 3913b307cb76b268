/**
 * A minimal Bot API client: one JSON POST per call, typed errors, a per-request timeout, caller
 * aborts, and an optional resilience engine wrapped around every call.
 *
 * It sends JSON only (no multipart file uploads): pass files by `file_id` or URL.
 */
import type { AttemptFn, CallInfo, CallParams } from '../core/call.js';
import { abortReason, onAbort } from '../core/abort.js';
import { checkOptions } from '../core/check-options.js';
import { abortSignal, boolean, func, hasMethods, type Check } from '../core/checks.js';
import { hideToken, scrubSecret, tokenSpellings } from '../errors/scrub-token.js';
import { errorFromFetchFailure, outcomeFromResponse, timedOut } from './errors-from-response.js';
import { nodeRequest, type RequestHandle } from './node-transport.js';

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
   * The `fetch` implementation to send requests with (for tests, proxies, custom agents); Node's
   * global `fetch` is one.
   * @default a keep-alive `node:http` / `node:https` transport (a third of global `fetch`'s CPU per request)
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

const WHERE = 'createBotApi';
const DEFAULT_API_ROOT = 'https://api.telegram.org';
const DEFAULT_TIMEOUT_MS = 30_000;
/** Timers in Node cannot be longer than this; `AbortSignal.timeout` would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Bot API method names are plain identifiers; anything else could rewrite the URL path. */
const METHOD_NAME = /^[A-Za-z0-9_]+$/;

/** An http(s) URL without query, fragment or credentials: what `{apiRoot}/bot{token}/{method}` can be built on. */
function apiRootProblem(apiRoot: unknown): string | undefined {
  const expected = 'an http(s) URL without query, fragment or credentials';
  if (typeof apiRoot !== 'string') return expected;
  let url: URL;
  try {
    url = new URL(apiRoot);
  } catch {
    return expected;
  }
  const ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  return ok ? undefined : expected;
}

/** How each option of `createBotApi` is checked. */
const OPTION_CHECKS = {
  // Whatever the token's shape (a local Bot API server may use its own), it must not rewrite the URL path.
  token: (v: unknown) =>
    typeof v === 'string' && v !== '' && !/[\s/?#%]/.test(v) ? undefined : "a non-empty string without whitespace, '/', '?', '#' or '%'",
  apiRoot: apiRootProblem,
  resilience: hasMethods('a resilience engine with call(fn, info), such as createResilience()', 'call'),
  timeoutMs: (v: unknown) =>
    typeof v === 'number' && v > 0 && v <= MAX_TIMEOUT_MS ? undefined : `a number of milliseconds > 0 and <= ${MAX_TIMEOUT_MS}`,
  fetch: func,
} satisfies Record<keyof BotApiOptions, Check>;

const RAW_OPTION_CHECKS = { signal: abortSignal } satisfies Record<keyof RawOptions, Check>;
const CALL_OPTION_CHECKS = { ...RAW_OPTION_CHECKS, idempotent: boolean } satisfies Record<keyof CallOptions, Check>;

/**
 * Checks the options; a TypeError names what is wrong and never holds the token (not even one pasted
 * into `apiRoot`, nor one that is malformed).
 */
function checkBotApiOptions(options: unknown): BotApiOptions {
  try {
    return checkOptions(WHERE, options, OPTION_CHECKS, { required: ['token'], secrets: ['token'], spellings: tokenSpellings }) as unknown as BotApiOptions;
  } catch (error) {
    const token = (options as { token?: unknown } | undefined)?.token;
    throw hideToken(error, typeof token === 'string' && token !== '' ? token : undefined);
  }
}

/** Creates a Bot API client. Throws `TypeError` (naming the option) on invalid options. */
export function createBotApi(options: BotApiOptions): BotApi {
  const { token, apiRoot: givenRoot = DEFAULT_API_ROOT, timeoutMs: givenTimeout = DEFAULT_TIMEOUT_MS, resilience, fetch: injectedFetch } =
    checkBotApiOptions(options);
  const apiRoot = new URL(givenRoot).href.replace(/\/+$/, '');
  const timeoutMs = Math.ceil(givenTimeout);
  const secrets = tokenSpellings(token);
  const hide = <E>(error: E): E => scrubSecret(error, secrets);
  const base = `${apiRoot}/bot${token}/`;

  async function raw<T = unknown>(method: string, params?: CallParams, rawOptions?: RawOptions): Promise<T> {
    const { signal: callerSignal } = checkOptions('createBotApi: raw', rawOptions, RAW_OPTION_CHECKS) as RawOptions;
    if (typeof method !== 'string' || !METHOD_NAME.test(method)) {
      throw hide(new TypeError('createBotApi: `method` must be a Bot API method name such as "sendMessage"'));
    }
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    const body = JSON.stringify(params ?? {});
    // The caller's abort and our timeout stop the request through a handle (the default transport)
    // or one controller of our own (an injected fetch), never AbortSignal.any([caller,
    // AbortSignal.timeout(ms)]): those cost more CPU than the rest of the request's own JavaScript
    // (weak references, a finalizer, a timer that cannot be cleared); and a controller alone costs
    // a tenth of a request (see RequestHandle).
    const handle: RequestHandle = {};
    const injected = injectedFetch ? { fetch: injectedFetch, controller: new AbortController() } : undefined;
    let rejectAborted: (reason: unknown) => void = () => {};
    const aborted = new Promise<never>((_resolve, reject) => (rejectAborted = reject));
    aborted.catch(() => {}); // raced below; nobody else awaits it
    let timeoutFired = false;
    const abort = (reason: unknown) => {
      rejectAborted(reason);
      if (injected) injected.controller.abort(reason);
      else handle.cancel?.(reason);
    };
    const timer = setTimeout(() => {
      timeoutFired = true;
      abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, timeoutMs);
    timer.unref?.(); // like AbortSignal.timeout's: a pending request keeps the process alive, not its timeout
    const offCaller = callerSignal ? onAbort(callerSignal, () => abort(abortReason(callerSignal))) : undefined;

    // The caller's abort wins over everything and is passed on untouched; then our timeout.
    const failure = (error: unknown, afterResponse: boolean): unknown => {
      if (callerSignal?.aborted) return abortReason(callerSignal);
      if (timeoutFired) return hide(timedOut(method, timeoutMs, error));
      return hide(errorFromFetchFailure(method, error, afterResponse));
    };

    const init = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body };
    let text: string;
    let response: FetchResponseLike;
    try {
      try {
        // Raced with the abort, so an abort settles the call even when an injected fetch ignores the signal.
        const sent = injected
          ? Promise.resolve().then(() => injected.fetch(base + method, { ...init, signal: injected.controller.signal }))
          : nodeRequest(base + method, init, handle);
        response = await Promise.race([sent, aborted]);
      } catch (error) {
        throw failure(error, false);
      }
      try {
        text = await Promise.race([Promise.resolve().then(() => response.text()), aborted]);
      } catch (error) {
        throw failure(error, true);
      }
    } finally {
      clearTimeout(timer);
      offCaller?.();
    }
    const outcome = outcomeFromResponse<T>(method, response.status, response.statusText, text);
    if (outcome.ok) return outcome.result;
    throw hide(outcome.error);
  }

  function call<T = unknown>(method: string, params?: CallParams, callOptions?: CallOptions): Promise<T> {
    let checked: CallOptions;
    try {
      checked = checkOptions('createBotApi: call', callOptions, CALL_OPTION_CHECKS);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal, idempotent } = checked;
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
