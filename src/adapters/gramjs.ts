/**
 * GramJS adapter (the `telegram` package, or its maintained fork `teleproto`; both are tested):
 * `useResilience(client, resilience)` wraps `client.invoke` in place, so every request the client
 * sends (yours and those of GramJS's high-level methods) goes through the engine, which decides on
 * flood waits, DC migrations and Telegram's internal errors.
 *
 * Why not simply call GramJS's own `invoke` once per attempt: its request loop (client/users.js)
 * already reacts to some errors before the caller sees them. It sleeps on FLOOD_WAIT up to
 * `floodSleepThreshold`, sleeps 2 s and resends on 5xx/`RPC_CALL_FAIL` (up to `requestRetries`
 * times, also for `messages.sendMessage`), and moves the session's home DC on USER/PHONE/NETWORK
 * migrations. Two policies on one call would double the waits and resend what may have been
 * delivered. So each attempt still runs through GramJS's own request path (`invokeWithSender`:
 * entity resolution, the entity cache, MSG_WAIT and CONNECTION_NOT_INITED handling stay GramJS's),
 * but the sender we hand it marks every rpc error it settles with, so GramJS's loop lets it through
 * at once; we take the original error back out and give it to the engine unchanged.
 *
 * Where an attempt goes: the DC the caller named or, once the engine has rerouted the call after a
 * *_MIGRATE_X, DC X (see mtproto-dc.ts for why the engine's remembered home DC is not used). No DC,
 * or the session's home DC -> the client's main sender; any other DC -> `client.getSender(dc)`, the
 * exported (authorization-copied) sender GramJS itself uses for other DCs (file downloads after
 * FILE_MIGRATE, `invoke(request, dcId)`). One exception, mirroring GramJS's own loop: after
 * USER_MIGRATE_X, or PHONE/NETWORK_MIGRATE_X while not logged in, the home DC itself must move (a
 * session that is not logged in has no authorization to export, and GramJS's exported-sender
 * connect would retry that export forever), so the adapter calls GramJS's `_switchDC(X)` first.
 *
 * Nothing here imports GramJS at runtime: the client is duck-typed (several copies of GramJS in one
 * tree stay usable, and the core never loads an SDK).
 */
import { classify } from '../errors/classify.js';
import { constructorNameOf, safeGet } from '../errors/shapes.js';
import type { CallParams } from '../core/call.js';
import { dcChooser } from './mtproto-dc.js';
import { replaceMethod, type ResilienceCaller, type Unwrap } from './mtproto-wrap.js';

/** A GramJS request object (`new Api.messages.SendMessage({ ... })`), as far as the adapter reads it. */
export interface GramJsRequest {
  /** TL name, e.g. `messages.SendMessage`; reported to the engine as `messages.sendMessage`. */
  className?: string;
  /** `"request"` for everything `invoke` can send. */
  classType?: string;
}

/** GramJS's per-request bookkeeping (`RequestState`): the adapter only replaces its `reject`. */
export interface GramJsRequestState {
  reject: (reason?: unknown) => void;
}

/** An `MTProtoSender`, as far as the adapter uses it. */
export interface GramJsSender {
  addStateToQueue(state: GramJsRequestState): void;
}

/**
 * The members of GramJS's `TelegramClient` the adapter uses. A real `TelegramClient` fits; so does
 * any object with the same members.
 */
export interface GramJsClient {
  invoke(request: GramJsRequest, dcId?: number): Promise<unknown>;
  invokeWithSender(request: GramJsRequest, sender?: GramJsSender): Promise<unknown>;
  getSender(dcId: number): Promise<GramJsSender>;
  session: { readonly dcId: number };
  /** The main sender (home DC); undefined until `connect()`. */
  _sender?: GramJsSender | undefined;
  /** Moves the session's home DC (GramJS does this itself on login-time migrations). */
  _switchDC?(newDc: number): Promise<unknown>;
  isUserAuthorized?(): Promise<boolean>;
}

export type { ResilienceCaller, Unwrap };

const WRAPPED = Symbol.for('telegram-resilience.gramjs.wrapped');

/**
 * Routes every `client.invoke(request, dcId?)` through `resilience`. Returns a function that undoes
 * it. The engine's `info.method` is the request's TL name (`messages.sendMessage`), `info.params`
 * the request itself, `info.dc` the `dcId` given to `invoke`. Errors reach the caller as the GramJS
 * error objects Telegram's answer produced (`FloodWaitError`, `FileMigrateError`, `RPCError`, ...).
 *
 * Use one `Resilience` per client (per account): flood waits are per account, and a flood wait
 * closes the engine's gate for that method on the whole `Resilience`.
 */
