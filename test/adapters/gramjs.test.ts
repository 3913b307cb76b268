/**
 * The GramJS adapter: the shared MTProto table, then what only GramJS has (its own home-DC rule for
 * logged-in sessions, the MSG_WAIT handling it keeps, its floodSleepThreshold, its request classes).
 * All of it runs against both GramJS packages: `telegram` and its maintained fork `teleproto`.
 */
import bigInt from 'big-integer';
import { afterEach, describe, expect, it } from 'vitest';
import { methodName, useResilience } from '../../src/adapters/gramjs.js';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import type { ResilienceOptions } from '../../src/engine/options.js';
import { GRAMJS_SDKS } from './gramjs-sdks.js';
import { gramJsDriverFactory, requestsFor, type GramJsDriver, type GramJsDriverOptions } from './mtproto-gramjs-driver.js';
import { drive, HOME, rejectionOf, rpcError, runMtprotoScenarios, startScenario, type Scenario } from './mtproto-scenarios.js';

describe('the GramJS packages under test', () => {
  it('are telegram 2.26 and teleproto 214, two separate copies', () => {
    expect(GRAMJS_SDKS.map((sdk) => sdk.name)).toEqual([expect.stringMatching(/^telegram 2\.26\./), expect.stringMatching(/^teleproto 214\./)]);
    const [gramjs, teleproto] = GRAMJS_SDKS;
    expect(teleproto!.TelegramClient).not.toBe(gramjs!.TelegramClient);
    expect(teleproto!.errors.FloodWaitError).not.toBe(gramjs!.errors.FloodWaitError);
  });
});

