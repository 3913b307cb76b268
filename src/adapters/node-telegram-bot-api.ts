/**
 * `telegram-resilience/node-telegram-bot-api`: runs every Bot API call of a node-telegram-bot-api
 * bot through the resilience engine. Both lines of the package are supported, told apart by duck
 * typing (nothing is imported from them):
 *
 * - **0.x** (`new TelegramBot(token, options)`): every method ends in `bot._request(method, options)`,
 *   with the Bot API parameters in `options.form` (or in `options.qs` next to a `formData` body for
 *   uploads). `_request` writes into the `options` object it is given (the URL, the method, its
 *   `request` options) and JSON-encodes `reply_markup` in `form`, so each attempt gets its own
 *   copies. It has no retries of its own and no abort signal. `getUpdates` (polling) is passed
 *   through untouched, and other calls return a native Promise instead of 0.x's Bluebird one (no
 *   `.cancel()`).
 * - **2.x** (`new Bot(token, options)` or `new Api(token, options)`): every method ends in
 *   `api.request(method, params, signal)`, which calls `api.transport.request`. The transport has
 *   its OWN retry loop (`maxRetries`, default 2: 429s up to `maxRetryAfterMs`, and network errors,
 *   timeouts and 5xx for ANY method, so a `sendMessage` whose answer was lost is sent again). Two
 *   retry loops multiply and the SDK's would duplicate messages, so `useResilience` sets
 *   `api.transport.maxRetries` to 0 while installed (the undo function restores it). Configure
 *   `new Bot(token, { maxRetries: 0 })` yourself to make that explicit, and leave its opt-in
 *   `rateLimit` off when the engine throttles.
 *
 * @example
 * // 0.x
 * const bot = new TelegramBot(process.env.BOT_TOKEN, { polling: true });
 * useResilience(bot, createResilience());
 * // 2.x
 * const bot = new Bot(process.env.BOT_TOKEN!, { maxRetries: 0 });
 * useResilience(bot, createResilience());
 */
import type { Resilience } from '../engine/resilience.js';
import type { CallParams } from '../core/call.js';
import { hideToken } from '../errors/scrub-token.js';
import { safeGet } from '../errors/shapes.js';
import { engineFor, usableSignal } from './bot-api-common.js';

/** The 0.x options object `_request` takes (only the parts the adapter reads). */
export interface NtbaRequestOptions {
  form?: Record<string, unknown>;
  qs?: Record<string, unknown>;
  formData?: unknown;
  [key: string]: unknown;
}

/**
 * A 0.x `TelegramBot` or a 2.x `Api`: both have `sendMessage`. The parts the adapter really uses
 * (0.x `_request`, 2.x `request` and `transport`) are private in the typings, so they are checked at
 * run time (`detectNtbaVersion`).
 */
export interface NtbaClientLike {
  // `any`: the SDKs' own signatures differ per line and per method.
  sendMessage(...args: any[]): Promise<unknown>;
}

/** A 2.x `Bot`: its `api` is an `Api`. */
export interface NtbaBotLike {
  api: NtbaClientLike;
}

/** Anything `useResilience` accepts: a 0.x `TelegramBot`, a 2.x `Bot` or a 2.x `Api`. */
export type NtbaTarget = NtbaClientLike | NtbaBotLike;

/** What the adapter calls on a 0.x `TelegramBot`. */
interface LegacyBot {
  _request(path: string, options?: NtbaRequestOptions): Promise<unknown>;
}

/** What the adapter calls on a 2.x `Api`. */
interface Api2 {
  request: Request2;
  transport: object;
}

