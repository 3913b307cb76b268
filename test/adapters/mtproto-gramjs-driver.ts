/**
 * A real GramJS `TelegramClient` (StringSession, home DC 2) whose network is a ScriptedNetwork.
 *
 * What is replaced, and only that: the senders. GramJS gets its connections from `connect()` (home
 * DC, at start and inside `_switchDC`) and from `_createExportedSender()` (other DCs, inside
 * `_borrowExportedSender`); both hand out real `MTProtoSender`s whose wire side is scripted:
 * `connect` opens nothing, and a request entering the wire (`addStateToQueue`, or `send` for
 * GramJS's own init requests) is answered from the script. An rpc_error becomes GramJS's error object
 * exactly as MTProtoSender makes it, `RPCMessageToError(new Api.RpcError({ errorCode, errorMessage }),
 * state.request)`, and settles the request with `state.reject`. Everything else (invoke's loop,
 * getSender, `_borrowExportedSender`, `_connectSender` with its authorization export, `_switchDC`,
 * `getDC`, entities) is GramJS's own code.
 */
import { expect } from 'vitest';
import bigInt from 'big-integer';
import type { Api, TelegramClient } from 'telegram';
import type { Logger } from 'telegram/extensions/Logger.js';
import type { MTProtoSender } from 'telegram/network/index.js';
import { useResilience } from '../../src/adapters/gramjs.js';
import { GRAMJS_SDKS, type GramJsSdk } from './gramjs-sdks.js';
import { HOME, type DriverContext, type MethodName, type MtprotoDriver } from './mtproto-scenarios.js';

/** GramJS members the driver replaces or reads (not in GramJS's public typings, or typed narrower). */
interface GramJsInternals {
  _sender?: MTProtoSender;
  _log: Logger;
  _connectedDeferred: { resolve(): void };
  _createExportedSender(dcId: number): MTProtoSender;
  connect(): Promise<boolean>;
  _exportedSenderPromises: Map<number, Promise<MTProtoSender>>;
  _exportedSenderReleaseTimeouts: Map<number, ReturnType<typeof setTimeout>>;
}

