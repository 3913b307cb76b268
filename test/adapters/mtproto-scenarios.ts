/**
 * ONE table of scenarios that both MTProto adapters (GramJS, mtcute) must pass the same way. Each SDK
 * is its real client class with only its network entry points replaced by a `ScriptedNetwork` (see
 * the driver files for exactly which ones), so the SDK's own request path, error classes, DC routing
 * and retry logic all run. A row that one SDK gets wrong fails for that SDK.
 *
 * Time: the engine runs on a manual clock, so flood waits and backoffs cost no real time.
 * `performance.now()` (which mtcute's flood waiter reads) moves with that clock, and every real
 * timer an SDK starts is recorded, so "the SDK did not sleep on its own" can be asserted.
 */
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import type { ResilienceEvents } from '../../src/engine/types.js';
import type { ResilienceOptions } from '../../src/engine/options.js';
import { drive, rejectionOf } from '../helpers/drive.js';

export { drive, rejectionOf };

export const START = 1_700_000_000_000;
/** The DC both SDKs start on (mtcute's default; the GramJS driver sets its session to it). */
export const HOME = 2;

/** The requests the table sends; each driver builds the SDK's own request object for them. */
export type MethodName =
  | 'users.getFullUser'
  | 'help.getNearestDc'
  | 'messages.sendMessage'
  | 'upload.getFile'
  | 'auth.sendCode'
  | 'auth.importBotAuthorization'
  | 'stats.getBroadcastStats';

/** What the scripted network answers one request with: a result, or an rpc_error (code, name). */
export type RpcAnswer = { ok: true } | { error: readonly [code: number, message: string] };

export const rpcError = (code: number, message: string): RpcAnswer => ({ error: [code, message] });

export interface Invocation {
  /** TL method name as the engine spells it (`users.getFullUser`). */
  method: string;
  /** The DC whose connection carried the request. */
  dc: number;
}

const NEED_LOGIN = new Set(['updates.getState', 'auth.exportAuthorization']);

/**
 * Telegram as the drivers' network seams see it: answers each request from a script, and logs which
 * DC every request reached. Unscripted requests succeed, except those that need a logged-in session
 * while it is not: `updates.getState` (how GramJS asks "am I logged in?") and
 * `auth.exportAuthorization` (how a client copies its login to another DC) then get 401.
 */
export class ScriptedNetwork {
  loggedIn = true;
  private readonly queued = new Map<string, RpcAnswer[]>();
  private readonly rules = new Map<string, (dc: number) => RpcAnswer>();
  private readonly log: Invocation[] = [];

  /** The next answers to `method`, in order; after them, success. */
  script(method: MethodName, ...answers: RpcAnswer[]): void {
    this.queued.set(method, [...(this.queued.get(method) ?? []), ...answers]);
  }

  /** Answers every `method` request with `rule(dc)`. */
  always(method: MethodName, rule: (dc: number) => RpcAnswer): void {
    this.rules.set(method, rule);
  }

  /** Called by a driver for every request that reaches the network. */
  answer(method: string, dc: number): RpcAnswer {
    this.log.push({ method, dc });
    const next = this.queued.get(method)?.shift();
    if (next) return next;
    const rule = this.rules.get(method);
    if (rule) return rule(dc);
    if (!this.loggedIn && NEED_LOGIN.has(method)) return rpcError(401, 'AUTH_KEY_UNREGISTERED');
    return { ok: true };
  }

  invocations(method?: string): Invocation[] {
    return this.log.filter((i) => method === undefined || i.method === method);
  }

  /** The DCs that `method` requests reached, in order. */
  dcs(method: MethodName): number[] {
    return this.invocations(method).map((i) => i.dc);
  }
}

/** One SDK's real client with the adapter installed, seen through what the table needs. */
export interface MtprotoDriver {
  /** Sends `method` through the wrapped client (GramJS `invoke(request, dc)`, mtcute `call(request, { dcId: dc })`). */
  call(method: MethodName, options?: { dc?: number }): Promise<unknown>;
  /**
   * Asserts `error` is what this SDK makes of the rpc_error `code message`, unchanged: its class and
   * the fields it parses (GramJS `FloodWaitError.seconds`, mtcute `tl.RpcError.seconds`, ...).
   */
  expectSdkError(error: unknown, code: number, message: string): void;
  /** Undoes `useResilience`. */
  undo(): void;
  close(): Promise<void>;
}

