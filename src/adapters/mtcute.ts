/**
 * mtcute adapter: `useResilience(client, resilience)` wraps `client.call(request, params)` in place
 * (a `TelegramClient` or a `BaseTelegramClient`, from `@mtcute/node`, `@mtcute/core`, ...), so every
 * request made through that client, including those of its high-level methods, goes through the
 * engine.
 *
 * How mtcute's own retry logic and the engine's compose (mtcute 0.30):
 * - Its flood waiter and internal-errors handler are network middlewares, and both read per-call
 *   options: `floodSleepThreshold` (ms; 0 = never sleep) and `maxRetryCount` (0 = never retry). The
 *   adapter sends `floodSleepThreshold: 0, maxRetryCount: 0` with every attempt, so flood waits
 *   and 5xx come straight back and the engine decides. A value the CALLER passes is kept: mtcute's
 *   own file transfers pass `Infinity` for both ("retry until aborted") and keep doing so; the
 *   engine only sees what mtcute gives up on.
 * - The flood waiter remembers a flood wait per method and answers further calls of that method
 *   with `FLOOD_WAIT_<seconds left>` without sending them. The engine treats that like any flood
 *   wait (sleeps what is left, or fails at once when it is over its threshold).
 * - The internal-errors handler pauses `waitTime` (1 s by default) once before giving a 5xx/-503
 *   back even with `maxRetryCount: 0`; no per-call option turns that off. The engine's backoff
 *   comes on top, unless the client is built with
 *   `network: { middlewares: networkMiddlewares.basic({ internalErrors: { waitTime: 0 } }) }`
 *   (which also removes the pause between mtcute's own 5xx retries of file-transfer parts).
 * - USER/PHONE/NETWORK_MIGRATE answered by the primary DC are handled inside mtcute's network
 *   manager (it moves the primary DC and resends once) before any middleware or the engine sees
 *   them. The engine sees every other migration (FILE_/STATS_MIGRATE, or one that mtcute's resend
 *   got again) and repeats the call with `params.dcId` set to the DC Telegram named: mtcute then
 *   sends it over its connection to that DC (exporting the authorization when needed). Until the
 *   engine reroutes a call, it goes where the caller said (no `dcId`: mtcute's primary DC), never to
 *   a home DC the engine remembers from other calls (see mtproto-dc.ts).
 *
 * Errors reach the caller as mtcute threw them (`tl.RpcError`, `MtTimeoutError`, ...).
 * Nothing here imports mtcute at runtime: the client is duck-typed.
 */
import { safeGet } from '../errors/shapes.js';
import type { Attempt, CallParams } from '../core/call.js';
import { dcChooser } from './mtproto-dc.js';
import { replaceMethod, type ResilienceCaller, type Unwrap } from './mtproto-wrap.js';

/** An mtcute TL request (`{ _: 'messages.sendMessage', ... }`). */
export interface MtcuteRequest {
  /** The TL method name, reported to the engine as the call's `method`. */
  _: string;
}

/** The options of `client.call(request, params)` (mtcute's `RpcCallOptions`) the adapter reads or sets. */
export interface MtcuteCallParams {
  /** DC to send to (none: the primary DC); after a migration the adapter sets the DC Telegram named. */
  dcId?: number;
  /** mtcute's flood-wait sleep limit in ms; the adapter sends 0 unless the caller set it. */
  floodSleepThreshold?: number;
  /** mtcute's own retries on flood waits and 5xx; the adapter sends 0 unless the caller set it. */
  maxRetryCount?: number;
  /** Aborts the call (also during the engine's sleeps). */
  abortSignal?: AbortSignal;
  // Every other option (`kind`, `timeout`, `throw503`, `chainId`, ...) is passed through as given;
  // `manager` (a DC connection manager) is dropped once the engine moves the call to another DC.
}

/** What the adapter needs of an mtcute client: its `call` method. */
export interface MtcuteClient {
  call(request: MtcuteRequest, params?: MtcuteCallParams): Promise<unknown>;
}

export type { ResilienceCaller, Unwrap };

const WRAPPED = Symbol.for('telegram-resilience.mtcute.wrapped');

/**
 * Routes every `client.call(request, params?)` through `resilience`. Returns a function that undoes
 * it. The engine's `info.method` is `request._`, `info.params` the request, `info.dc` `params.dcId`,
 * `info.signal` `params.abortSignal`. Use one `Resilience` per client (per account): flood waits are
 * per account, and a flood wait closes the engine's gate for that method on the whole `Resilience`.
 */
export function useResilience<C extends MtcuteClient>(client: C, resilience: ResilienceCaller): Unwrap {
  if (typeof safeGet(client, 'call') !== 'function') {
    throw new TypeError('useResilience: expected an mtcute client (TelegramClient or BaseTelegramClient) with a call() method');
  }
  const target: MtcuteClient = client;
  return replaceMethod({ client: target, key: 'call', sdk: 'mtcute', mark: WRAPPED, resilience }, (mtcuteCall, isActive) => {
    return (request: MtcuteRequest, params?: MtcuteCallParams): Promise<unknown> => {
      const method = safeGet(request, '_');
      if (!isActive() || typeof method !== 'string') return mtcuteCall.call(client, request, params);
      // mtcute treats a missing or zero dcId as "the primary DC".
      const firstDc = params?.dcId === 0 ? undefined : params?.dcId;
      const dcFor = dcChooser(firstDc);
      return resilience.call(
        (attempt) =>
          mtcuteCall.call(client, (attempt.params ?? request) as unknown as MtcuteRequest, paramsFor(params, attempt, dcFor(attempt), firstDc)),
        { method, params: request as unknown as CallParams, dc: firstDc, signal: params?.abortSignal },
      );
    };
  });
}

/** The options for one attempt: the caller's, with the engine's DC and mtcute's own retries off. */
function paramsFor(
  params: MtcuteCallParams | undefined,
  attempt: Attempt,
  dc: number | undefined,
  firstDc: number | undefined,
): MtcuteCallParams {
  const next: MtcuteCallParams & { manager?: unknown } = { ...params };
  if (next.floodSleepThreshold === undefined) next.floodSleepThreshold = 0;
  if (next.maxRetryCount === undefined) next.maxRetryCount = 0;
  if (dc === undefined) delete next.dcId;
  else next.dcId = dc;
  // `manager` wins over `dcId` in mtcute: after a migration it would pin the call to the old DC.
  if (dc !== firstDc) delete next.manager;
  // A call without a signal passes none on (its attempt.signal would be made only to be ignored).
  if (params?.abortSignal) next.abortSignal = attempt.signal;
  return next;
}
