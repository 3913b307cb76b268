/**
 * The reservation script against a real redis-server: bot-wide spacing, a private chat's spacing,
 * a group's window, gates, expiry. Slots are compared in Redis time (exact), except where the
 * public `reserve()` is the point.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/redis-server.js';
import { redisKeys } from '../../../src/limits/redis/keys.js';
import { bookSlot, bookSlots, LateBookingError, RedisClockOffset, slotToEpoch, type BookedSlot, type ReserveRequest } from '../../../src/limits/redis/reserve.js';
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

/**
 * Slots booked by separate script calls, spaced `interval` apart: each at least that after the one
 * before, and exactly that unless its call reached Redis after the one before had passed (then it
 * is booked at its own Redis time). Exact, whatever the load: separate calls may reach a busy
 * machine's Redis any time apart.
 */
function expectSpaced(booked: BookedSlot[], interval: number): void {
  const inOrder = [...booked].sort((a, b) => a.slotMs - b.slotMs);
  for (let k = 1; k < inOrder.length; k++) {
    const gap = inOrder[k]!.slotMs - inOrder[k - 1]!.slotMs;
    expect(gap).toBeGreaterThanOrEqual(interval);
    if (gap > interval) expect(inOrder[k]!.slotMs - inOrder[k]!.redisNowMs).toBeLessThanOrEqual(1);
  }
}

