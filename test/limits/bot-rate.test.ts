import { describe, expect, it } from 'vitest';
import { BATCH_MS, BotRate, LEARNED_RATE_TTL_MS } from '../../src/limits/bot-rate.js';

/** Sends as fast as the rate allows from `from` until `until`; returns the send times. */
function drive(rate: BotRate, from: number, until: number): number[] {
  const sent: number[] = [];
  for (let now = from; now < until; now = Math.max(now + 1, rate.readyAt())) {
    if (rate.readyAt() <= now) {
      rate.take(now);
      sent.push(now);
    }
  }
  return sent;
}

const inAnySecond = (sent: number[]) => Math.max(...sent.map((t) => sent.filter((u) => u > t - 1000 && u <= t).length));

describe('BotRate', () => {
  it('keeps to its rate in every 1 s window', () => {
    const rate = new BotRate(30);
    expect(inAnySecond(drive(rate, 0, 5_000))).toBeLessThanOrEqual(30);
  });

  it('keeps the paid rate in every window of real time, though the clock reads whole ms', () => {
    // Send times are whole ms (Date.now()); each send really happens anywhere in its ms. Even when a
    // window's first send was late in its ms and its last early in its, 1,000 ms of real time hold
    // no more than 1,000 sends: the cap keeps the clock's resolution as well.
    const rate = new BotRate(1000);
    const sent = drive(rate, 0, 5_000);
    for (let i = 0; i + 1000 < sent.length; i++) expect(sent[i + 1000]! - sent[i]!).toBeGreaterThanOrEqual(1001);
  });

  it('at the paid rate one wake-up sends the slots due within BATCH_MS, and every window still holds', () => {
    // A scheduler sleeps until wakeAt(), then sends while readyAt() allows.
    const wakeUps = (rate: BotRate, until: number) => {
      const sent: number[] = [];
      let wakes = 0;
      for (let now = 0; now < until; now = Math.max(now + 1, rate.wakeAt())) {
        wakes++;
        while (rate.readyAt() <= now) {
          rate.take(now, sent.length);
          sent.push(now);
        }
      }
      return { sent, wakes };
    };
    const paid = wakeUps(new BotRate(1000), 5_000);
    expect(paid.wakes).toBeLessThan(paid.sent.length / (BATCH_MS / 2));
    for (let i = 0; i + 1000 < paid.sent.length; i++) expect(paid.sent[i + 1000]! - paid.sent[i]!).toBeGreaterThanOrEqual(1001);
    // The rate is kept: about 1,000 in each second.
    expect(paid.sent.length).toBeGreaterThanOrEqual(4_900);
    // The bot-wide 30/s, its windows tight, sends one by one.
    const free = wakeUps(new BotRate(30), 5_000);
    expect(free.wakes).toBeGreaterThanOrEqual(free.sent.length);
    expect(inAnySecond(free.sent)).toBeLessThanOrEqual(30);
  });

  it('after a bot-wide 429 it keeps to what Telegram accepted in the second before the refused send', () => {
    const rate = new BotRate(30);
    // Telegram accepts the sends of the first 400 ms and refuses the last of them.
    const sent = drive(rate, 0, 400);
    const refusedAt = sent[sent.length - 1]!;
    const accepted = sent.length - 1;
    expect(accepted).toBeGreaterThan(5);
    rate.forget(refusedAt);
    rate.slowDown(refusedAt);
    expect(rate.rate).toBe(accepted);
    const after = drive(rate, 3_000, 8_000);
    expect(inAnySecond(after)).toBeLessThanOrEqual(accepted);
    expect(after.length).toBeGreaterThanOrEqual(accepted * 5 - 1);
  });

  it('counts the sends before the refused one by send order, though late answers moved them all to its instant', () => {
    const rate = new BotRate(30);
    for (let i = 0; i < 12; i++) rate.take(i * 34, i);
    // The first answer came 400 ms late (before round trips are known): every send counts at 400,
    // the refused one (send 11) too. By time, none of the others was before it.
    rate.delay(0, 400);
    rate.forget(400, 11);
    rate.slowDown(400, 11);
    expect(rate.rate).toBe(11);
  });

  it('learns no less than it accepted: a 429 that latency explains (a full window) changes nothing', () => {
    const rate = new BotRate(30, 40);
    const sent = drive(rate, 0, 2_000);
    // Refused, although the window held 30 with the margin: latency, not a stricter limit.
    const refusedAt = sent[sent.length - 1]!;
    rate.forget(refusedAt);
    rate.slowDown(refusedAt);
    expect(rate.rate).toBe(30);
  });

  it('never below a tenth of the configured rate, and back after ten quiet minutes', () => {
    const rate = new BotRate(30);
    drive(rate, 0, 300);
    rate.slowDown(10_000); // nothing accepted in the second before
    expect(rate.rate).toBe(3);
    rate.take(10_000 + LEARNED_RATE_TTL_MS - 1_000);
    expect(rate.rate).toBe(3);
    rate.take(10_100 + LEARNED_RATE_TTL_MS);
    expect(rate.rate).toBe(30);
  });

  it('spaces from the actual send: a late timer is followed by normal spacing, no catch-up burst', () => {
    const rate = new BotRate(30);
    rate.take(0);
    rate.take(34);
    // The next slot was at ~67; the timer fires 400 ms late.
    rate.take(467);
    expect(rate.readyAt()).toBeGreaterThanOrEqual(467 + 33);
  });

  it('keeps the window with its margin: no more than the rate in any 1000 ms + margin', () => {
    const rate = new BotRate(30, 60);
    const sent = drive(rate, 0, 5_000);
    const most = Math.max(...sent.map((t) => sent.filter((u) => u > t - 1060 && u <= t).length));
    expect(most).toBeLessThanOrEqual(30);
  });

  it('paid broadcast rates (above 100/s) are not learned', () => {
    const rate = new BotRate(1000);
    drive(rate, 0, 500);
    rate.slowDown(499);
    expect(rate.rate).toBe(1000);
  });
});
