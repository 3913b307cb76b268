/**
 * `telegram-resilience/telegraf`: runs every Bot API call of a telegraf `Telegram` instance through
 * the resilience engine.
 *
 * @example
 * import { Telegraf } from 'telegraf';
 * import { createResilience } from 'telegram-resilience';
 * import { resilienceMiddleware, useResilience } from 'telegram-resilience/telegraf';
 *
 * const resilience = createResilience();
 * const bot = new Telegraf(process.env.BOT_TOKEN!);
 * useResilience(bot.telegram, resilience);     // bot.telegram.* and long polling
 * bot.use(resilienceMiddleware(resilience));   // ctx.telegram / ctx.reply (register it first)
 *
 * How telegraf works, and why this is safe to repeat: every `Telegram` method ends in
 * `this.callApi(method, payload, { signal })`. `callApi` builds a fresh request each time (the JSON
 * body, or a multipart body from a copy of the payload), never mutates the payload, and throws a
 * `TelegramError` for `{ ok: false }` answers and for HTTP status >= 500, or node-fetch's
 * `FetchError` for transport failures. So wrapping `callApi` and calling the original once per
 * attempt re-enters cleanly. The exception is an upload from a stream (`{ source: stream }`): a
 * stream can be read once, so such calls get exactly one attempt.
 */
import type { Resilience } from '../engine/resilience.js';
import type { CallParams } from '../core/call.js';
import { hideToken } from '../errors/scrub-token.js';
import { safeGet } from '../errors/shapes.js';
import { engineFor, usableSignal } from './bot-api-common.js';

/** What this adapter needs of telegraf's `Telegram` (and `ApiClient`). */
export interface TelegrafTelegramLike {
  // `any` where telegraf's own types are generic per method or use a polyfilled AbortSignal type.
  callApi(method: any, payload: any, options?: { signal?: any }): Promise<unknown>;
}

/** What `resilienceMiddleware` needs of a telegraf `Context`. */
export interface TelegrafContextLike {
  telegram: TelegrafTelegramLike;
}

/** Marks a `Telegram` instance as wrapped, to refuse wrapping it twice (retries would multiply). */
const WRAPPED = Symbol.for('telegram-resilience.telegraf.wrapped');

type CallApi = TelegrafTelegramLike['callApi'];

/**
 * Wraps `telegram.callApi` in place (`bot.telegram`, or any `Telegram` instance), so every call
 * goes through `resilience`: the Bot API method name is `info.method`, the payload `info.params`
 * (chat ids rewritten after a chat migration), and telegraf's `signal` the call's signal.
 * `TelegramError` and `FetchError` still reach the caller unchanged (with the token hidden).
 *
 * Returns a function that undoes the wrapping. Throws if `telegram` is already wrapped.
 */
export function useResilience(telegram: TelegrafTelegramLike, resilience: Resilience): () => void {
  if (typeof telegram?.callApi !== 'function') {
    throw new TypeError('useResilience: expected a telegraf Telegram instance (bot.telegram or ctx.telegram)');
  }
  if (typeof resilience?.call !== 'function') {
    throw new TypeError('useResilience: the second argument must be a resilience from createResilience()');
  }
  const target = telegram as TelegrafTelegramLike & { [WRAPPED]?: true };
  if (target[WRAPPED]) throw new TypeError('useResilience: this Telegram instance is already wrapped');

  const hadOwn = Object.prototype.hasOwnProperty.call(target, 'callApi');
  const original: CallApi = target.callApi;
  const wrapped: CallApi = function callApi(method, payload, options = {}) {
    const params = typeof payload === 'object' && payload !== null ? (payload as CallParams) : undefined;
    // telegraf's polling passes its whole (polyfilled) AbortController as `options`: read `.signal`.
    const usable = usableSignal(options?.signal);
    return engineFor(resilience, params).call(
      (attempt) =>
        // A call without a signal passes none on (its attempt.signal would be made only to be ignored).
        original.call(target, method, attempt.params ?? payload, { ...options, signal: usable.signal && attempt.signal }).catch((error: unknown) => {
          // Read the token at call time: telegraf keeps it on the instance (`ApiClient.token`).
          const token = safeGet(target, 'token');
          throw hideToken(error, typeof token === 'string' ? token : undefined);
        }),
      { method, params, signal: usable.signal },
    ).finally(usable.release);
  };
  target.callApi = wrapped;
  target[WRAPPED] = true;

  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    delete target[WRAPPED];
    // Only restore when nobody wrapped it again on top of us.
    if (target.callApi !== wrapped) return;
    if (hadOwn) target.callApi = original;
    else delete (target as Partial<TelegrafTelegramLike>).callApi;
  };
}

/**
 * telegraf builds a new `Telegram` for every update (`ctx.telegram`, used by `ctx.reply` and the
 * other context shortcuts), so wrapping `bot.telegram` does not cover them. This middleware wraps
 * each update's `ctx.telegram`. Register it before your handlers: `bot.use(resilienceMiddleware(r))`.
 */
export function resilienceMiddleware(
  resilience: Resilience,
): (ctx: TelegrafContextLike, next: () => Promise<void>) => Promise<void> {
  if (typeof resilience?.call !== 'function') {
    throw new TypeError('resilienceMiddleware: the argument must be a resilience from createResilience()');
  }
  return (ctx, next) => {
    const telegram = ctx.telegram as TelegrafTelegramLike & { [WRAPPED]?: true };
    if (!telegram[WRAPPED]) useResilience(telegram, resilience);
    return next();
  };
}