interface QueuedState {
  request: Api.AnyRequest;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/** One request of each method the scenarios use, built from `sdk`'s own classes. */
export function requestsFor({ Api }: GramJsSdk): Record<MethodName, () => Api.AnyRequest> {
  return {
    'users.getFullUser': () => new Api.users.GetFullUser({ id: new Api.InputUserSelf() }),
    'help.getNearestDc': () => new Api.help.GetNearestDc(),
    'messages.sendMessage': () => new Api.messages.SendMessage({ peer: new Api.InputPeerSelf(), message: 'hello' }),
    'upload.getFile': () =>
      new Api.upload.GetFile({
        location: new Api.InputDocumentFileLocation({ id: bigInt(1), accessHash: bigInt(2), fileReference: Buffer.alloc(0), thumbSize: '' }),
        offset: bigInt(0),
        limit: 1024,
      }),
    'auth.sendCode': () =>
      new Api.auth.SendCode({ phoneNumber: '+15550000000', apiId: 1, apiHash: 'hash', settings: new Api.CodeSettings({}) }),
    'auth.importBotAuthorization': () =>
      new Api.auth.ImportBotAuthorization({ flags: 0, apiId: 1, apiHash: 'hash', botAuthToken: 'not-a-token' }),
    'stats.getBroadcastStats': () =>
      new Api.stats.GetBroadcastStats({ channel: new Api.InputChannel({ channelId: bigInt(1), accessHash: bigInt(2) }) }),
  };
}

/** GramJS's own requests (the first bundle), for tests that need no other SDK. */
export const REQUESTS = requestsFor(GRAMJS_SDKS[0]!);

/** `messages.SendMessage` -> `messages.sendMessage` (written here again so the test does not trust the adapter's). */
const tlName = (className: string) => className.replace(/(^|\.)([A-Z])/, (_m, dot: string, c: string) => dot + c.toLowerCase());

/** What `help.getConfig` answers: where the DCs are (GramJS's `getDC` reads it when it switches DCs). */
const CONFIG = { dcOptions: [1, 2, 3, 4, 5].map((id) => ({ id, ipAddress: '127.0.0.1', port: 443, ipv6: false })) };

export interface GramJsDriver extends MtprotoDriver {
  client: TelegramClient;
  internals: GramJsInternals;
  /** Every request object that reached the network, in order. */
  sent: Api.AnyRequest[];
}

/** Options for how the client is built. */
export interface GramJsDriverOptions {
  /** GramJS's own flood sleep limit in seconds; the docs recommend 0 (the default here). */
  floodSleepThreshold?: number;
  /** Which GramJS package builds the client (default: `telegram`). */
  sdk?: GramJsSdk;
}

export function gramJsDriverFactory(options: GramJsDriverOptions = {}) {
  return (context: DriverContext) => createGramJsDriver(context, options);
}

async function createGramJsDriver({ network, resilience }: DriverContext, options: GramJsDriverOptions): Promise<GramJsDriver> {
  const sdk = options.sdk ?? GRAMJS_SDKS[0]!;
  const { Api, TelegramClient, StringSession, Logger, LogLevel, MTProtoSender, RPCError, RPCMessageToError } = sdk;
  const REQUESTS = requestsFor(sdk);
  const client = new TelegramClient(new StringSession(''), 1, 'hash', {
    floodSleepThreshold: options.floodSleepThreshold ?? 0,
    connectionRetries: 1,
    baseLogger: new Logger(LogLevel.NONE),
  });
  const internals = client as unknown as GramJsInternals;
  client.session.setDC(HOME, '127.0.0.1', 443);
  const produced = new WeakSet<object>();
  const sent: Api.AnyRequest[] = [];

  const scriptedSender = (dc: number): MTProtoSender => {
    const sender = new MTProtoSender(undefined, { logger: internals._log, dcId: dc, client } as unknown as ConstructorParameters<typeof MTProtoSender>[1]);
    // Where a request enters the wire; answered a little later, as from a socket.
    const enqueue = (state: QueuedState) => {
      sent.push(state.request);
      const method = tlName(state.request.className);
      setImmediate(() => {
        const answer = network.answer(method, dc);
        if ('error' in answer) {
          const [errorCode, errorMessage] = answer.error;
          const error = RPCMessageToError(new Api.RpcError({ errorCode, errorMessage }), state.request);
          produced.add(error);
          state.reject(error);
        } else {
          state.resolve(method === 'help.getConfig' ? CONFIG : { answer: method, dc });
        }
      });
    };
    sender.isConnected = () => true;
    sender.connect = async () => true;
    sender.addStateToQueue = enqueue as unknown as MTProtoSender['addStateToQueue'];
    sender.send = (request: Api.AnyRequest) => new Promise((resolve, reject) => enqueue({ request, resolve, reject }));
    return sender;
  };

  internals._sender = scriptedSender(HOME);
  internals._connectedDeferred.resolve();
  internals.connect = async () => {
    internals._sender = scriptedSender(client.session.dcId);
    internals._connectedDeferred.resolve();
    return true;
  };
  internals._createExportedSender = (dcId) => scriptedSender(dcId);

  const undo = useResilience(client, resilience);
  return {
    client,
    internals,
    sent,
    call: (method, options = {}) => client.invoke(REQUESTS[method](), options.dc),
    expectSdkError(error, code, message) {
      const expected = RPCMessageToError(new Api.RpcError({ errorCode: code, errorMessage: message }), REQUESTS['users.getFullUser']());
      expect(error).toBeInstanceOf(RPCError);
      expect(Object.getPrototypeOf(error)).toBe(Object.getPrototypeOf(expected));
      const fields = (e: object) => {
        const { code: c, errorMessage, seconds, newDc } = e as Record<string, unknown>;
        // Typed errors end their text with the request that caused them; `expected` was made for another one.
        const text = typeof errorMessage === 'string' ? errorMessage.replace(/ \(caused by [\w.]+\)$/, '') : errorMessage;
        return { code: c, errorMessage: text, seconds, newDc };
      };
      expect(fields(error as object)).toEqual(fields(expected));
      // Unchanged: the very object GramJS made of Telegram's answer.
      expect(produced.has(error as object)).toBe(true);
    },
    undo,
    async close() {
      undo();
      for (const timer of internals._exportedSenderReleaseTimeouts.values()) clearTimeout(timer);
      await client.destroy();
    },
  };
}
