/**
 * The mtcute adapter: the shared MTProto table, then what only mtcute has (its own migration handling
 * on the primary DC, its per-method flood memory, its middlewares' per-call options, `manager`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage, TelegramClient, tl } from '@mtcute/node';
import { useResilience } from '../../src/adapters/mtcute.js';
import { createResilience } from '../../src/engine/resilience.js';
import type { ResilienceOptions } from '../../src/engine/options.js';
import { mtcuteDriverFactory, type MtcuteDriver, type MtcuteDriverOptions } from './mtproto-mtcute-driver.js';
import { drive, HOME, rejectionOf, rpcError, runMtprotoScenarios, startScenario, type Scenario } from './mtproto-scenarios.js';

runMtprotoScenarios('mtcute', mtcuteDriverFactory());

describe('mtcute adapter: what only mtcute has', () => {
  let current: Scenario | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const start = async (options: ResilienceOptions = {}, driver: MtcuteDriverOptions = {}) => {
    current = await startScenario(mtcuteDriverFactory(driver), options);
    return { ...current, mtcute: current.driver as MtcuteDriver };
  };
  const networkOf = (client: TelegramClient) =>
    (client as unknown as { _client: { mt: { network: { _primaryDc: unknown } } } })._client.mt.network;

  it('USER_MIGRATE from the primary DC is handled inside mtcute (primary moved, resent once): the engine never sees it', async () => {
    const t = await start();
    t.network.script('auth.importBotAuthorization', rpcError(303, 'USER_MIGRATE_4'));
    await expect(drive(t.clock, t.mtcute.call('auth.importBotAuthorization'))).resolves.toMatchObject({ dc: 4 });
    expect(t.network.dcs('auth.importBotAuthorization')).toEqual([HOME, 4]);
    expect(t.events('dcMigrate')).toEqual([]);
    expect(t.events('retry')).toEqual([]);
  });

  it('a migration mtcute gives up on reaches the engine, which repeats the call with params.dcId', async () => {
    const t = await start();
    // mtcute moves to DC 4 and resends; DC 4 points to DC 5, which mtcute hands back.
    t.network.script('auth.importBotAuthorization', rpcError(303, 'USER_MIGRATE_4'), rpcError(303, 'USER_MIGRATE_5'));
    await expect(drive(t.clock, t.mtcute.call('auth.importBotAuthorization'))).resolves.toMatchObject({ dc: 5 });
    expect(t.network.dcs('auth.importBotAuthorization')).toEqual([HOME, 4, 5]);
    expect(t.events('dcMigrate')).toEqual([expect.objectContaining({ toDc: 5 })]);
  });

  it('the home DC the engine learnt does not override mtcute\'s primary on later calls', async () => {
    const t = await start();
    // DC 3 is not the primary, so mtcute hands its USER_MIGRATE to the engine.
    t.network.script('users.getFullUser', rpcError(303, 'USER_MIGRATE_4'));
    await expect(drive(t.clock, t.mtcute.call('users.getFullUser', { dc: 3 }))).resolves.toMatchObject({ dc: 4 });
    expect(t.resilience.homeDc).toBe(4);
    await expect(drive(t.clock, t.mtcute.call('users.getFullUser'))).resolves.toMatchObject({ dc: HOME });
    expect(t.network.dcs('users.getFullUser')).toEqual([3, 4, HOME]);
  });

  it('mtcute remembers a flood wait per method: the next call of that method fails at once without being sent', async () => {
    const t = await start();
    t.network.script('users.getFullUser', rpcError(420, 'FLOOD_WAIT_3600'));
    await rejectionOf(t.clock, t.mtcute.call('users.getFullUser'));
    const second = await rejectionOf(t.clock, t.mtcute.call('users.getFullUser'));
    expect(second).toBeInstanceOf(tl.RpcError);
    expect(second).toMatchObject({ code: 420, text: 'FLOOD_WAIT_%d', seconds: 3600 });
    expect(t.network.dcs('users.getFullUser')).toEqual([HOME]);
    // Other methods are not held back.
    await expect(drive(t.clock, t.mtcute.call('help.getNearestDc'))).resolves.toMatchObject({ dc: HOME });
  });

  it('with mtcute\'s default middlewares a 5xx costs one pause of its own (waitTime, 1 s) before the engine backs off; it is not resent by mtcute', async () => {
    const t = await start({}, { middlewares: 'default' });
    t.compressRealTimers(1000);
    t.network.script('users.getFullUser', rpcError(500, 'RPC_CALL_FAIL'));
    await expect(drive(t.clock, t.mtcute.call('users.getFullUser'))).resolves.toMatchObject({ dc: HOME });
    expect(t.network.dcs('users.getFullUser')).toEqual([HOME, HOME]);
    expect(t.realTimers().filter((ms) => ms >= 1000)).toEqual([1000]);
    expect(t.events('retry')).toEqual([expect.objectContaining({ action: 'backoff' })]);
  });

  it('floodSleepThreshold and maxRetryCount the caller passes are kept (mtcute\'s file transfers rely on it)', async () => {
    const t = await start();
    t.compressRealTimers(1000);
    t.network.script('users.getFullUser', rpcError(420, 'FLOOD_WAIT_2'));
    const call = t.mtcute.callWith('users.getFullUser', { floodSleepThreshold: 10_000, maxRetryCount: 1 });
    await expect(drive(t.clock, call)).resolves.toMatchObject({ dc: HOME });
    // mtcute slept and resent by itself; the engine saw a success.
    expect(t.realTimers().filter((ms) => ms >= 1000)).toEqual([2000]);
    expect(t.network.dcs('users.getFullUser')).toEqual([HOME, HOME]);
    expect(t.events('floodWait')).toEqual([]);
    expect(t.slept()).toBe(0);
  });

  it('a `manager` pinning the call to a DC is dropped once the engine moves the call', async () => {
    const t = await start();
    await drive(t.clock, t.mtcute.call('help.getNearestDc'));
    const manager = networkOf(t.mtcute.client)._primaryDc;
    t.network.script('upload.getFile', rpcError(303, 'FILE_MIGRATE_4'));
    await expect(drive(t.clock, t.mtcute.callWith('upload.getFile', { manager }))).resolves.toMatchObject({ dc: 4 });
    expect(t.network.dcs('upload.getFile')).toEqual([HOME, 4]);
  });

  it('params.abortSignal aborts the call during the engine\'s flood sleep', async () => {
    const t = await start();
    t.network.script('users.getFullUser', rpcError(420, 'FLOOD_WAIT_30'));
    const controller = new AbortController();
    const call = t.mtcute.callWith('users.getFullUser', { abortSignal: controller.signal });
    call.catch(() => {});
    while (t.clock.pending() === 0) await new Promise((resolve) => setImmediate(resolve));
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(t.network.dcs('users.getFullUser')).toEqual([HOME]);
  });

  it('undo gives the client mtcute\'s own call back; wrapping twice is refused', async () => {
    const t = await start();
    expect(() => useResilience(t.mtcute.client, t.resilience)).toThrow(/already wrapped/);
    t.mtcute.undo();
    expect(Object.prototype.hasOwnProperty.call(t.mtcute.client, 'call')).toBe(false);
    expect(t.mtcute.client.call).toBe(TelegramClient.prototype.call);
  });
});

describe('mtcute adapter: edges', () => {
  it('rejects what is not an mtcute client, and a missing resilience', () => {
    const resilience = createResilience();
    expect(() => useResilience({} as never, resilience)).toThrow(/mtcute client/);
    const client = new TelegramClient({ apiId: 1, apiHash: 'hash', storage: new MemoryStorage(), disableUpdates: true, logLevel: 0 });
    expect(() => useResilience(client, {} as never)).toThrow(/createResilience/);
  });

  it('a request without a TL name goes to mtcute untouched, without the engine', async () => {
    let engineCalls = 0;
    let seen: unknown;
    const client = {
      call: async (request: unknown) => {
        seen = request;
        return 'mtcute';
      },
    };
    useResilience(client as never, { call: async () => ((engineCalls++), 'engine') } as never);
    await expect((client.call as (r: unknown) => Promise<unknown>)(42)).resolves.toBe('mtcute');
    expect(seen).toBe(42);
    expect(engineCalls).toBe(0);
  });
});
