import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { ANSWER_WAIT_MS } from '../../src/limits/chat-limit.js';
import { FloodGates } from '../../src/limits/flood-gates.js';
import { PacingScheduler, type PaceRequest } from '../../src/limits/scheduler.js';
import { chatScopeOf } from '../../src/limits/scope.js';
import { TELEGRAM_LIMITS } from '../../src/limits/throttle-options.js';

/**
 * A scheduler on the manual clock. `send` acquires a slot; unless `answered: false`, Telegram's
 * answer comes the moment the send goes (the limiter then releases the ticket: a group's next
 * message waits for its previous one's answer).
 */
function setup(limits = TELEGRAM_LIMITS) {
  const clock = createManualClock(0);
  const gates = new FloodGates(clock);
  const scheduler = new PacingScheduler(clock, limits, gates);
  const sent: Array<{ chat: unknown; at: number }> = [];
  const send = (chat_id: number | string | undefined, extra: Partial<PaceRequest> & { answered?: boolean } = {}) => {
    const { answered = true, ...rest } = extra;
    const ticket = rest.ticket ?? { seq: -1, sentAt: 0, sendNo: -1 };
    const request: PaceRequest = { chat: chatScopeOf(chat_id === undefined ? {} : { chat_id }), paid: false, method: 'sendMessage', signal: undefined, ticket, ...rest };
    const wait = scheduler.acquire(request);
    const done = (wait ?? Promise.resolve()).then(() => {
      sent.push({ chat: chat_id, at: clock.now() });
      if (answered) scheduler.released(ticket);
    });
    return { wait, done, ticket };
  };
  return { clock, gates, scheduler, sent, send };
}

const times = (sent: Array<{ chat: unknown; at: number }>, chat?: unknown) =>
  sent.filter((s) => chat === undefined || s.chat === chat).map((s) => s.at);