export function useResilience(client: GramJsClient, resilience: ResilienceCaller): Unwrap {
  assertClient(client);
  return replaceMethod({ client, key: 'invoke', sdk: 'GramJS', mark: WRAPPED, resilience }, (gramJsInvoke, isActive) => {
    return (request: GramJsRequest, dcId?: number): Promise<unknown> => {
      if (!isActive()) return gramJsInvoke.call(client, request, dcId);
      // Anything that is not a request: GramJS rejects it in its own words.
      if (safeGet(request, 'classType') !== 'request') return gramJsInvoke.call(client, request, dcId);
      // GramJS treats a missing or zero dcId as "the home DC".
      const callerDc = dcId === undefined || dcId === 0 ? undefined : dcId;
      const route = new Route(client, gramJsInvoke);
      const dcFor = dcChooser(callerDc);
      return resilience.call((attempt) => route.send(requestFor(request, attempt.params), dcFor(attempt)), {
        method: methodName(request),
        params: request as unknown as CallParams,
        dc: callerDc,
      });
    };
  });
}

function assertClient(client: unknown): asserts client is GramJsClient {
  const missing = ['invoke', 'invokeWithSender', 'getSender'].filter((m) => typeof safeGet(client, m) !== 'function');
  if (missing.length > 0 || typeof safeGet(client, 'session') !== 'object') {
    throw new TypeError(
      `useResilience: expected a GramJS TelegramClient (missing ${missing.length > 0 ? missing.join(', ') : 'session'})`,
    );
  }
}

/** `messages.SendMessage` -> `messages.sendMessage`, the spelling the engine's method rules use. */
export function methodName(request: GramJsRequest): string | undefined {
  const name = safeGet(request, 'className');
  if (typeof name !== 'string' || name === '') return undefined;
  const dot = name.lastIndexOf('.');
  return name.slice(0, dot + 1) + name.charAt(dot + 1).toLowerCase() + name.slice(dot + 2);
}

/**
 * The request to send on this attempt. The engine hands back the request itself unless it rewrote
 * a parameter; a rewritten copy is a plain object, so it gets the request's class back (GramJS
 * serializes through the prototype's methods).
 */
function requestFor(request: GramJsRequest, params: CallParams | undefined): GramJsRequest {
  if (params === undefined || (params as unknown) === request) return request;
  return Object.assign(Object.create(Object.getPrototypeOf(request) as object) as GramJsRequest, params);
}

/** Carries an rpc error through GramJS's request loop, which throws anything it does not know at once. */
class Handover {
  constructor(readonly error: unknown) {}
}

/**
 * Errors GramJS's loop must keep handling itself: they are about message sequencing on the
 * connection, not about the request (MSG_WAIT_*: resend after the earlier message is confirmed;
 * CONNECTION_NOT_INITED: reconnect).
 */
function gramJsHandlesItself(error: unknown): boolean {
  return constructorNameOf(error) === 'MsgWaitError' || safeGet(error, 'message') === 'CONNECTION_NOT_INITED';
}

/** A view of `sender` whose requests settle with their rpc errors wrapped in a Handover. */
function handingOver(sender: GramJsSender): GramJsSender {
  return Object.create(sender, {
    addStateToQueue: {
      value(state: GramJsRequestState) {
        // Replaced on every pass of GramJS's loop, as `resetPromise` makes a new `reject` each time.
        const reject = state.reject;
        state.reject = (reason?: unknown) => reject.call(state, gramJsHandlesItself(reason) ? reason : new Handover(reason));
        sender.addStateToQueue(state);
      },
    },
  }) as GramJsSender;
}

const HOME_MOVES_ALWAYS = /^USER_MIGRATE_/;
const HOME_MOVES_WHEN_LOGGED_OUT = /^(?:PHONE|NETWORK)_MIGRATE_/;

/** Sends the attempts of one call, remembering the last error to know how to reach the next DC. */
class Route {
  private lastError: unknown;

  constructor(
    private readonly client: GramJsClient,
    private readonly gramJsInvoke: GramJsClient['invoke'],
  ) {}

  async send(request: GramJsRequest, dc: number | undefined): Promise<unknown> {
    const sender = await this.senderFor(dc);
    // Not connected: GramJS's own invoke says so ("Cannot send requests while disconnected").
    if (sender === undefined) return this.gramJsInvoke.call(this.client, request);
    try {
      return await this.client.invokeWithSender(request, handingOver(sender));
    } catch (error) {
      const original = error instanceof Handover ? error.error : error;
      this.lastError = original;
      throw original;
    }
  }

  private async senderFor(dc: number | undefined): Promise<GramJsSender | undefined> {
    const { client } = this;
    if (dc === undefined || dc === client.session.dcId) return client._sender;
    if (await this.homeMovesTo(dc)) {
      await client._switchDC!(dc);
      return client._sender;
    }
    return client.getSender(dc);
  }

  /** Does the migration that sent us to `dc` move the home DC (as GramJS decides it)? */
  private async homeMovesTo(dc: number): Promise<boolean> {
    if (typeof this.client._switchDC !== 'function') return false;
    const failure = classify(this.lastError);
    if (failure.kind !== 'dc_migrate' || failure.dc !== dc || failure.type === undefined) return false;
    if (HOME_MOVES_ALWAYS.test(failure.type)) return true;
    if (!HOME_MOVES_WHEN_LOGGED_OUT.test(failure.type)) return false;
    // A logged-in session keeps its home DC: its authorization can be exported to `dc` instead.
    return typeof this.client.isUserAuthorized === 'function' && !(await this.client.isUserAuthorized());
  }
}