describeWithRedis('redis reservation script', () => {
  const redis = useRedis();
  const scripted = () => defineScripts(redis.client()) as ReturnType<typeof defineScripts> & { status: string };

  it('spaces concurrent messages to one private chat by the chat interval, no more', async () => {
    const client = scripted();
    const limits = limitsOf({ chatPerSecond: 10, globalPerSecond: 1000 });
    const booked = await Promise.all(Array.from({ length: 8 }, () => bookSlot(client, keys, limits, { chat: privateChat(42), paid: false })));
    const slots = sorted(booked.map((b) => b.slotMs));
    expectSpaced(booked, 100);
    // The first goes at once.
    const first = booked.find((b) => b.slotMs === slots[0])!;
    expect(first.slotMs - first.redisNowMs).toBeLessThanOrEqual(1);
  });

  it('reserve() turns slots into epoch ms on this machine, spaced the same', async () => {
    const backend = redis.backend();
    await backend.start({ limits: limitsOf({ chatPerSecond: 10, globalPerSecond: 1000 }), onGate: () => {} });
    const before = Date.now();
    const at = sorted(await Promise.all(Array.from({ length: 5 }, () => backend.reserve({ chat: privateChat(7), paid: false }))));
    const after = Date.now();
    // Each answer's own latency shifts its time a little later (never earlier): allow 15 ms of it.
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(85);
    // The first goes at once: no wait added to when its answer came.
    expect(at[0]).toBeGreaterThanOrEqual(before);
    expect(at[0]).toBeLessThanOrEqual(after);
    expect(at[4]! - at[0]!).toBeGreaterThanOrEqual(385);
    await backend.close();
  });

  it('adds the wait Redis computed to the local clock, whatever Redis thinks the time is', async () => {
    const hourAhead = Date.now() + 3_600_000;
    const fake = {
      status: 'ready',
      telegramResilienceReserveV4: async () => [String(hourAhead), String(hourAhead + 250)],
    } as unknown as Parameters<typeof bookSlot>[0];
    const before = Date.now();
    const at = slotToEpoch(await bookSlot(fake, keys, TELEGRAM_LIMITS, { chat: undefined, paid: false }));
    expect(at - before).toBeGreaterThanOrEqual(250);
    // The wait is added to when the answer came, which is before now.
    expect(at).toBeLessThanOrEqual(Date.now() + 250);
  });

  it('never lets a group have more than groupPerMinute messages in any 60 s window, and no fewer', async () => {
    const client = scripted();
    const limits = limitsOf({ groupPerMinute: 3, globalPerSecond: 1000 });
    // One script call (one Redis time): the burst is measured from it.
    const booked = await bookSlots(client, keys, limits, Array.from({ length: 7 }, () => ({ chat: group(-100123), paid: false })));
    const slots = sorted(booked.map((b) => b!.slotMs));
    const now = booked[0]!.redisNowMs;
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
    const requests: Array<Promise<BookedSlot>> = [];
    for (let i = 0; i < 10; i++) {
      requests.push(bookSlot(a, keys, limits, { chat: privateChat(1000 + i), paid: false }));
      requests.push(bookSlot(b, keys, limits, { chat: undefined, paid: false }));
    }
    expectSpaced(await Promise.all(requests), 50);
  });

  it('keeps the bot-wide spacing of two backends on two clients through reserve()', async () => {
    const limits = limitsOf({ globalPerSecond: 20 });
    const a = redis.backend();
    const b = redis.backend();
    await a.start({ limits, onGate: () => {} });
    await b.start({ limits, onGate: () => {} });
    const before = Date.now();
    const at = sorted(await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).reserve({ chat: undefined, paid: false }))));
    // Epoch ms on this machine: each backend's answer latency shifts its times later, by at most
    // the whole round trip, never by a slot (50 ms).
    // (At most 45: two backends not sharing the rate would send pairs at once, 0 ms apart.)
    const tolerance = Math.min(45, Math.max(15, Date.now() - before));
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(50 - tolerance);
    expect(at[11]! - at[0]!).toBeGreaterThanOrEqual(11 * 50 - tolerance);
    await a.close();
    await b.close();
  });

  it('does not let a chat that is held back stall the rest of the bot', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 20, chatPerSecond: 1 });
    // One script call, booked one after another at one Redis time.
    const chat5: ReserveRequest = { chat: privateChat(5), paid: false };
    const booked = await bookSlots(client, keys, limits, [chat5, chat5, ...Array.from({ length: 30 }, (): ReserveRequest => ({ chat: undefined, paid: false }))]);
    const [first, held, ...rest] = booked.map((b) => b!);
    expect(held!.slotMs - first!.slotMs).toBe(1000);
    const others = rest.map((b) => b.slotMs);
    // The next ones go right after the first, not after the held-back one...
    expect(others[0]! - first!.slotMs).toBe(50);
    // ...and step over the held-back slot, keeping 50 ms from it.
    const all = sorted([first!.slotMs, held!.slotMs, ...others]);
    for (const gap of gaps(all)) expect(gap).toBeGreaterThanOrEqual(50);
    expect(all[all.length - 1]! - all[0]!).toBe(31 * 50);
  });

  it('gives paid broadcasts their own bot-wide rate', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 10, paidBroadcastPerSecond: 1000 });
    const free: ReserveRequest = { chat: undefined, paid: false };
    // One script call: five free messages take the free rate's next 500 ms...
    const booked = await bookSlots(client, keys, limits, [free, free, free, free, free, { chat: undefined, paid: true }, free]);
    const [paid, sixthFree] = [booked[5]!, booked[6]!];
    // ...a paid one still goes at once, and the next free one waits its turn.
    expect(paid.slotMs - paid.redisNowMs).toBeLessThanOrEqual(1);
    expect(sixthFree.slotMs - sixthFree.redisNowMs).toBe(500);
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
    const booked = await bookSlots(client, keys, limits, Array.from({ length: 6 }, (_, i) => ({ chat: undefined, paid: false, marginMs: i % 2 ? 0 : 10 })));
    expect(gaps(sorted(booked.map((b) => b!.slotMs)))).toEqual(Array(5).fill(34));
  });

  it('books after closed flood gates (the bot and the chat)', async () => {
    const backend = redis.backend();
    await backend.start({ limits: limitsOf({}), onGate: () => {} });
    const client = scripted();
    // When a gate opens, in Redis time (the gates hash): slots are compared with it exactly.
    const gateOpensAt = async (scope: string) => Number(await redis.admin.hget(keys.gates, scope));
    await backend.closeGate('chat:5', Date.now() + 300);
    const chatGate = await gateOpensAt('chat:5');
    const gated = await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: privateChat(5), paid: false });
    expect(gated.slotMs).toBeGreaterThanOrEqual(chatGate);
    expect(gated.slotMs - chatGate).toBeLessThanOrEqual(1);
    const other = await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: privateChat(6), paid: false });
    expect(other.slotMs - other.redisNowMs).toBeLessThan(100);
    await backend.closeGate('bot', Date.now() + 500);
    const botGate = await gateOpensAt('bot');
    const botGated = await bookSlot(client, keys, TELEGRAM_LIMITS, { chat: undefined, paid: true });
    expect(botGated.slotMs).toBeGreaterThanOrEqual(botGate);
    expect(botGated.slotMs - botGate).toBeLessThanOrEqual(1);
    await backend.close();
  });

  it('lets every pacing key expire once it can no longer hold a message back', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 20, chatPerSecond: 5, groupPerMinute: 20 });
    // One script call, so one Redis time T; then Redis's clock and the keys' lives read at once.
    const [first] = await bookSlots(client, keys, limits, [
      { chat: privateChat(9), paid: false }, // T; the chat's next at T+200
      { chat: privateChat(9), paid: false }, // T+200: past the tail, in the "later" set
      { chat: group(-5), paid: false }, // T+50: the tail moves to T+100
    ]);
    const read = (await redis.admin
      .multi()
      .time()
      .pttl(keys.chat(privateChat(9)))
      .pttl(keys.freeTail)
      .pttl(keys.freeLater)
      .pttl(keys.chat(group(-5)))
      .exec())!.map(([error, value]) => (error ? Number.NaN : value));
    const [seconds, micros] = read[0] as [string, string];
    const elapsed = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - first!.redisNowMs;
    // Each key's life, counted from T: what is left of it plus what has passed since.
    const lifeOf = (k: number) => (read[k] as number) + elapsed;
    // Exact but for rounding to whole ms: the chat's spacing past its next slot (T+200 + 200), the
    // tail's next slot (T+100), the later set's slot (T+200), the group's window from its slot (T+50).
    const expected = [400, 100, 200, 60_050];
    expected.forEach((life, i) => expect(Math.abs(lifeOf(i + 1) - life)).toBeLessThanOrEqual(1));
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
    const at = await backend.reserve({ chat: privateChat(999), paid: false });
    expect(at - Date.now()).toBeLessThan(100);
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

  it('a message booked again because its slot passed unsent waits for no booking of its own in its chat', async () => {
    const backend = redis.backend();
    await backend.start({ limits: limitsOf({ chatPerSecond: 1 }), onGate: () => {} });
    const first = await backend.reserve({ chat: privateChat(5), paid: false });
    await sleep(30); // its slot passes unsent (the wait ended too late)
    const again = await backend.reserve({ chat: privateChat(5), paid: false, unusedSlotAtEpochMs: first });
    // Without the unused slot it would wait out the chat's second behind itself.
    expect(again - Date.now()).toBeLessThan(200);
    // The chat's next message is a second after the slot actually used.
    const next = await backend.reserve({ chat: privateChat(5), paid: false });
    expect(next - again).toBeGreaterThanOrEqual(990);

    // Another message of the chat booked since: the one booked again keeps a second behind it.
    const a = await backend.reserve({ chat: privateChat(6), paid: false });
    const b = await backend.reserve({ chat: privateChat(6), paid: false });
    await sleep(30);
    const aAgain = await backend.reserve({ chat: privateChat(6), paid: false, unusedSlotAtEpochMs: a });
    expect(aAgain - b).toBeGreaterThanOrEqual(990);
    await backend.close();
  });

  it('with messages booked again in place of unsent bookings, every used slot still keeps every limit (property)', async () => {
    const client = scripted();
    const limits = limitsOf({ globalPerSecond: 50, paidBroadcastPerSecond: 500, chatPerSecond: 10, groupPerMinute: 3 });
    const chats: Array<ChatScope | undefined> = [undefined, privateChat(1), privateChat(2), group(-10)];
    // Unused slots are told as this machine's times, converted with the offset learned from the
    // answers (as the backend does): off by up to half a round trip from Redis's own slot times.
    const offset = new RedisClockOffset();
    const step = fc.record({ chat: fc.integer({ min: 0, max: chats.length - 1 }), paid: fc.boolean(), again: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (plan) => {
        await redis.admin.flushall();
        const booked: Array<{ chat: ChatScope | undefined; paid: boolean; slot: number; used: boolean }> = [];
        for (const { chat: c, paid, again } of plan) {
          const chat = chats[c];
          // Booked again: the chat's latest used booking was not sent (its wait ended too late).
          const replaced = again ? booked.findLast((b) => b.chat === chat && b.used) : undefined;
          if (replaced) replaced.used = false;
          // A message booked again keeps its kind (paid or not).
          const req = replaced ? { chat, paid: replaced.paid, unusedSlotAtEpochMs: replaced.slot } : { chat, paid };
          const { slotMs } = await bookSlot(client, keys, limits, req, offset);
          booked.push({ chat, paid: req.paid, slot: slotMs, used: true });
          if (replaced) expect(slotMs).toBeGreaterThanOrEqual(replaced.slot); // never before the slot it replaces
        }
        // Bot-wide: every slot, used or not, keeps the spacing (an unused one is simply lost).
        for (const gap of gaps(sorted(booked.filter((b) => !b.paid).map((b) => b.slot)))) expect(gap).toBeGreaterThanOrEqual(20);
        for (const gap of gaps(sorted(booked.filter((b) => b.paid).map((b) => b.slot)))) expect(gap).toBeGreaterThanOrEqual(2);
        for (const chat of chats) {
          if (!chat) continue;
          const used = sorted(booked.filter((b) => b.chat === chat && b.used).map((b) => b.slot));
          if (chat.kind === 'private') for (const gap of gaps(used)) expect(gap).toBeGreaterThanOrEqual(100);
          else for (let i = 0; i + 3 < used.length; i++) expect(used[i + 3]! - used[i]!).toBeGreaterThanOrEqual(60_000);
        }
      }),
      { numRuns: 30 },
    );
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
