/**
 * A minimal Bot API client: one JSON POST per call, typed errors, a per-request timeout, caller
 * aborts, and an optional resilience engine wrapped around every call.
 *
 * It sends JSON only (no multipart file uploads): pass files by `file_id` or URL.
 */
import type { CallParams } from '../core/call.js';
import { abortReason, onAbort } from '../core/abort.js';
import { checkOptions } from '../core/check-options.js';
import { scrubSecret, tokenSpellings } from '../errors/scrub-token.js';
import { errorFromFetchFailure, timedOut } from './errors-from-fetch.js';
import { outcomeFromResponse } from './errors-from-response.js';
import { nodeRequest, type RequestHandle } from './node-transport.js';
import {
  CALL_OPTION_CHECKS,
  checkBotApiOptions,
  DEFAULT_API_ROOT,
  DEFAULT_TIMEOUT_MS,
  METHOD_NAME,
  RAW_OPTION_CHECKS,
  type BotApi,
  type BotApiOptions,
  type CallOptions,
  type FetchResponseLike,
  type RawOptions,
} from './options.js';

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
