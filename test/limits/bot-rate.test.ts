import { describe, expect, it } from 'vitest';
import { BotRate, LEARNED_RATE_TTL_MS } from '../../src/limits/bot-rate.js';

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

  it('after a bot-wide 429 it keeps to what Telegram accepted in the second before the refused send', () => {
    const rate = new BotRate(30);
    // Telegram accepts the sends of the first 400 ms and refuses the last of them.
    const sent = drive(rate, 0, 400);
    const refusedAt = sent[sent.length - 1]!;
    const accepted = sent.length - 1;
    expect(accepted).toBeGreaterThan(5);
    rate.slowDown(refusedAt);
    expect(rate.rate).toBe(accepted);
    const after = drive(rate, 3_000, 8_000);
    expect(inAnySecond(after)).toBeLessThanOrEqual(accepted);
    expect(after.length).toBeGreaterThanOrEqual(accepted * 5 - 1);
  });

  it('slows down by one at least, never below a tenth of the configured rate, and comes back after ten quiet minutes', () => {
    const rate = new BotRate(30);
    drive(rate, 0, 2_000);
    rate.slowDown(1_990); // 29 or 30 accepted in the second before: one less than now
    expect(rate.rate).toBe(29);
    for (let i = 0; i < 40; i++) rate.slowDown(2_000 + i);
    expect(rate.rate).toBe(3);
    rate.take(2_000 + LEARNED_RATE_TTL_MS - 1_000);
    expect(rate.rate).toBe(3);
    rate.take(2_100 + LEARNED_RATE_TTL_MS);
    expect(rate.rate).toBe(30);
  });

  it('paid broadcast rates (above 100/s) are not learned', () => {
    const rate = new BotRate(1000);
    drive(rate, 0, 500);
    rate.slowDown(499);
    expect(rate.rate).toBe(1000);
  });
});
