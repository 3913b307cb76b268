import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import { Limiter } from '../../src/limits/limiter.js';
import { resolveThrottle, TELEGRAM_LIMITS } from '../../src/limits/throttle-options.js';
import { classify } from '../../src/errors/classify.js';
import type { JobList, PaceJob } from '../../src/limits/job-queue.js';
import { rpcError, tooManyRequests } from '../helpers/failures.js';
import { recordingBackend } from './recording-backend.js';

/** A shared backend whose every booking is `bookAheadMs` from now (100 ms unless told). */
const fakeBackend = (bookAheadMs = 100) => recordingBackend(() => Date.now() + bookAheadMs);

describe('Limiter', () => {
  it('with a shared backend, a 429 is learned from the send it refused (its ticket has its send time)', async () => {
    const clock = createManualClock(0);
    const { backend } = fakeBackend(0);
    const limiter = new Limiter({ clock, throttle: TELEGRAM_LIMITS, backend, backendTimeoutMs: 500, onBackendError: 'fallback', onBackendStatus: () => {} });
    const params = { chat_id: -100_777, text: 'x' };
    const send = async (): Promise<PaceJob> => {
      let done!: () => void;
      const sent = new Promise<void>((resolve) => (done = resolve));
      const job: PaceJob = {
        seq: -1, sentAt: -1, sendNo: -1, notBefore: -(2 ** 30), queuedAt: 0, next: undefined, prev: undefined, list: undefined as JobList | undefined,
        onAbort: undefined, paid: false, method: 'sendMessage', signal: undefined, proceed: () => done(), refuse: () => {},
      };
      if (limiter.admit(job, params)) done();
      await clock.run(sent);
      return job;
    };
    for (let i = 0; i < 3; i++) await send();
    const refused = await send();
    expect(refused.sentAt).toBeGreaterThan(0);
    // The group's window refused the 4th: Telegram's window holds the 3 before it.
    limiter.onFailure(classify(tooManyRequests(60)), { method: 'sendMessage', params }, refused);
    expect(limiter.scheduler!.learning.groupWindow('chat:-100777')).toBe(3);
    await limiter.close();
  });

  it('re-books a shared slot that a flood gate overtook, and sends only after the gate opens', async () => {
    const clock = createManualClock(0);
    const { backend, requests } = fakeBackend();
    const limiter = new Limiter({ clock, throttle: TELEGRAM_LIMITS, backend, backendTimeoutMs: 500, onBackendError: 'fallback', onBackendStatus: () => {} });
    const attempt = { method: 'sendMessage', params: { chat_id: 5 }, dc: undefined, number: 1, signal: undefined };
    let sentAt: number | undefined;
    const wait = Promise.resolve(limiter.acquire(attempt, true, undefined)).then(() => (sentAt = clock.now()));
    await clock.advance(50); // the slot is booked for t=100; now a 429 elsewhere closes the bot for 3 s
    limiter.gates.close('bot', 3_050);
    await clock.run(wait);
    expect(requests).toHaveLength(2);
    expect(sentAt).toBeGreaterThanOrEqual(3_050);
    await limiter.close();
  });

  it('close() rejects calls waiting for a shared slot and leaves no timer; an abort while waiting leaves none either', async () => {
    const clock = createManualClock(0);
    const { backend } = fakeBackend(60_000); // every slot is booked a minute ahead
    const resilience = createResilience({ clock, throttle: true, backend });
    const send = (chat_id: number, signal?: AbortSignal) =>
      resilience.call(async () => 'sent', { method: 'sendMessage', params: { chat_id, text: 'x' }, signal });
    const controller = new AbortController();
    const aborted = send(1, controller.signal);
    const closed = send(2);
    await clock.advance(100); // past the local pacing: both now wait for their shared slot
    expect(clock.pending()).toBe(2);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pending()).toBe(1);
    await resilience.close();
    await expect(closed).rejects.toThrow(/closed/);
    expect(clock.pending()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('closes the chat gate on a Bot API 429, the bot gate when a second chat is hit within a second, the method gate on FLOOD_WAIT', () => {
    const clock = createManualClock(0);
    const { backend, closedGates } = fakeBackend();
    const limiter = new Limiter({ clock, throttle: TELEGRAM_LIMITS, backend, backendTimeoutMs: 500, onBackendError: 'fallback', onBackendStatus: () => {} });
    const at = (params: Record<string, unknown>, method = 'sendMessage') => ({ method, params, dc: undefined, number: 1, signal: undefined });
    limiter.onFailure({ kind: 'flood', code: 429, retryAfterMs: 5_000, maybeDelivered: false, cause: null }, at({ chat_id: 1 }));
    expect(limiter.gates.snapshot()).toEqual({ 'chat:1': 5_000 });
    limiter.onFailure({ kind: 'flood', code: 429, retryAfterMs: 5_000, maybeDelivered: false, cause: null }, at({ chat_id: 2 }));
    expect(Object.keys(limiter.gates.snapshot()).sort()).toEqual(['bot', 'chat:1', 'chat:2']);
    limiter.onFailure({ kind: 'flood', code: 420, type: 'FLOOD_WAIT_9', retryAfterMs: 9_000, maybeDelivered: false, cause: null }, at({}, 'messages.getHistory'));
    expect(limiter.gates.snapshot()['method:messages.getHistory']).toBe(9_000);
    limiter.onFailure({ kind: 'flood', code: 420, type: 'SLOWMODE_WAIT_4', retryAfterMs: 4_000, maybeDelivered: false, cause: null }, at({ chat_id: -77 }, 'messages.sendMessage'));
    expect(limiter.gates.snapshot()['chat:-77']).toBe(4_000);
    // Gates are not shared before the backend started; nothing has asked for a slot yet.
    expect(closedGates).toEqual([]);
  });

  it('a 429 for one chat holds that chat only; a second chat\'s within a second holds the whole bot', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    const sentAt = new Map<number, number[]>();
    const refuse = new Set<string>(['1#0', '3#0']);
    const send = (chat_id: number, n: number) =>
      resilience.call(
        async () => {
          const key = `${chat_id}#${n}`;
          if (refuse.delete(key)) throw tooManyRequests(5);
          sentAt.set(chat_id, [...(sentAt.get(chat_id) ?? []), clock.now()]);
          return key;
        },
        { method: 'sendMessage', params: { chat_id, text: String(n) } },
      );
    const first = send(1, 0);
    await clock.advance(100);
    await clock.run(send(2, 0)); // chat 1's gate does not hold chat 2
    expect(sentAt.get(2)![0]).toBeLessThan(200);
    const third = send(3, 0); // refused too, within a second: the bot's limit
    await clock.advance(100);
    const fourth = send(4, 0);
    await clock.run(Promise.all([first, third, fourth]), 10_000);
    expect(sentAt.get(1)![0]).toBeGreaterThanOrEqual(5_000);
    expect(sentAt.get(4)![0]).toBeGreaterThanOrEqual(5_000);
    await resilience.close();
  });

  it('an MTProto FLOOD_WAIT holds later calls of that method (also unpaced reads), not others', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    let n = 0;
    const first = resilience.call(async () => {
      if (n++ === 0) throw rpcError(420, 'FLOOD_WAIT_5');
      return 'ok';
    }, { method: 'messages.getHistory' });
    await clock.advance(1);
    const times: Record<string, number> = {};
    const same = resilience.call(async () => (times.same = clock.now()), { method: 'messages.getHistory' });
    const other = resilience.call(async () => (times.other = clock.now()), { method: 'users.getFullUser' });
    await clock.run(Promise.all([first, same, other]));
    expect(times.other).toBe(1);
    expect(times.same).toBeGreaterThanOrEqual(5_000);
  });

  it('with throttling, a 429 pauses the other calls to that chat: one 429, not one per queued call', async () => {
    const clock = createManualClock(0);
    const resilience = createResilience({ clock, throttle: true });
    let floods = 0;
    const sends: number[] = [];
    let blockedUntil = 0;
    let blockedOnce = false;
    const fn = async () => {
      if (clock.now() < blockedUntil) {
        floods++;
        throw tooManyRequests(Math.ceil((blockedUntil - clock.now()) / 1000));
      }
      if (sends.length === 1 && !blockedOnce) {
        // Telegram decides this chat must wait 10 s after the first message.
        blockedOnce = true;
        blockedUntil = clock.now() + 10_000;
        floods++;
        throw tooManyRequests(10);
      }
      sends.push(clock.now());
      return 'ok';
    };
    const calls = Array.from({ length: 5 }, () => resilience.call(fn, { method: 'sendMessage', params: { chat_id: 9, text: 'x' } }));
    await clock.run(Promise.all(calls), 100_000);
    expect(floods).toBe(1);
    expect(sends).toHaveLength(5);
  });

  it('rejects a fractional groupPerMinute and unknown throttle keys at construction', () => {
    expect(() => resolveThrottle('t', { groupPerMinute: 20.5 })).toThrow(/groupPerMinute/);
    expect(() => createResilience({ throttle: { perChat: 1 } as never })).toThrow(/throttle.perChat/);
    expect(() => createResilience({ throttle: 'yes' as never })).toThrow(/throttle/);
  });
});
