/**
 * A real mtcute `TelegramClient` (from `@mtcute/node`, with a `MemoryStorage` so no session file is
 * written) whose network is a ScriptedNetwork.
 *
 * What is replaced, and only that: `SessionConnection`, mtcute's one connection to one DC (exported
 * by `@mtcute/core`). Its `connect` and `_authorize` do nothing, and its `sendRpc` answers from the
 * script: a result, or `{ _: 'mt_rpc_error', errorCode, errorMessage }`, which is what mtcute's TL
 * reader gives for an rpc_error. Everything above (the connection pools, the DC managers, the
 * network manager with its DC routing and its own USER/PHONE/NETWORK_MIGRATE handling, the config
 * fetch, the middlewares, `tl.RpcError.fromTl` in the client) is mtcute's own code.
 */
import { expect, vi } from 'vitest';
import { Long, MemoryStorage, networkMiddlewares, SessionConnection, TelegramClient, tl } from '@mtcute/node';
import { useResilience } from '../../src/adapters/mtcute.js';
import type { DriverContext, MethodName, MtprotoDriver } from './mtproto-scenarios.js';

const REQUESTS: Record<MethodName, () => tl.RpcMethod> = {
  'users.getFullUser': () => ({ _: 'users.getFullUser', id: { _: 'inputUserSelf' } }),
  'help.getNearestDc': () => ({ _: 'help.getNearestDc' }),
  'messages.sendMessage': () => ({ _: 'messages.sendMessage', peer: { _: 'inputPeerSelf' }, message: 'hello', randomId: Long.fromInt(1) }),
  'upload.getFile': () => ({
    _: 'upload.getFile',
    location: { _: 'inputDocumentFileLocation', id: Long.fromInt(1), accessHash: Long.fromInt(2), fileReference: new Uint8Array(0), thumbSize: '' },
    offset: 0,
    limit: 1024,
  }),
  'auth.sendCode': () => ({ _: 'auth.sendCode', phoneNumber: '+15550000000', apiId: 1, apiHash: 'hash', settings: { _: 'codeSettings' } }),
  'auth.importBotAuthorization': () => ({
    _: 'auth.importBotAuthorization',
    flags: 0,
    apiId: 1,
    apiHash: 'hash',
    botAuthToken: 'not-a-token',
  }),
  'stats.getBroadcastStats': () => ({
    _: 'stats.getBroadcastStats',
    channel: { _: 'inputChannel', channelId: 1, accessHash: Long.fromInt(2) },
  }),
};

/** What `help.getConfig` answers: where the DCs are (mtcute reads it before opening another DC). */
const config = () => ({
  _: 'config',
  expires: Math.floor(Date.now() / 1000) + 3600,
  dcOptions: [1, 2, 3, 4, 5].map((id) => ({ _: 'dcOption', id, ipAddress: '127.0.0.1', port: 443 })),
});

/** Options for how the client is built. */
export interface MtcuteDriverOptions {
  /**
   * `engine` (the setup the docs recommend): mtcute's default middlewares with the internal-errors
   * pause (`waitTime`) at 0. `default`: mtcute's defaults untouched.
   */
  middlewares?: 'engine' | 'default';
}

export interface MtcuteDriver extends MtprotoDriver {
  client: TelegramClient;
  /** Sends `request` with `params` through the wrapped client, as mtcute's own methods do. */
  callWith(method: MethodName, params: Record<string, unknown>): Promise<unknown>;
}

type Patched = Record<string, unknown>;

export function mtcuteDriverFactory(options: MtcuteDriverOptions = {}) {
  return async ({ network, resilience }: DriverContext): Promise<MtcuteDriver> => {
    const proto = SessionConnection.prototype as unknown as Patched;
    const saved = ['sendRpc', 'connect', '_authorize'].map((key) => ({
      key,
      own: Object.prototype.hasOwnProperty.call(proto, key),
      value: proto[key],
    }));
    proto.sendRpc = async function (this: { params: { dc: { id: number } } }, request: { _: string }) {
      const dc = this.params.dc.id;
      // Answers arrive later than the send, as from a socket.
      await new Promise((resolve) => setImmediate(resolve));
      const answer = network.answer(request._, dc);
      if ('error' in answer) return { _: 'mt_rpc_error', errorCode: answer.error[0], errorMessage: answer.error[1] };
      return request._ === 'help.getConfig' ? config() : { _: 'answer', answer: request._, dc };
    };
    proto.connect = () => {};
    proto._authorize = () => {};

    const client = new TelegramClient({
      apiId: 1,
      apiHash: 'hash',
      storage: new MemoryStorage(),
      disableUpdates: true,
      logLevel: 0,
      ...(options.middlewares === 'default'
        ? {}
        : { network: { middlewares: networkMiddlewares.basic({ internalErrors: { waitTime: 0 } }) } }),
    });
    // Errors exactly as mtcute's client throws them, to check that the caller gets these objects.
    const base = (client as unknown as { _client: { call: (...args: unknown[]) => Promise<unknown> } })._client;
    const produced = new WeakSet<object>();
    const baseCall = base.call;
    vi.spyOn(base, 'call').mockImplementation(async (...args: unknown[]) => {
      try {
        return await baseCall.apply(base, args);
      } catch (error) {
        produced.add(error as object);
        throw error;
      }
    });

    const undo = useResilience(client, resilience);
    const send = (method: MethodName, params?: Record<string, unknown>) =>
      client.call(REQUESTS[method]() as Parameters<TelegramClient['call']>[0], params);
    return {
      client,
      call: (method, { dc } = {}) => send(method, dc === undefined ? undefined : { dcId: dc }),
      callWith: send,
      expectSdkError(error, code, message) {
        const expected = tl.RpcError.fromTl({ _: 'mt_rpc_error', errorCode: code, errorMessage: message });
        expect(error).toBeInstanceOf(tl.RpcError);
        const fields = (e: object) => {
          const { code: c, text, seconds, newDc, dc, message: m } = e as Record<string, unknown>;
          return { code: c, text, seconds, newDc, dc, message: m };
        };
        expect(fields(error as object)).toEqual(fields(expected));
        // Unchanged: the very object mtcute's client threw.
        expect(produced.has(error as object)).toBe(true);
      },
      undo,
      async close() {
        undo();
        try {
          await client.destroy();
        } finally {
          for (const { key, own, value } of saved) {
            if (own) proto[key] = value;
            else delete proto[key];
          }
        }
      },
    };
  };
}