describe('PacingScheduler', () => {
  it('lets a call that needs no waiting through synchronously, then spaces the bot smoothly', async () => {
    const { clock, send, sent } = setup();
    expect(send(1).wait).toBeUndefined();
    // After an idle period a short catch-up burst is allowed (at most 100 ms worth of slots)...
    const next = Array.from({ length: 9 }, (_, i) => send(2 + i));
    expect(next.filter((s) => s.wait === undefined).length).toBeLessThanOrEqual(3);
    await clock.run(Promise.all(next.map((s) => s.done)));
    // ...then one slot every 33.3 ms, in whole milliseconds.
    const at = times(sent);
    expect(at.every(Number.isInteger)).toBe(true);
    expect(at[9]! - at[5]!).toBeGreaterThanOrEqual(133);
    await clock.advance(1_000);
    expect(send(99).wait).toBeUndefined();
  });

  it('spaces one private chat at 1 message/s', async () => {
    const { clock, send, sent } = setup();
    const all = [send(7), send(7), send(7)].map((s) => s.done);
    await clock.run(Promise.all(all));
    expect(times(sent, 7)).toEqual([0, 1000, 2000]);
  });

  it('spaces the whole bot so no window of 1 s plus the margin holds more than globalPerSecond', async () => {
    const { clock, send, sent, scheduler } = setup();
    const all = Array.from({ length: 90 }, (_, i) => send(1000 + i).done);
    await clock.run(Promise.all(all));
    const at = times(sent);
    const margin = scheduler.marginMs;
    expect(margin).toBeGreaterThan(0); // no round trip seen yet: the initial margin
    for (let i = 0; i < at.length; i++) {
      const inWindow = at.filter((t) => t > at[i]! - 1000 - margin && t <= at[i]!).length;
      expect(inWindow).toBeLessThanOrEqual(30);
    }
    // Slots (1000 + margin) / 30 apart: the margin costs margin / 1000 of the rate, no more.
    expect(at[89]).toBeLessThanOrEqual(Math.ceil((89 * (1000 + margin)) / 30) + 5);
  });

  it('sends a group\'s next message once the previous one is answered, or after ANSWER_WAIT_MS without an answer', async () => {
    const { clock, send, sent, scheduler } = setup();
    const first = send(-42, { answered: false });
    const second = send(-42, { answered: false });
    const third = send(-42);
    await clock.run(first.done);
    // No answer to the first yet: the second waits for it, though the group's window has room.
    await clock.advance(300);
    expect(times(sent, -42)).toEqual([0]);
    scheduler.released(first.ticket); // its answer
    await clock.run(second.done);
    expect(times(sent, -42)).toEqual([0, 300]);
    // The second is never answered (the network lost it): the third goes ANSWER_WAIT_MS after it.
    await clock.run(third.done);
    expect(times(sent, -42)).toEqual([0, 300, 300 + ANSWER_WAIT_MS]);
    // A private chat does not wait for answers: its own spacing keeps its order.
    const a = send(7, { answered: false });
    const b = send(7, { answered: false });
    await clock.run(Promise.all([a.done, b.done]));
    expect(times(sent, 7)[1]! - times(sent, 7)[0]!).toBe(1_000);
  });

  it('lets a group send a burst of 20, then holds it by the 60 s window (plus the margin)', async () => {
    const { clock, send, sent, scheduler } = setup();
    const all = Array.from({ length: 25 }, () => send(-55).done);
    await clock.run(Promise.all(all));
    const at = times(sent, -55);
    expect(at[19]).toBeLessThan(1000);
    // Each later one as soon as the one 20 before it left the window (give or take the bot-wide
    // slot it then waits for: 33.3 ms at 30/s).
    const margin = scheduler.marginMs;
    for (let i = 20; i < 25; i++) {
      expect(at[i]).toBeGreaterThanOrEqual(at[i - 20]! + 60_000 + margin);
      expect(at[i]).toBeLessThanOrEqual(at[i - 20]! + 60_000 + margin + 36);
    }
  });

  it('does not make a chat wait behind other chats that only the bot-wide limit holds', async () => {
    const { clock, send, sent, scheduler } = setup({ ...TELEGRAM_LIMITS, globalPerSecond: 10 });
    // 50 single messages to distinct chats fill the bot-wide queue for ~5 s...
    const broadcast = Array.from({ length: 50 }, (_, i) => send(5000 + i).done);
    // ...and a busy chat asks for 4 messages: its own limit allows one per second.
    const busy = Array.from({ length: 4 }, () => send(42).done);
    await clock.run(Promise.all([...broadcast, ...busy]));
    const at = times(sent, 42);
    // Each of its messages goes within two bot-wide slots (100 ms plus a tenth of the margin each at
    // 10/s) of when its own 1/s limit allows (1 s after its previous one actually went); behind the
    // broadcast it would wait ~5 s.
    const slot = (1000 + scheduler.marginMs) / 10;
    at.forEach((t, i) => expect(t).toBeLessThanOrEqual(i === 0 ? 2 * slot : at[i - 1]! + 1000 + 2 * slot));
    expect(at[3]).toBeLessThan(3_500);
  });

  it('keeps a closed chat gate shut for queued and new calls, then opens it on time', async () => {
    const { clock, gates, send, sent } = setup();
    send(9);
    gates.close('chat:9', 5_000);
    const a = send(9).done;
    const other = send(10).done;
    await clock.run(Promise.all([a, other]));
    expect(times(sent, 9)).toEqual([0, 5_000]);
    expect(times(sent, 10)[0]).toBeLessThan(100);
  });

  it('a bot gate holds every paced call', async () => {
    const { clock, gates, send, sent } = setup();
    gates.close('bot', 3_000);
    await clock.run(Promise.all([send(1).done, send(2).done, send(undefined).done]));
    expect(Math.min(...times(sent))).toBeGreaterThanOrEqual(3_000);
  });

  it('rejects a queued call on abort with the reason, and the queue moves on', async () => {
    const { clock, scheduler, send, sent } = setup();
    send(3);
    const controller = new AbortController();
    const queued = scheduler.acquire({ chat: chatScopeOf({ chat_id: 3 }), paid: false, method: 'sendMessage', signal: controller.signal });
    const after = send(3).done;
    controller.abort('cancelled');
    await expect(queued).rejects.toBe('cancelled');
    await clock.run(after);
    expect(times(sent, 3)).toEqual([0, 1000]);
    expect(scheduler.queued).toBe(0);
  });

  it('frees the state of idle chats', async () => {
    const { clock, scheduler, send } = setup();
    await clock.run(Promise.all(Array.from({ length: 100 }, (_, i) => send(i + 1).done)));
    expect(scheduler.trackedChats).toBe(100);
    // The clean-up runs on its own (an unref'd sleep: it never keeps a process alive)...
    expect(clock.pending()).toBe(0);
    await clock.advance(TELEGRAM_LIMITS.idleChatTtlMs + 10_000);
    expect(scheduler.trackedChats).toBe(0);
    // ...and a chat in use is never freed.
    send(7);
    send(7);
    await clock.advance(TELEGRAM_LIMITS.idleChatTtlMs + 10_000);
    expect(scheduler.trackedChats).toBe(0);
    send(8);
    const queued = send(8).done;
    await clock.advance(500);
    expect(scheduler.trackedChats).toBe(1);
    await clock.run(queued);
  });

  it('frees a chat whose queued calls were all aborted, sent before or not', async () => {
    const { clock, scheduler, send } = setup({ ...TELEGRAM_LIMITS, globalPerSecond: 1 });
    const queue = (chat_id: number, signal: AbortSignal) =>
      scheduler.acquire({ chat: chatScopeOf({ chat_id }), paid: false, method: 'sendMessage', signal });
    send(1); // takes the bot-wide slot: the next calls queue
    const first = new AbortController();
    const never = queue(2, first.signal);
    first.abort('stop');
    await expect(never).rejects.toBe('stop');
    // Chat 2 never sent: nothing to remember, freed at once.
    expect(scheduler.trackedChats).toBe(1);
    const sent = send(3).done;
    await clock.run(sent);
    const second = new AbortController();
    const later = queue(3, second.signal);
    second.abort('stop');
    await expect(later).rejects.toBe('stop');
    // Chat 3 sent before: its spacing still matters for a while, then it is freed too.
    expect(scheduler.trackedChats).toBe(2);
    await clock.advance(TELEGRAM_LIMITS.idleChatTtlMs + 1_000);
    expect(scheduler.trackedChats).toBe(0);
  });

  it('aborting the last queued call leaves no timer behind (a process could not exit until it fired)', async () => {
    const { clock, gates, scheduler } = setup();
    gates.close('chat:5', clock.now() + 3_600_000); // an hour's flood wait
    const controller = new AbortController();
    const queued = scheduler.acquire({ chat: chatScopeOf({ chat_id: 5 }), paid: false, method: 'sendMessage', signal: controller.signal });
    expect(clock.pending()).toBe(1);
    controller.abort('stop');
    await expect(queued).rejects.toBe('stop');
    expect(clock.pending()).toBe(0);
  });

  it('a paced call bound to no chat waits at its method\'s gate, and holds no chat while it does', async () => {
    const { clock, gates, send, sent } = setup();
    gates.close('method:messages.sendMessage', 5_000); // an MTProto FLOOD_WAIT_5
    const unbound = send(undefined, { method: 'messages.sendMessage' }).done;
    const chats = [send(1).done, send(2).done];
    await clock.run(Promise.all(chats));
    expect(Math.max(...times(sent))).toBeLessThan(5_000);
    await clock.run(unbound);
    expect(times(sent, undefined)).toHaveLength(3);
    expect(Math.max(...times(sent))).toBe(5_000);
  });

  it('learns a group\'s window from a 429 whose wait matches it, and not from one that cannot be the group\'s (the bot\'s)', async () => {
    const { clock, scheduler, send, sent } = setup();
    // Five to group -5 go out in a burst; Telegram (stricter: 4 per minute) refuses the fifth.
    await clock.run(Promise.all(Array.from({ length: 5 }, () => send(-5).done)));
    const burst = times(sent, -5);
    // Its wait: until the first of the four it accepted leaves the window, rounded up to a second.
    const openAt = Math.ceil((burst[0]! + 60_000 + 40) / 1_000) * 1_000;
    const fifth = { seq: 4, sentAt: burst[4]!, sendNo: -1 };
    scheduler.learning.refused('chat:-5', false, fifth);
    scheduler.learning.learnChatFlood('chat:-5', openAt, fifth);
    expect(scheduler.learning.groupWindow('chat:-5')).toBe(4);
    const next = Array.from({ length: 4 }, () => send(-5).done);
    await clock.run(Promise.all(next), 10_000);
    const later = times(sent, -5).slice(5);
    // Four per minute from now on: the next four go when the accepted four leave the window.
    expect(later[0]).toBeGreaterThanOrEqual(burst[0]! + 60_000);
    expect(later[3]).toBeGreaterThanOrEqual(burst[3]! + 60_000);

    // Group -6: three sent, then a 429 with a 1 s wait: not its window (that would free a slot 60 s
    // after the first), so its limit stays 20 per minute.
    await clock.run(Promise.all(Array.from({ length: 3 }, () => send(-6).done)));
    const third = { seq: 7, sentAt: Math.max(...times(sent, -6)), sendNo: -1 };
    scheduler.learning.refused('chat:-6', false, third);
    scheduler.learning.learnChatFlood('chat:-6', clock.now() + 1_000, third);
    expect(scheduler.learning.groupWindow('chat:-6')).toBe(20);
    const t = clock.now();
    await clock.run(Promise.all(Array.from({ length: 10 }, () => send(-6).done)), 10_000);
    expect(Math.max(...times(sent, -6))).toBeLessThan(t + 2_000);
  });

  it('close() rejects queued calls and refuses new ones', async () => {
    const { scheduler, send } = setup();
    send(4);
    const queued = send(4).done;
    scheduler.close();
    await expect(queued).rejects.toThrow(/closed/);
    await expect(send(5).done).rejects.toThrow(/closed/);
  });

  it('a send answered later than the margin explains counts as that late: the window 30 sends on holds at its arrival', async () => {
    const { clock, scheduler } = setup();
    const tickets: Array<{ seq: number; sentAt: number; sendNo: number }> = [];
    const sentAt: number[] = [];
    const go = (i: number) => {
      const ticket = { seq: -1, sentAt: 0, sendNo: -1 };
      tickets.push(ticket);
      const wait = scheduler.acquire({ chat: chatScopeOf({ chat_id: 5000 + i }), paid: false, method: 'sendMessage', signal: undefined, ticket });
      return (wait ?? Promise.resolve()).then(() => sentAt.push(clock.now()));
    };
    const first = go(0);
    await first;
    // The first send's answer comes 300 ms later (it left late: connecting, a busy loop).
    const rest = Array.from({ length: 30 }, (_, i) => go(i + 1));
    await clock.advance(300);
    scheduler.answered(tickets[0]!);
    await clock.run(Promise.all(rest));
    const margin = scheduler.marginMs;
    // It may have arrived up to 300 - margin ms after it was sent: the 31st waits a second after that.
    expect(sentAt[30]! - sentAt[0]!).toBeGreaterThanOrEqual(300 - margin + 1000);
    // An answer on time moves nothing: another 30 sends go a window plus the margin after the first.
    const more = Array.from({ length: 31 }, (_, i) => go(100 + i));
    for (let i = 0; i < 5; i++) {
      await clock.advance(10);
      scheduler.answered(tickets[31 + i]!);
    }
    await clock.run(Promise.all(more));
    expect(sentAt[61]! - sentAt[31]!).toBeLessThanOrEqual(1000 + margin + 40);
  });

  it('paid broadcasts use their own, much higher bot-wide rate', async () => {
    const { clock, send, sent } = setup();
    const all = Array.from({ length: 200 }, (_, i) => send(10_000 + i, { paid: true }).done);
    await clock.run(Promise.all(all));
    expect(Math.max(...times(sent))).toBeLessThan(250);
  });
});