for (const sdk of GRAMJS_SDKS) {
  const { Api, TelegramClient, Logger, LogLevel, StringSession } = sdk;
  const REQUESTS = requestsFor(sdk);

  runMtprotoScenarios(`GramJS (${sdk.name})`, gramJsDriverFactory({ sdk }));

  describe(`GramJS adapter (${sdk.name}): what only GramJS has`, () => {
    let current: Scenario | undefined;
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const start = async (options: ResilienceOptions = {}, session: { loggedIn?: boolean } = {}, driver: GramJsDriverOptions = {}) => {
      current = await startScenario(gramJsDriverFactory({ sdk, ...driver }), options, session);
      return { ...current, gramjs: current.driver as GramJsDriver };
    };

    it('PHONE_MIGRATE while logging in moves the home DC with GramJS\'s _switchDC (no exported sender, whose authorization export would fail)', async () => {
      const t = await start({}, { loggedIn: false });
      t.network.script('auth.sendCode', rpcError(303, 'PHONE_MIGRATE_4'));
      await expect(drive(t.clock, t.gramjs.call('auth.sendCode'))).resolves.toMatchObject({ dc: 4 });
      expect(t.gramjs.client.session.dcId).toBe(4);
      expect(t.gramjs.internals._exportedSenderPromises.has(4)).toBe(false);
      expect(t.network.dcs('auth.sendCode')).toEqual([HOME, 4]);
      // The engine decided (one reroute, counted against maxDcHops), GramJS's loop did not.
      expect(t.events('dcMigrate')).toEqual([expect.objectContaining({ method: 'auth.sendCode', toDc: 4 })]);
    });

    it('PHONE_MIGRATE while logged in keeps the home DC, as GramJS does: this call goes to DC 4 over an exported sender, later calls stay home', async () => {
      const t = await start({}, { loggedIn: true });
      t.network.script('auth.sendCode', rpcError(303, 'PHONE_MIGRATE_4'));
      await expect(drive(t.clock, t.gramjs.call('auth.sendCode'))).resolves.toMatchObject({ dc: 4 });
      expect(t.gramjs.client.session.dcId).toBe(HOME);
      expect(t.gramjs.internals._exportedSenderPromises.has(4)).toBe(true);
      // GramJS copied the login to DC 4 before using it.
      expect(t.network.invocations('auth.exportAuthorization')).toEqual([{ method: 'auth.exportAuthorization', dc: HOME }]);
      await expect(drive(t.clock, t.gramjs.call('auth.sendCode'))).resolves.toMatchObject({ dc: HOME });
    });

    it('USER_MIGRATE moves the home DC even when logged in (GramJS\'s own rule)', async () => {
      const t = await start({}, { loggedIn: true });
      t.network.script('users.getFullUser', rpcError(303, 'USER_MIGRATE_4'));
      await expect(drive(t.clock, t.gramjs.call('users.getFullUser'))).resolves.toMatchObject({ dc: 4 });
      expect(t.gramjs.client.session.dcId).toBe(4);
      expect(t.network.dcs('users.getFullUser')).toEqual([HOME, 4]);
    });

    it('MSG_WAIT_FAILED stays GramJS\'s business (resent after the earlier message); the engine sees nothing', async () => {
      const t = await start();
      t.network.script('messages.sendMessage', rpcError(400, 'MSG_WAIT_FAILED'));
      await expect(drive(t.clock, t.gramjs.call('messages.sendMessage'))).resolves.toMatchObject({ dc: HOME });
      expect(t.network.dcs('messages.sendMessage')).toEqual([HOME, HOME]);
      expect(t.events('retry')).toEqual([]);
      expect(t.events('giveUp')).toEqual([]);
    });

    it('GramJS\'s own floodSleepThreshold (default 60) does not make it sleep on wrapped requests: the engine gets the flood wait first', async () => {
      const t = await start({}, {}, { floodSleepThreshold: 60 });
      t.network.script('users.getFullUser', rpcError(420, 'FLOOD_WAIT_5'));
      await expect(drive(t.clock, t.gramjs.call('users.getFullUser'))).resolves.toMatchObject({ dc: HOME });
      expect(t.slept()).toBe(5000);
      expect(t.realTimers().filter((ms) => ms >= 1000)).toEqual([]);
    });

    it('a parameter copy the engine rewrote is sent with the request\'s own class', async () => {
      const t = await start({ chatIdStore: { get: (old) => (old === '-5' ? -1005 : undefined), set: () => {} } });
      const request = Object.assign(new Api.messages.GetFullChat({ chatId: bigInt(5) }), { chat_id: -5 });
      await drive(t.clock, t.gramjs.client.invoke(request));
      const sent = t.gramjs.sent.at(-1)!;
      expect(sent).toBeInstanceOf(Api.messages.GetFullChat);
      expect(sent).not.toBe(request);
      expect(sent).toMatchObject({ className: 'messages.GetFullChat', chat_id: -1005 });
      expect(sent.getBytes()).toEqual(request.getBytes());
    });

    it('undo gives the client GramJS\'s own invoke back; wrapping twice is refused', async () => {
      const t = await start();
      expect(() => useResilience(t.gramjs.client, t.resilience)).toThrow(/already wrapped/);
      t.gramjs.undo();
      expect(Object.prototype.hasOwnProperty.call(t.gramjs.client, 'invoke')).toBe(false);
      expect(t.gramjs.client.invoke).toBe(TelegramClient.prototype.invoke);
      const undoAgain = useResilience(t.gramjs.client, t.resilience);
      undoAgain();
    });
  });

  describe(`GramJS adapter (${sdk.name}): edges`, () => {
    const bareClient = () =>
      new TelegramClient(new StringSession(''), 1, 'hash', { floodSleepThreshold: 0, baseLogger: new Logger(LogLevel.NONE) });

    it('a client that is not connected fails with GramJS\'s own error, once', async () => {
      const clock = createManualClock();
      const resilience = createResilience({ clock });
      const giveUps: unknown[] = [];
      resilience.on('giveUp', (e) => giveUps.push(e));
      const client = bareClient();
      useResilience(client, resilience);
      const error = await rejectionOf(clock, client.invoke(REQUESTS['help.getNearestDc']()));
      expect((error as Error).message).toMatch(/Cannot send requests while disconnected/);
      expect(giveUps).toHaveLength(1);
      await resilience.close();
    });

    it('something that is not a request is refused by GramJS itself, without the engine', async () => {
      const resilience = createResilience({ clock: createManualClock() });
      let calls = 0;
      const counting = { call: ((...args: Parameters<typeof resilience.call>) => (calls++, resilience.call(...args))) as typeof resilience.call };
      const client = bareClient();
      useResilience(client, counting);
      await expect(client.invoke(new Api.InputPeerSelf() as never)).rejects.toThrow(/only invoke MTProtoRequests/);
      expect(calls).toBe(0);
      await resilience.close();
    });

    it('rejects what is not a GramJS client', () => {
      const resilience = createResilience();
      expect(() => useResilience({ invoke() {} } as never, resilience)).toThrow(/GramJS TelegramClient \(missing invokeWithSender, getSender\)/);
      expect(() => useResilience(bareClient(), {} as never)).toThrow(/createResilience/);
    });

    it('names methods the way the engine\'s rules spell them', () => {
      expect(methodName(new Api.messages.SendMessage({ peer: new Api.InputPeerSelf(), message: 'x' }))).toBe('messages.sendMessage');
      expect(methodName(new Api.help.GetConfig())).toBe('help.getConfig');
      expect(methodName(new Api.InvokeWithLayer({ layer: 1, query: new Api.help.GetConfig() }))).toBe('invokeWithLayer');
      expect(methodName({})).toBeUndefined();
    });
  });
}