export interface DriverContext {
  network: ScriptedNetwork;
  resilience: Resilience;
}

export type DriverFactory = (context: DriverContext) => Promise<MtprotoDriver>;

type EventName = keyof ResilienceEvents;
const EVENT_NAMES: EventName[] = ['retry', 'floodWait', 'dcMigrate', 'giveUp'];

/** One test's world: clock, engine, network, driver, and what they recorded. */
export interface Scenario {
  clock: ManualClock;
  resilience: Resilience;
  network: ScriptedNetwork;
  driver: MtprotoDriver;
  /** Events of one kind the engine emitted, in order. */
  events<K extends EventName>(name: K): ResilienceEvents[K][];
  /** Delays (ms) of the real timers started since the scenario began (the engine starts none). */
  realTimers(): number[];
  /** Virtual time the engine slept, in ms. */
  slept(): number;
  /** From now on, real timers of at least `minMs` fire at once (they are still recorded). */
  compressRealTimers(minMs: number): void;
  close(): Promise<void>;
}

export async function startScenario(
  factory: DriverFactory,
  options: ResilienceOptions = {},
  { loggedIn = true }: { loggedIn?: boolean } = {},
): Promise<Scenario> {
  const clock = createManualClock(START);
  const realNow = performance.now.bind(performance);
  const realSetTimeout = globalThis.setTimeout;
  const spies: MockInstance[] = [
    // mtcute's flood waiter keeps its own clock (performance.now): let it see the engine's sleeps.
    vi.spyOn(performance, 'now').mockImplementation(() => realNow() + (clock.now() - START)),
    vi.spyOn(globalThis, 'setTimeout'),
  ];
  const timerSpy = spies[1]!;
  const resilience = createResilience({ clock, random: () => 0.5, ...options });
  const recorded = new Map<EventName, unknown[]>();
  for (const name of EVENT_NAMES) {
    recorded.set(name, []);
    resilience.on(name, (event) => recorded.get(name)!.push(event));
  }
  const network = new ScriptedNetwork();
  network.loggedIn = loggedIn;
  const driver = await factory({ network, resilience });
  return {
    clock,
    resilience,
    network,
    driver,
    events: <K extends EventName>(name: K) => recorded.get(name) as ResilienceEvents[K][],
    realTimers: () => timerSpy.mock.calls.map((args) => Number(args[1] ?? 0)),
    slept: () => clock.now() - START,
    compressRealTimers(minMs) {
      const compress = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
        realSetTimeout(callback, (ms ?? 0) >= minMs ? 0 : ms, ...args);
      timerSpy.mockImplementation(compress as never);
    },
    async close() {
      try {
        await driver.close();
        await resilience.close();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    },
  };
}

/**
 * Migrations, each on a request and in a session state Telegram really answers that way: the
 * home-moving ones come while logging in (the SDKs differ only for a logged-in session, which
 * Telegram does not send them to; see the per-SDK tests), FILE_/STATS_MIGRATE to logged-in sessions.
 */
const MIGRATIONS: { name: string; method: MethodName; movesHome: boolean; loggedIn: boolean }[] = [
  { name: 'PHONE_MIGRATE', method: 'auth.sendCode', movesHome: true, loggedIn: false },
  { name: 'NETWORK_MIGRATE', method: 'auth.sendCode', movesHome: true, loggedIn: false },
  { name: 'USER_MIGRATE', method: 'auth.importBotAuthorization', movesHome: true, loggedIn: false },
  { name: 'FILE_MIGRATE', method: 'upload.getFile', movesHome: false, loggedIn: true },
  { name: 'STATS_MIGRATE', method: 'stats.getBroadcastStats', movesHome: false, loggedIn: true },
];

const TRANSIENT: [code: number, message: string][] = [
  [500, 'RPC_CALL_FAIL'],
  [-503, 'Timedout'],
];

/** Runs the whole table against one SDK. */
export function runMtprotoScenarios(sdk: string, factory: DriverFactory): void {
  describe(`${sdk}: shared MTProto scenarios`, () => {
    let current: Scenario | undefined;
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const start = async (options?: ResilienceOptions, session?: { loggedIn?: boolean }) => {
      current = await startScenario(factory, options, session);
      return current;
    };

    it('1. FLOOD_WAIT_5 under the threshold: the engine sleeps 5000 ms on its clock, re-invokes and succeeds; the SDK never sleeps', async () => {
      const t = await start();
      t.network.script('users.getFullUser', rpcError(420, 'FLOOD_WAIT_5'));
      await expect(drive(t.clock, t.driver.call('users.getFullUser'))).resolves.toMatchObject({ dc: HOME });
      expect(t.network.dcs('users.getFullUser')).toEqual([HOME, HOME]);
      expect(t.slept()).toBe(5000);
      expect(t.events('floodWait')).toEqual([
        expect.objectContaining({ method: 'users.getFullUser', retryAfterMs: 5000, delayMs: 5000 }),
      ]);
      t.driver.expectSdkError(t.events('floodWait')[0]!.failure.cause, 420, 'FLOOD_WAIT_5');
      expect(t.realTimers().filter((ms) => ms >= 1000)).toEqual([]);
    });

    it('2. FLOOD_WAIT_3600 over the threshold: fails at once with the SDK error (seconds 3600)', async () => {
      const t = await start();
      t.network.script('users.getFullUser', rpcError(420, 'FLOOD_WAIT_3600'));
      const error = await rejectionOf(t.clock, t.driver.call('users.getFullUser'));
      t.driver.expectSdkError(error, 420, 'FLOOD_WAIT_3600');
      expect((error as { seconds?: unknown }).seconds).toBe(3600);
      expect(t.network.dcs('users.getFullUser')).toEqual([HOME]);
      expect(t.slept()).toBe(0);
      expect(t.events('giveUp')).toEqual([expect.objectContaining({ attempts: 1, reason: expect.stringMatching(/floodSleepThreshold/) })]);
      expect(t.realTimers().filter((ms) => ms >= 1000)).toEqual([]);
    });

    for (const { name, method, movesHome, loggedIn } of MIGRATIONS) {
      it(`3. ${name}_4 on ${method} (${loggedIn ? 'logged in' : 'logging in'}): re-invoked on DC 4; later calls go to ${movesHome ? 'DC 4 (the home moved)' : 'the home DC'}`, async () => {
        const t = await start({}, { loggedIn });
        t.network.script(method, rpcError(303, `${name}_4`));
        await expect(drive(t.clock, t.driver.call(method))).resolves.toMatchObject({ dc: 4 });
        expect(t.network.dcs(method)).toEqual([HOME, 4]);
        await expect(drive(t.clock, t.driver.call(method))).resolves.toMatchObject({ dc: movesHome ? 4 : HOME });
        expect(t.network.dcs(method)).toEqual([HOME, 4, movesHome ? 4 : HOME]);
        expect(t.slept()).toBe(0);
      });
    }

    for (const maxDcHops of [1, 3]) {
      it(`4. a FILE_MIGRATE loop between DC 3 and 4 stops at the hop cap (maxDcHops ${maxDcHops}: ${maxDcHops + 1} invocations) with the SDK error`, async () => {
        const t = await start({ maxDcHops });
        const other = (dc: number) => (dc === 3 ? 4 : 3);
        t.network.always('upload.getFile', (dc) => rpcError(303, `FILE_MIGRATE_${other(dc)}`));
        const error = await rejectionOf(t.clock, t.driver.call('upload.getFile'));
        const dcs = t.network.dcs('upload.getFile');
        expect(dcs).toEqual([HOME, 3, 4, 3].slice(0, maxDcHops + 1));
        t.driver.expectSdkError(error, 303, `FILE_MIGRATE_${other(dcs.at(-1)!)}`);
        expect(t.events('dcMigrate').map((e) => e.toDc)).toEqual(dcs.slice(1));
        expect(t.events('giveUp')).toEqual([expect.objectContaining({ reason: expect.stringMatching(/maxDcHops/) })]);
      });
    }

    it('5. AUTH_KEY_DUPLICATED (406) is never retried', async () => {
      const t = await start();
      t.network.script('users.getFullUser', rpcError(406, 'AUTH_KEY_DUPLICATED'));
      const error = await rejectionOf(t.clock, t.driver.call('users.getFullUser'));
      t.driver.expectSdkError(error, 406, 'AUTH_KEY_DUPLICATED');
      expect(t.network.dcs('users.getFullUser')).toEqual([HOME]);
      expect(t.events('retry')).toEqual([]);
      expect(t.slept()).toBe(0);
    });

    for (const method of ['users.getFullUser', 'help.getNearestDc'] as const) {
      for (const [code, message] of TRANSIENT) {
        it(`6a. ${code} ${message} on the idempotent read ${method}: backed off on the engine's clock and retried`, async () => {
          const t = await start();
          t.network.script(method, rpcError(code, message));
          await expect(drive(t.clock, t.driver.call(method))).resolves.toMatchObject({ dc: HOME });
          expect(t.network.dcs(method)).toEqual([HOME, HOME]);
          const retries = t.events('retry');
          expect(retries).toEqual([expect.objectContaining({ method, action: 'backoff' })]);
          expect(retries[0]!.delayMs).toBeGreaterThan(0);
          expect(t.slept()).toBe(retries[0]!.delayMs);
          t.driver.expectSdkError(retries[0]!.failure.cause, code, message);
          expect(t.realTimers().filter((ms) => ms >= 1000)).toEqual([]);
        });
      }
    }

    for (const [code, message] of TRANSIENT) {
      it(`6b. ${code} ${message} on messages.sendMessage: not resent (it may have been delivered), as the engine's policy says`, async () => {
        const t = await start();
        t.network.script('messages.sendMessage', rpcError(code, message));
        const error = await rejectionOf(t.clock, t.driver.call('messages.sendMessage'));
        t.driver.expectSdkError(error, code, message);
        expect(t.network.dcs('messages.sendMessage')).toEqual([HOME]);
        expect(t.slept()).toBe(0);
        expect(t.events('giveUp')).toEqual([
          expect.objectContaining({ method: 'messages.sendMessage', reason: expect.stringMatching(/not idempotent/) }),
        ]);
        // The engine's documented policy for this very error: fail, unless the call says it may be repeated.
        expect(t.resilience.explain(error, { method: 'messages.sendMessage' }).action).toBe('fail');
        expect(t.resilience.explain(error, { method: 'messages.sendMessage', idempotent: true }).action).toBe('backoff');
      });
    }

    it('7. SLOWMODE_WAIT_7 is a flood wait of 7 s: slept on the engine clock, then resent', async () => {
      const t = await start();
      t.network.script('messages.sendMessage', rpcError(420, 'SLOWMODE_WAIT_7'));
      await expect(drive(t.clock, t.driver.call('messages.sendMessage'))).resolves.toMatchObject({ dc: HOME });
      expect(t.network.dcs('messages.sendMessage')).toEqual([HOME, HOME]);
      const [flood] = t.events('floodWait');
      expect(flood).toMatchObject({ method: 'messages.sendMessage', retryAfterMs: 7000 });
      expect(flood!.failure).toMatchObject({ kind: 'flood', type: 'SLOWMODE_WAIT_7' });
      t.driver.expectSdkError(flood!.failure.cause, 420, 'SLOWMODE_WAIT_7');
      expect(t.slept()).toBe(flood!.delayMs);
      expect(flood!.delayMs).toBeGreaterThanOrEqual(7000);
      expect(t.realTimers().filter((ms) => ms >= 1000)).toEqual([]);
    });

    it('8. a DC given by the caller is where the first attempt goes', async () => {
      const t = await start();
      await expect(drive(t.clock, t.driver.call('users.getFullUser', { dc: 4 }))).resolves.toMatchObject({ dc: 4 });
      expect(t.network.dcs('users.getFullUser')).toEqual([4]);
    });

    it('9. after undo the engine is out of the way (a FILE_MIGRATE reaches the caller after one invocation)', async () => {
      const t = await start();
      t.driver.undo();
      t.driver.undo(); // twice is harmless
      t.network.script('upload.getFile', rpcError(303, 'FILE_MIGRATE_4'));
      const error = await rejectionOf(t.clock, t.driver.call('upload.getFile'));
      t.driver.expectSdkError(error, 303, 'FILE_MIGRATE_4');
      expect(t.network.dcs('upload.getFile')).toEqual([HOME]);
      expect(t.events('dcMigrate')).toEqual([]);
      expect(t.events('giveUp')).toEqual([]);
    });
  });
}
