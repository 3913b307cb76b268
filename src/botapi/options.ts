/**
 * `createBotApi`'s options and their checks, and the shapes the client works with: a resilience
 * engine, and a `fetch` to send with.
 */
import type { AttemptFn, CallInfo, CallParams } from '../core/call.js';
import { checkOptions } from '../core/check-options.js';
import { abortSignal, boolean, func, hasMethods, type Check } from '../core/checks.js';
import { hideToken, tokenSpellings } from '../errors/scrub-token.js';

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
export const DEFAULT_API_ROOT = 'https://api.telegram.org';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Timers in Node cannot be longer than this; `AbortSignal.timeout` would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Bot API method names are plain identifiers; anything else could rewrite the URL path. */
export const METHOD_NAME = /^[A-Za-z0-9_]+$/;

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

export const RAW_OPTION_CHECKS = { signal: abortSignal } satisfies Record<keyof RawOptions, Check>;
export const CALL_OPTION_CHECKS = { ...RAW_OPTION_CHECKS, idempotent: boolean } satisfies Record<keyof CallOptions, Check>;

/**
 * Checks the options; a TypeError names what is wrong and never holds the token (not even one pasted
 * into `apiRoot`, nor one that is malformed).
 */
export function checkBotApiOptions(options: unknown): BotApiOptions {
  try {
    return checkOptions(WHERE, options, OPTION_CHECKS, { required: ['token'], secrets: ['token'], spellings: tokenSpellings }) as unknown as BotApiOptions;
  } catch (error) {
    const token = (options as { token?: unknown } | undefined)?.token;
    throw hideToken(error, typeof token === 'string' && token !== '' ? token : undefined);
  }
}
