import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createRateLimitModel, resolveLimits, TELEGRAM_LIMITS, type LimitDecision } from '../../src/sim/limits.js';

const SEND = { group: false, global: true };
const GROUP_SEND = { group: true, global: true };
const EDIT = { group: false, global: false };

function refused(decision: LimitDecision) {
  if (decision.allowed) throw new Error('expected the call to be refused');
  return decision;
}

describe('rate-limit model: per chat (burst, then ~1/s)', () => {
  it('accepts a burst of 3, refuses the 4th with retry_after 1, then one per second', async () => {
    const clock = createManualClock(10_000);
    const model = createRateLimitModel({}, clock);
    for (let i = 0; i < 3; i++) expect(model.take('7', SEND).allowed).toBe(true);
    const fourth = refused(model.take('7', SEND));
    expect(fourth).toMatchObject({ scope: 'chat', retryAfter: 1, retryAfterMs: 1000 });

    await clock.advance(999);
    expect(refused(model.take('7', SEND))).toMatchObject({ retryAfter: 1, retryAfterMs: 1 });
    await clock.advance(1);
    expect(model.take('7', SEND).allowed).toBe(true);
    expect(model.take('7', SEND).allowed).toBe(false);
    await clock.advance(1000);
    expect(model.take('7', SEND).allowed).toBe(true);
  });

  it('keeps chats independent', () => {
    const model = createRateLimitModel({}, createManualClock());
    for (let i = 0; i < 3; i++) model.take('1', SEND);
    expect(model.take('1', SEND).allowed).toBe(false);
    expect(model.take('2', SEND).allowed).toBe(true);
  });

  it('does not count refused calls: hammering does not push the wait further', async () => {
    const clock = createManualClock();
    const model = createRateLimitModel({ chatBurst: 1 }, clock);
    model.take('1', SEND);
    for (let i = 0; i < 50; i++) model.take('1', SEND);
    await clock.advance(1000);
    expect(model.take('1', SEND).allowed).toBe(true);
  });

  it('refills the burst after a quiet period, but never above chatBurst', async () => {
    const clock = createManualClock();
    const model = createRateLimitModel({}, clock);
    model.take('1', SEND);
    await clock.advance(60_000);
    const allowed = Array.from({ length: 5 }, () => model.take('1', SEND).allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
  });

  it('rounds retry_after up to whole seconds', async () => {
    const clock = createManualClock();
    const model = createRateLimitModel({ chatPerSecond: 0.5, chatBurst: 1 }, clock);
    model.take('1', SEND);
    expect(refused(model.take('1', SEND))).toMatchObject({ retryAfter: 2, retryAfterMs: 2000 });
    await clock.advance(500);
    expect(refused(model.take('1', SEND))).toMatchObject({ retryAfter: 2, retryAfterMs: 1500 });
    await clock.advance(1499);
    expect(refused(model.take('1', SEND))).toMatchObject({ retryAfter: 1, retryAfterMs: 1 });
  });

  it('strict removes the burst; explicit limits win over strict', () => {
    const strict = createRateLimitModel({}, createManualClock(), true);
    expect([strict.take('1', SEND).allowed, strict.take('1', SEND).allowed]).toEqual([true, false]);
    expect(resolveLimits({ chatBurst: 5 }, true).chatBurst).toBe(5);
    expect(resolveLimits({}, false)).toEqual(TELEGRAM_LIMITS);
  });
});

describe('rate-limit model: whole bot (30 per any 1 s window)', () => {
  it('refuses the 31st call within a second, whatever the chats', async () => {
    const clock = createManualClock();
    const model = createRateLimitModel({}, clock);
    for (let chat = 1; chat <= 30; chat++) expect(model.take(String(chat), SEND).allowed).toBe(true);
    expect(refused(model.take('31', SEND))).toMatchObject({ scope: 'global', retryAfter: 1, retryAfterMs: 1000 });
    await clock.advance(1000);
    expect(model.take('31', SEND).allowed).toBe(true);
  });

  it('is a sliding window: slots free as each old call turns 1 s old', async () => {
    const clock = createManualClock();
    const model = createRateLimitModel({}, clock);
    for (let chat = 0; chat < 10; chat++) model.take(`a${chat}`, SEND);
    await clock.advance(600);
    for (let chat = 0; chat < 20; chat++) expect(model.take(`b${chat}`, SEND).allowed).toBe(true);
    expect(refused(model.take('c', SEND)).retryAfterMs).toBe(400);
    await clock.advance(400);
    for (let chat = 0; chat < 10; chat++) expect(model.take(`d${chat}`, SEND).allowed).toBe(true);
    expect(refused(model.take('e', SEND))).toMatchObject({ scope: 'global', retryAfterMs: 600, retryAfter: 1 });
  });

  it('does not count edits against the bot-wide limit (they still count per chat)', () => {
    const model = createRateLimitModel({}, createManualClock());
    for (let chat = 0; chat < 30; chat++) model.take(`s${chat}`, SEND);
    expect(model.take('x', EDIT).allowed).toBe(true);
    expect(model.take('y', SEND).allowed).toBe(false);
    model.take('x', EDIT);
    model.take('x', EDIT);
    expect(refused(model.take('x', EDIT)).scope).toBe('chat');
  });
});

describe('rate-limit model: groups (20 per any 60 s window)', () => {
  it('refuses the 21st message in a minute with the seconds until the oldest leaves', async () => {
    const clock = createManualClock();
    const model = createRateLimitModel({ chatPerSecond: Infinity }, clock);
    for (let i = 0; i < 20; i++) expect(model.take('-5', GROUP_SEND).allowed).toBe(true);
    expect(refused(model.take('-5', GROUP_SEND))).toMatchObject({ scope: 'group', retryAfter: 60 });
    await clock.advance(30_500);
    expect(refused(model.take('-5', GROUP_SEND))).toMatchObject({ retryAfter: 30, retryAfterMs: 29_500 });
  });

  it('slides: a message sent every 3 s is never refused, a 21st in 60 s is', async () => {
    const clock = createManualClock();
    const model = createRateLimitModel({}, clock);
    for (let i = 0; i < 20; i++) {
      expect(model.take('-9', GROUP_SEND).allowed).toBe(true);
      await clock.advance(3000);
    }
    // t = 60 000: the message from t = 0 just left the window.
    expect(model.take('-9', GROUP_SEND).allowed).toBe(true);
    await clock.advance(1000);
    // t = 61 000: messages at 3 000 ... 60 000 are 20 in the window; 3 000 leaves at 63 000.
    expect(refused(model.take('-9', GROUP_SEND))).toMatchObject({ scope: 'group', retryAfterMs: 2000, retryAfter: 2 });
  });

  it('holds groups by the 60 s window alone: a burst of groupPerMinute goes at once, the next is refused', () => {
    const model = createRateLimitModel({}, createManualClock());
    for (let i = 0; i < 20; i++) expect(model.take('-9', GROUP_SEND)).toEqual({ allowed: true });
    expect(refused(model.take('-9', GROUP_SEND)).scope).toBe('group');
  });
});

describe('rate-limit model: options and invariants', () => {
  it('rejects limits that are not > 0 and a fractional burst', () => {
    expect(() => resolveLimits({ chatPerSecond: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ globalPerSecond: -1 })).toThrow(RangeError);
    expect(() => resolveLimits({ groupPerMinute: Number.NaN })).toThrow(RangeError);
    expect(() => resolveLimits({ chatBurst: 1.5 })).toThrow(RangeError);
    expect(resolveLimits({ globalPerSecond: Infinity }).globalPerSecond).toBe(Infinity);
  });

  it('reset() forgets history', () => {
    const model = createRateLimitModel({}, createManualClock());
    for (let i = 0; i < 3; i++) model.take('1', SEND);
    expect(model.take('1', SEND).allowed).toBe(false);
    model.reset();
    expect(model.take('1', SEND).allowed).toBe(true);
  });

  it('never lets more through than the windows allow; waiting retryAfterMs always frees a slot', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 1500 }), chat: fc.constantFrom('1', '2', '-3', '-4') }), { maxLength: 120 }),
        async (calls) => {
          const clock = createManualClock();
          const model = createRateLimitModel({ globalPerSecond: 5, groupPerMinute: 4 }, clock);
          const allowed: Array<{ at: number; chat: string }> = [];
          for (const call of calls) {
            await clock.advance(call.gap);
            const cost = call.chat.startsWith('-') ? GROUP_SEND : SEND;
            const decision = model.take(call.chat, cost);
            if (decision.allowed) {
              allowed.push({ at: clock.now(), chat: call.chat });
            } else {
              expect(decision.retryAfter).toBeGreaterThanOrEqual(1);
              expect(decision.retryAfter).toBe(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
            }
          }
          for (const { at } of allowed) {
            expect(allowed.filter((c) => c.at > at - 1000 && c.at <= at).length).toBeLessThanOrEqual(5);
            for (const group of ['-3', '-4']) {
              expect(allowed.filter((c) => c.chat === group && c.at > at - 60_000 && c.at <= at).length).toBeLessThanOrEqual(4);
            }
          }
          // With nothing else going on, the advertised wait is exactly enough.
          const last = calls.at(-1)?.chat ?? '1';
          const cost = last.startsWith('-') ? GROUP_SEND : SEND;
          const decision = model.take(last, cost);
          if (!decision.allowed) {
            await clock.advance(decision.retryAfterMs);
            expect(model.take(last, cost).allowed).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('rate-limit model: paid broadcasts', () => {
  const PAID_SEND = { group: false, global: true, paid: true };
  it('are held by paidPerSecond (1,000 in any 1,000 ms), not by the bot-wide 30/s, and do not use up the free rate', async () => {
    const clock = createManualClock(10_000);
    const model = createRateLimitModel({}, clock);
    for (let i = 0; i < 1000; i++) expect(model.take(`p${i}`, PAID_SEND).allowed, `paid #${i}`).toBe(true);
    expect(refused(model.take('p1000', PAID_SEND))).toMatchObject({ scope: 'global', retryAfter: 1 });
    // The free rate is untouched by them: 30 more ordinary sends go now.
    for (let i = 0; i < 30; i++) expect(model.take(`f${i}`, SEND).allowed, `free #${i}`).toBe(true);
    expect(refused(model.take('f30', SEND)).scope).toBe('global');
    await clock.advance(1000);
    expect(model.take('p1001', PAID_SEND).allowed).toBe(true);
  });

  it('still keep a private chat to its own rate', () => {
    const model = createRateLimitModel({ chatBurst: 1 }, createManualClock(0));
    expect(model.take('9', PAID_SEND).allowed).toBe(true);
    expect(refused(model.take('9', PAID_SEND)).scope).toBe('chat');
  });
});
