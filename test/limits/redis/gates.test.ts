/**
 * Flood gates shared through a real redis-server: announced to other processes at once, only ever
 * moved later, expiring by themselves, read again after the subscriber reconnects.
 */
import { expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/redis-server.js';
import { TELEGRAM_LIMITS } from '../../../src/limits/throttle-options.js';
import { sleep, useRedis, waitUntil } from './redis-context.js';

interface Seen {
  scope: string;
  openAt: number;
  receivedAt: number;
}

describeWithRedis('redis flood gates', () => {
  const redis = useRedis();

  async function started() {
    const backend = redis.backend();
    const seen: Seen[] = [];
    await backend.start({ limits: TELEGRAM_LIMITS, onGate: (scope, openAt) => seen.push({ scope, openAt, receivedAt: Date.now() }) });
    return { backend, seen };
  }

  it('reaches another process within 50 ms (200 ms allowed for slow CI)', async () => {
    const a = await started();
    const b = await started();
    const openAt = Date.now() + 5_000;
    const closedAt = Date.now();
    await a.backend.closeGate('bot', openAt);
    expect(await waitUntil(() => b.seen.length > 0, 1_000, 1)).toBe(true);
    const latency = b.seen[0]!.receivedAt - closedAt;
    console.log(`[redis gates] closeGate -> other process's onGate: ${latency} ms`);
    expect(latency).toBeLessThan(200);
    expect(b.seen[0]!.scope).toBe('bot');
    // The gate travels as "ms from now": the other process counts them from when it heard, so its
    // time can only be later, by the announcement's latency.
    const drift = b.seen[0]!.openAt - openAt;
    expect(drift).toBeGreaterThanOrEqual(-1);
    expect(drift).toBeLessThanOrEqual(latency + 2);
    await a.backend.close();
    await b.backend.close();
  });

  it('only ever moves a gate later, and announces only a move', async () => {
    const a = await started();
    const b = await started();
    await a.backend.closeGate('chat:5', Date.now() + 2_000);
    await b.backend.closeGate('chat:5', Date.now() + 500); // earlier: ignored
    expect(await waitUntil(() => b.seen.length > 0, 1_000)).toBe(true);
    await sleep(50); // an announcement of the ignored close would come right after the first
    expect(b.seen.map((s) => s.scope)).toEqual(['chat:5']);
    const gates = await b.backend.openGates();
    expect(Object.keys(gates)).toEqual(['chat:5']);
    // Still the 2 s gate, not the 500 ms one (with room for a slow machine).
    expect(gates['chat:5']! - Date.now()).toBeGreaterThan(1_000);
    await b.backend.closeGate('chat:5', Date.now() + 3_000); // later: moves, announced
    expect(await waitUntil(() => a.seen.length === 2, 1_000)).toBe(true);
    expect(a.seen[1]!.openAt - Date.now()).toBeGreaterThan(2_000);
    await a.backend.close();
    await b.backend.close();
  });

  it('expires by itself, with nobody left to open it', async () => {
    const a = await started();
    // Gates far enough apart that a slow machine still sees each step.
    await a.backend.closeGate('bot', Date.now() + 1_500);
    await a.backend.closeGate('method:messages.sendMessage', Date.now() + 500);
    await a.backend.close(); // the process that closed it is gone
    const late = redis.backend(); // a process that joins now sees the gates
    const gates = await late.openGates();
    expect(Object.keys(gates).sort()).toEqual(['bot', 'method:messages.sendMessage']);
    const key = late.keys.gates;
    // The hash lives exactly as long as its latest gate.
    const pttl = await redis.admin.pttl(key);
    expect(pttl).toBeGreaterThan(500);
    expect(pttl).toBeLessThanOrEqual(1_500);
    const scopesNow = async () => Object.keys(await late.openGates());
    expect(await waitUntil(async () => !(await scopesNow()).includes('method:messages.sendMessage'), 3_000)).toBe(true);
    expect(await scopesNow()).toEqual(['bot']);
    expect(await waitUntil(async () => (await scopesNow()).length === 0, 3_000)).toBe(true);
    // Nobody opened it: the hash expired by itself.
    expect(await waitUntil(async () => (await redis.admin.exists(key)) === 0, 1_000)).toBe(true);
    await late.close();
  });

  it('reads the gates again after its subscriber reconnects (announcements made meanwhile are lost)', async () => {
    const a = await started();
    const b = await started();
    await redis.admin.client('KILL', 'TYPE', 'pubsub');
    await a.backend.closeGate('chat:77', Date.now() + 3_000);
    expect(await waitUntil(() => b.seen.some((s) => s.scope === 'chat:77'), 2_000)).toBe(true);
    await a.backend.close();
    await b.backend.close();
  });

  it('ignores messages on its channel that are not gates', async () => {
    const b = await started();
    await redis.admin.publish(b.backend.keys.gateChannel, 'not json');
    await redis.admin.publish(b.backend.keys.gateChannel, JSON.stringify({ scope: 'bot' }));
    await redis.admin.publish(b.backend.keys.gateChannel, JSON.stringify({ scope: 'bot', ms: 100 }));
    expect(await waitUntil(() => b.seen.length > 0, 500)).toBe(true);
    await sleep(20);
    expect(b.seen.map((s) => s.scope)).toEqual(['bot']);
    await b.backend.close();
  });

  it('keeps bots apart by botId and keyPrefix', async () => {
    const one = redis.backend({ botId: 'one' });
    const two = redis.backend({ botId: 'two' });
    const other = redis.backend({ botId: 'one', keyPrefix: 'x:' });
    const seen: string[] = [];
    await two.start({ limits: TELEGRAM_LIMITS, onGate: (scope) => seen.push(scope) });
    await one.closeGate('bot', Date.now() + 1_000);
    await sleep(50);
    expect(seen).toEqual([]);
    expect(await two.openGates()).toEqual({});
    expect(await other.openGates()).toEqual({});
    expect(Object.keys(await one.openGates())).toEqual(['bot']);
    expect(one.keys.gates).toBe('tgr:{one}:gates');
    for (const b of [one, two, other]) await b.close();
  });

  it('closes its subscriber connection and leaves the user client alone', async () => {
    const client = redis.client();
    const backend = redis.backend({ client });
    await backend.start({ limits: TELEGRAM_LIMITS, onGate: () => {} });
    const names = async () => String(await redis.admin.client('LIST'));
    expect(await names()).toContain('name=telegram-resilience:gates');
    await backend.close();
    expect(await waitUntil(async () => !(await names()).includes('name=telegram-resilience:gates'), 1_000)).toBe(true);
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    await expect(backend.start({ limits: TELEGRAM_LIMITS, onGate: () => {} })).rejects.toThrow(/close/);
  });
});
