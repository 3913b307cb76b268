/**
 * The reservation script against a real redis-server: bot-wide spacing, a private chat's spacing,
 * a group's window, gates, expiry. Slots are compared in Redis time (exact), except where the
 * public `reserve()` is the point.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/redis-server.js';
import { redisKeys } from '../../../src/limits/redis/keys.js';
import { bookSlot, bookSlots, LateBookingError, RedisClockOffset, reserveSlot, type ReserveRequest } from '../../../src/limits/redis/reserve.js';
import { createResilience } from '../../../src/engine/resilience.js';
import { defineScripts } from '../../../src/limits/redis/scripts.js';
import type { ChatScope } from '../../../src/limits/scope.js';
import { TELEGRAM_LIMITS, type ResolvedThrottle } from '../../../src/limits/throttle-options.js';
import { sleep, useRedis } from './redis-context.js';

const keys = redisKeys('tgr:', 'default');
const limitsOf = (overrides: Partial<ResolvedThrottle>): ResolvedThrottle => ({ ...TELEGRAM_LIMITS, ...overrides });
const privateChat = (id: number): ChatScope => ({ key: `chat:${id}`, kind: 'private' });
const group = (id: number): ChatScope => ({ key: `chat:${id}`, kind: 'group' });
const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describeWithRedis('redis reservation script', () => {
  const redis = useRedis();
  const scripted = () => defineScripts(redis.client()) as ReturnType<typeof defineScripts> & { status: string };

  it('spaces concurrent messages to one private chat by the chat interval, no more', async () => {
    const client = scripted();
    const limits = limitsOf({ chatPerSecond: 10, globalPerSecond: 1000 });
    const booked = await Promise.all(Array.from({ length: 8 }, () => bookSlot(client, keys, limits, { chat: privateChat(42), paid: false })));
    const slots = sorted(booked.map((b) => b.slotMs));
    expect(gaps(slots)).toEqual(Array(7).fill(100));
    // The first goes at once.
    const first = booked.find((b) => b.slotMs === slots[0])!;
    expect(first.slotMs - first.redisNowMs).toBeLessThanOrEqual(1);
  });

  it('reserve() turns slots into epoch ms on this machine, spaced the same', async () => {
    const backend = redis.backend();
    await backend.start({ limits: limitsOf({ chatPerSecond: 10, globalPerSecond: 1000 }), onGate: () => {} });
    const before = Date.now();
    const at = sorted(await Promise.all(Array.from({ length: 5 }, () => backend.reserve({ chat: privateChat(7), paid: false }))));
    // Each answer's own latency shifts its time a little later (never earlier): allow 15 ms of it.
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(85);
    expect(at[0]).toBeGreaterThanOrEqual(before);
    expect(at[0]! - before).toBeLessThan(50);
    expect(at[4]! - at[0]!).toBeGreaterThanOrEqual(385);
    await backend.close();
  });

  it('adds the wait Redis computed to the local clock, whatever Redis thinks the time is', async () => {
    const hourAhead = Date.now() + 3_600_000;
    const fake = {
      status: 'ready',
      telegramResilienceReserveV3: async () => [String(hourAhead), String(hourAhead + 250)],
    } as unknown as Parameters<typeof reserveSlot>[0];
    const before = Date.now();
    const at = await reserveSlot(fake, keys, TELEGRAM_LIMITS, { chat: undefined, paid: false });
    expect(at - before).toBeGreaterThanOrEqual(250);
    expect(at - before).toBeLessThan(300);
  });

  it('never lets a group have more than groupPerMinute messages in any 60 s window, and no fewer', async () => {
    const client = scripted();
    const limits = limitsOf({ groupPerMinute: 3, globalPerSecond: 1000 });
    const booked = await Promise.all(Array.from({ length: 7 }, () => bookSlot(client, keys, limits, { chat: group(-100123), paid: false })));
    const slots = sorted(booked.map((b) => b.slotMs));
    const now = Math.min(...booked.map((b) => b.redisNowMs));
    // A burst of 3 at once, then each next one as soon as the window lets it.
    expect(slots[2]! - now).toBeLessThan(20);
    for (let i = 0; i + 3 < slots.length; i++) expect(slots[i + 3]! - slots[i]!).toBe(60_000);
    // The group's state is its last 3 slots, no more.
    expect(await redis.admin.llen(keys.chat(group(-100123)))).toBe(3);
  });

  it('keeps bot-wide spacing across two clients (two processes)', async () => {
    const limits = limitsOf({ globalPerSecond: 20 });
    const a = scripted();
    const b = scripted();
    const requests: Array<Promise<{ slotMs: number }>> = [];
    for (let i = 0; i < 10; i++) {
      requests.push(bookSlot(a, keys, limits, { chat: privateChat(1000 + i), paid: false }));
      requests.push(bookSlot(b, keys, limits, { chat: undefined, paid: false }));
    }
    const slots = sorted((await Promise.all(requests)).map((r) => r.slotMs));
    expect(gaps(slots)).toEqual(Array(19).fill(50));
  });

  it('keeps the bot-wide spacing of two backends on two clients through reserve()', async () => {
    const limits = limitsOf({ globalPerSecond: 20 });
    const a = redis.backend();
    const b = redis.backend();
    await a.start({ limits, onGate: () => {} });
    await b.start({ limits, onGate: () => {} });
    const at = sorted(await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).reserve({ chat: undefined, paid: false }))));
    // Epoch ms on this machine: an answer's latency may shift it later by a few ms, never by a slot.
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(35);
    expect(at[11]! - at[0]!).toBeGreaterThanOrEqual(11 * 50 - 15);
    await a.close();
    await b.close();
  });

  it('does not let a chat that is held back stall the rest of the bot', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 20, chatPerSecond: 1 });
    const first = await bookSlot(client, keys, limits, { chat: privateChat(5), paid: false });
    const held = await bookSlot(client, keys, limits, { chat: privateChat(5), paid: false });
    expect(held.slotMs - first.slotMs).toBe(1000);
    const others: number[] = [];
    for (let i = 0; i < 30; i++) others.push((await bookSlot(client, keys, limits, { chat: undefined, paid: false })).slotMs);
    // The next ones go right after the first, not after the held-back one...
    expect(others[0]! - first.slotMs).toBe(50);
    // ...and step over the held-back slot, keeping 50 ms from it.
    const all = sorted([first.slotMs, held.slotMs, ...others]);
    for (const gap of gaps(all)) expect(gap).toBeGreaterThanOrEqual(50);
    expect(all[all.length - 1]! - all[0]!).toBe(31 * 50);
  });

  it('gives paid broadcasts their own bot-wide rate', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 10, paidBroadcastPerSecond: 1000 });
    for (let i = 0; i < 5; i++) await bookSlot(client, keys, limits, { chat: undefined, paid: false });
    const paid = await bookSlot(client, keys, limits, { chat: undefined, paid: true });
    expect(paid.slotMs - paid.redisNowMs).toBeLessThanOrEqual(1);
    const free = await bookSlot(client, keys, limits, { chat: undefined, paid: false });
    expect(free.slotMs - free.redisNowMs).toBeGreaterThanOrEqual(400);
  });

  it('spaces bot-wide slots by (1000 + margin) / rate, keeping the fractions of a millisecond', async () => {
    const client = scripted();
    const limits = limitsOf({ paidBroadcastPerSecond: 1000 });
    // One script call, so one Redis time: separate calls may reach Redis more than 1.05 ms apart
    // on a loaded machine, and a booking after the tail has passed starts at its own now.
    const booked = await bookSlots(client, keys, limits, Array.from({ length: 400 }, () => ({ chat: undefined, paid: true, marginMs: 50 })));
    const slots = sorted(booked.map((b) => b!.slotMs));
    // 1.05 ms apart: 1,000 slots would need 1,050 ms, so no 1,000 ms window of arrivals up to
    // 50 ms late holds more than 1,000. Each slot is rounded to whole ms (half a ms either way).
    for (let i = 0; i + 20 < slots.length; i++) expect(slots[i + 20]! - slots[i]!).toBeGreaterThanOrEqual(20 * 1.05 - 1);
    expect(slots[399]! - slots[0]!).toBeGreaterThanOrEqual(Math.floor(399 * 1.05));
    expect(slots[399]! - slots[0]!).toBeLessThanOrEqual(Math.ceil(399 * 1.05) + 1);
  });

  it('never spaces slots closer than whole milliseconds of 1000 / rate, whatever the margin', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 30 });
    const booked = await Promise.all(Array.from({ length: 6 }, (_, i) => bookSlot(client, keys, limits, { chat: undefined, paid: false, marginMs: i % 2 ? 0 : 10 })));
    expect(gaps(sorted(booked.map((b) => b.slotMs)))).toEqual(Array(5).fill(34));
  });

  it('books after closed flood gates (the bot and the chat)', async () => {
    const backend = redis.backend();
    await backend.start({ limits: limitsOf({}), onGate: () => {} });
    const client = scripted();
    await backend.closeGate('chat:5', Date.now() + 300);
    const gated = await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: privateChat(5), paid: false });
    expect(gated.slotMs - gated.redisNowMs).toBeGreaterThanOrEqual(290);
    const other = await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: privateChat(6), paid: false });
    expect(other.slotMs - other.redisNowMs).toBeLessThan(100);
    await backend.closeGate('bot', Date.now() + 500);
    const botGated = await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: undefined, paid: true });
    expect(botGated.slotMs - botGated.redisNowMs).toBeGreaterThanOrEqual(490);
    await backend.close();
  });

  it('lets every pacing key expire once it can no longer hold a message back', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 20, chatPerSecond: 5, groupPerMinute: 20 });
    await bookSlot(client, keys, limits, { chat: privateChat(9), paid: false }); // now; the chat's next at +200
    await bookSlot(client, keys, limits, { chat: privateChat(9), paid: false }); // +200: past the tail, in the "later" set
    await bookSlot(client, keys, limits, { chat: group(-5), paid: false }); // +50: the tail moves to +100
    const pttl = async (key: string) => redis.admin.pttl(key);
    expect(await pttl(keys.chat(privateChat(9)))).toBeGreaterThan(300);
    expect(await pttl(keys.chat(privateChat(9)))).toBeLessThanOrEqual(400);
    expect(await pttl(keys.freeTail)).toBeGreaterThan(0);
    expect(await pttl(keys.freeTail)).toBeLessThanOrEqual(100);
    expect(await pttl(keys.freeLater)).toBeGreaterThan(100);
    expect(await pttl(keys.freeLater)).toBeLessThanOrEqual(200);
    expect(await pttl(keys.chat(group(-5)))).toBeGreaterThan(59_000);
    expect(await pttl(keys.chat(group(-5)))).toBeLessThanOrEqual(60_100);
    await sleep(450);
    expect(await redis.admin.exists(keys.chat(privateChat(9)), keys.freeTail, keys.freeLater)).toBe(0);
    expect(await redis.admin.exists(keys.chat(group(-5)))).toBe(1);
  });

  it('bookings made in one turn go to Redis as one script call, booked as if one after another', async () => {
    const client = redis.client();
    const backend = redis.backend({ client });
    const limits = limitsOf({ chatPerSecond: 10, paidBroadcastPerSecond: 100 });
    await backend.start({ limits, onGate: () => {} });
    let calls = 0;
    const monitor = await client.duplicate().monitor();
    redis.defer(() => monitor.disconnect());
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (/^evalsha$|^eval$/i.test(args[0] ?? '')) calls++;
    });
    const before = Date.now();
    // Ten paid messages to ten chats, and three to one chat, in one turn.
    const paid = Array.from({ length: 10 }, (_, i) => backend.reserve({ chat: privateChat(200 + i), paid: true }));
    const sameChat = Array.from({ length: 3 }, () => backend.reserve({ chat: privateChat(300), paid: false }));
    const [paidAt, chatAt] = [await Promise.all(paid), await Promise.all(sameChat)];
    await redis.admin.ping();
    expect(calls).toBe(1);
    // Consecutive paid slots, 10 ms apart (100/s) in the order asked; the chat's three 100 ms apart.
    for (const gap of gaps(paidAt)) expect(gap).toBeGreaterThanOrEqual(9);
    expect(paidAt[9]! - before).toBeGreaterThanOrEqual(89);
    for (const gap of gaps(chatAt)) expect(gap).toBeGreaterThanOrEqual(99);
    await backend.close();
  });

  it('refuses a booking that reaches Redis past its deadline, booking nothing', async () => {
    const client = scripted();
    const offset = new RedisClockOffset();
    await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: privateChat(1), paid: false }, offset); // learns Redis's clock
    await redis.admin.flushall();
    const late = bookSlot(client, keys, TELEGRAM_LIMITS, { chat: privateChat(2), paid: false, expiresAtEpochMs: Date.now() - 50 }, offset);
    await expect(late).rejects.toBeInstanceOf(LateBookingError);
    expect(await redis.admin.exists(keys.freeTail, keys.chat(privateChat(2)))).toBe(0);
    // In time, it books as before.
    const inTime = await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: privateChat(2), paid: false, expiresAtEpochMs: Date.now() + 1_000 }, offset);
    expect(inTime.slotMs - inTime.redisNowMs).toBeLessThanOrEqual(1);
  });

  it('after a SIGSTOP pause, bookings that timed out during it hold no slot once Redis resumes', async () => {
    const limits = limitsOf({ globalPerSecond: 30 });
    const backend = redis.backend();
    await backend.start({ limits, onGate: () => {} });
    redis.server.pause();
    // 40 bookings whose callers give up after 100 ms (the limiter's backend timeout), all stuck in the paused Redis.
    const stuck = Array.from({ length: 40 }, (_, i) =>
      backend.reserve({ chat: privateChat(100 + i), paid: false, expiresAtEpochMs: Date.now() + 100 }).then(
        () => 'booked',
        (error: unknown) => (error as Error).name,
      ),
    );
    await sleep(300);
    redis.server.resume();
    expect(await Promise.all(stuck)).toEqual(Array(40).fill('LateBookingError'));
    // The next booking goes at once: 40 phantom slots would have put it ~1.3 s (40 x 34 ms) out.
    const before = Date.now();
    const at = await backend.reserve({ chat: privateChat(999), paid: false });
    expect(at - before).toBeLessThan(100);
    await backend.close();
  });

  it('through the engine: a call that fell back to local limits during a pause books nothing when Redis resumes', async () => {
    const backend = redis.backend();
    const resilience = createResilience({ throttle: { globalPerSecond: 30 }, backend, backendTimeoutMs: 100 });
    redis.defer(() => resilience.close());
    const send = (chat_id: number) => resilience.call(() => 'sent', { method: 'sendMessage', params: { chat_id, text: 'x' } });
    await expect(send(1)).resolves.toBe('sent'); // starts the backend, books once
    await sleep(100); // that slot's tail expires
    expect(await redis.admin.exists(keys.freeTail)).toBe(0);
    redis.server.pause();
    await expect(send(2)).resolves.toBe('sent'); // the booking timed out: sent on local limits
    redis.server.resume();
    await redis.admin.ping(); // Redis has run everything that was on its sockets
    expect(await redis.admin.exists(keys.freeTail, keys.chat(privateChat(2)))).toBe(0);
  });

  it('holds every limit for any mix of requests (property)', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 50, paidBroadcastPerSecond: 500, chatPerSecond: 10, groupPerMinute: 3 });
    const chats: Array<ChatScope | undefined> = [undefined, privateChat(1), privateChat(2), group(-10), group(-20)];
    const request = fc.record({ chat: fc.integer({ min: 0, max: chats.length - 1 }), paid: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 40 }), async (plan) => {
        await redis.admin.flushall();
        const booked: Array<{ req: ReserveRequest; slot: number; now: number }> = [];
        for (const step of plan) {
          const req = { chat: chats[step.chat], paid: step.paid };
          const { slotMs, redisNowMs } = await bookSlot(client, keys, limits, req);
          booked.push({ req, slot: slotMs, now: redisNowMs });
        }
        for (const b of booked) expect(b.slot).toBeGreaterThanOrEqual(b.now);
        for (const gap of gaps(sorted(booked.filter((b) => !b.req.paid).map((b) => b.slot)))) expect(gap).toBeGreaterThanOrEqual(20);
        for (const gap of gaps(sorted(booked.filter((b) => b.req.paid).map((b) => b.slot)))) expect(gap).toBeGreaterThanOrEqual(2);
        for (const chat of chats) {
          if (!chat) continue;
          // In booking order: a chat's messages keep their order.
          const slots = booked.filter((b) => b.req.chat === chat).map((b) => b.slot);
          expect(slots).toEqual(sorted(slots));
          if (chat.kind === 'private') for (const gap of gaps(slots)) expect(gap).toBeGreaterThanOrEqual(100);
          else for (let i = 0; i + 3 < slots.length; i++) expect(slots[i + 3]! - slots[i]!).toBeGreaterThanOrEqual(60_000);
        }
      }),
      { numRuns: 30 },
    );
  });
});
