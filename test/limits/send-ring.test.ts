import { describe, expect, it } from 'vitest';
import { SendRing } from '../../src/limits/send-ring.js';

describe('SendRing', () => {
  it('keeps the latest sends, oldest leaving first', () => {
    const ring = new SendRing(3);
    expect(ring.ago(1)).toBe(Number.NEGATIVE_INFINITY);
    for (const [at, no] of [[10, 0], [20, 1], [30, 2], [40, 3]] as const) ring.push(at, no);
    expect([ring.ago(1), ring.ago(2), ring.ago(3)]).toEqual([40, 30, 20]);
  });

  it('forgets a send by its number, though another has its time', () => {
    const ring = new SendRing(4);
    ring.push(10, 0);
    ring.push(10, 1);
    ring.push(12, 2);
    ring.forget(10, 0);
    // Send 1 (also at 10) stays; send 0 no longer counts.
    expect(ring.countBefore(0, 20, 2)).toBe(1);
  });

  it('forgets the latest send made at a time when its number is no longer held', () => {
    const ring = new SendRing(2);
    ring.push(10, 0);
    ring.push(10, 1);
    ring.forget(10, 99);
    expect(ring.ago(1)).toBe(Number.NEGATIVE_INFINITY);
    expect(ring.ago(2)).toBe(10);
  });

  it('counts the sends before a refused one by send order where it holds it, else by time', () => {
    const ring = new SendRing(5);
    // A late answer moved sends 1-3 to one instant: by time, none is before the refused send 3.
    for (const [at, no] of [[5, 0], [50, 1], [50, 2], [50, 3]] as const) ring.push(at, no);
    expect(ring.countBefore(0, 50, 3)).toBe(3);
    expect(ring.countBefore(0, 50, 99)).toBe(1);
    // Only sends after `from` count.
    expect(ring.countBefore(10, 50, 3)).toBe(2);
  });

  it('restamps the sends made since a time, newest first, and says how many moved', () => {
    const ring = new SendRing(4);
    for (const [at, no] of [[1, 0], [5, 1], [6, 2]] as const) ring.push(at, no);
    expect(ring.restamp(5, 100)).toBe(2);
    expect([ring.ago(1), ring.ago(2), ring.ago(3)]).toEqual([100, 100, 1]);
  });

  it('delays a send and the later ones that count earlier, keeping send order', () => {
    const ring = new SendRing(4);
    for (const [at, no] of [[1, 0], [5, 1], [6, 2], [30, 3]] as const) ring.push(at, no);
    ring.delay(5, 20);
    expect([ring.ago(4), ring.ago(3), ring.ago(2), ring.ago(1)]).toEqual([1, 20, 20, 30]);
  });

  it('holds nothing at size 0 (rates above the cap)', () => {
    const ring = new SendRing(0);
    ring.push(1, 0);
    expect(ring.restamp(0, 5)).toBe(0);
    expect(ring.countBefore(0, 10, 0)).toBe(0);
  });
});