type Request2 = (method: string, params?: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>;

/** Marks a patched object, to refuse patching it twice (retries would multiply). */
const WRAPPED = Symbol.for('telegram-resilience.ntba.wrapped');

/** Which line of the package `target` comes from. */
export function detectNtbaVersion(target: unknown): '0.x' | '2.x' | undefined {
  if (typeof safeGet(target, '_request') === 'function') return '0.x';
  if (api2Of(target)) return '2.x';
  return undefined;
}

/** The 2.x `Api` of a `Bot` or the `Api` itself, recognized by `request` + `transport.request`. */
function api2Of(target: unknown): Api2 | undefined {
  const isApi = (value: unknown) =>
    typeof safeGet(value, 'request') === 'function' && typeof safeGet(safeGet(value, 'transport'), 'request') === 'function';
  if (isApi(target)) return target as Api2;
  const api = safeGet(target, 'api');
  return isApi(api) ? (api as Api2) : undefined;
}

/**
 * Routes every call of a node-telegram-bot-api bot through `resilience`: pass a 0.x `TelegramBot`, a
 * 2.x `Bot` or a 2.x `Api`. The Bot API method name is `info.method`, the parameters `info.params`
 * (chat ids rewritten after a chat migration); with 2.x the call's `signal` is passed on.
 * The package's own errors (`ETELEGRAM`, `EFATAL`, `EPARSE`; 2.x `TelegramApiError`, `NetworkError`,
 * ...) reach the caller unchanged, with the token hidden in them.
 *
 * Returns a function that undoes it. Throws if `target` is already wrapped or not recognized.
 */
export function useResilience(target: NtbaTarget, resilience: Resilience): () => void {
  if (typeof resilience?.call !== 'function') {
    throw new TypeError('useResilience: the second argument must be a resilience from createResilience()');
  }
  const version = detectNtbaVersion(target);
  if (version === '0.x') return wrapLegacy(target as unknown as LegacyBot, resilience);
  if (version === '2.x') return wrapApi2(api2Of(target)!, resilience);
  throw new TypeError(
    'useResilience: expected a node-telegram-bot-api bot (0.x TelegramBot with _request, or 2.x Bot / Api with request)',
  );
}

function tokenOf(holder: unknown): string | undefined {
  const token = safeGet(holder, 'token');
  return typeof token === 'string' ? token : undefined;
}

/** Replaces `holder[key]` with `replacement` and returns the undo; refuses a second wrap. */
function patch<T extends object>(holder: T, key: keyof T & string, replacement: unknown, restore?: () => void): () => void {
  const marked = holder as T & { [WRAPPED]?: true };
  if (marked[WRAPPED]) throw new TypeError('useResilience: this bot is already wrapped');
  const hadOwn = Object.prototype.hasOwnProperty.call(holder, key);
  const original = holder[key];
  (holder as Record<string, unknown>)[key] = replacement;
  marked[WRAPPED] = true;
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    delete marked[WRAPPED];
    restore?.();
    // Only restore when nobody patched it again on top of us.
    if ((holder as Record<string, unknown>)[key] !== replacement) return;
    if (hadOwn) holder[key] = original;
    else delete (holder as Record<string, unknown>)[key];
  };
}

function wrapLegacy(bot: LegacyBot, resilience: Resilience): () => void {
  const original = bot._request;
  const request = function _request(path: string, options: NtbaRequestOptions = {}): Promise<unknown> {
    // 0.x polling is left to the SDK: its stopPolling({ cancel: true }) and restarts call Bluebird's
    // cancel() on the pending getUpdates (a native promise has none), and with no abort signal in 0.x
    // the engine's endless getUpdates retries could not be stopped by stopPolling().
    if (path === 'getUpdates') return original.call(bot, path, options);
    const key = options.form ? 'form' : options.qs ? 'qs' : undefined;
    const params = key ? (options[key] as CallParams) : undefined;
    return engineFor(resilience, options.formData).call(
      (attempt) => {
        // Fresh copies per attempt: _request writes into both.
        const sent: NtbaRequestOptions = { ...options };
        if (key) sent[key] = { ...(attempt.params ?? params) };
        return Promise.resolve(original.call(bot, path, sent)).catch((error: unknown) => {
          throw hideToken(error, tokenOf(bot));
        });
      },
      { method: path, params },
    );
  };
  return patch(bot, '_request', request);
}

function wrapApi2(api: Api2, resilience: Resilience): () => void {
  const original = api.request;
  const request: Request2 = function request(method, params, signal) {
    const usable = usableSignal(signal);
    return engineFor(resilience, params).call(
      (attempt) =>
        // A call without a signal passes none on (its attempt.signal would be made only to be ignored).
        original.call(api, method, attempt.params ?? params, usable.signal && attempt.signal).catch((error: unknown) => {
          throw hideToken(error, tokenOf(api.transport));
        }),
      { method, params, signal: usable.signal },
    ).finally(usable.release);
  };
  // The transport's own retry loop would multiply with the engine's (and resend messages).
  const transport = api.transport as { maxRetries?: unknown };
  const sdkRetries = transport.maxRetries;
  if (typeof sdkRetries === 'number' && sdkRetries !== 0) transport.maxRetries = 0;
  const restoreRetries = () => {
    if (typeof sdkRetries === 'number' && transport.maxRetries === 0) transport.maxRetries = sdkRetries;
  };
  return patch(api, 'request', request, restoreRetries);
}
