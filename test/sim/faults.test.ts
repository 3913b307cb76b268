import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_KINDS, FaultPlan, FaultSchedule, mulberry32, type FaultKind } from '../../src/sim/faults.js';

const draw = (random: () => number, n: number) => Array.from({ length: n }, random);

describe('mulberry32', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    expect(draw(mulberry32(42), 100)).toEqual(draw(mulberry32(42), 100));
    expect(draw(mulberry32(42), 100)).not.toEqual(draw(mulberry32(43), 100));
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const values = draw(mulberry32(2024), 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const deciles = new Array(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]++;
    for (const count of deciles) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });
});

describe('FaultSchedule', () => {
  const run = (schedule: FaultSchedule, n: number, method = 'sendMessage') => Array.from({ length: n }, () => schedule.next(method)?.kind ?? null);

  it('is reproducible for a seed, and restart() replays it', () => {
    const options = { seed: 7, rate: 0.4 };
    const first = run(new FaultSchedule(options), 300);
    expect(run(new FaultSchedule(options), 300)).toEqual(first);
    expect(run(new FaultSchedule({ seed: 8, rate: 0.4 }), 300)).not.toEqual(first);
    const schedule = new FaultSchedule(options);
    run(schedule, 50);
    schedule.restart();
    expect(run(schedule, 300)).toEqual(first);
  });

  it('injects at about the given rate and picks among the given kinds', () => {
    const kinds: FaultKind[] = ['500', 'hang'];
    const faults = run(new FaultSchedule({ seed: 1, rate: 0.3, kinds }), 10_000).filter((k) => k !== null);
    expect(faults.length).toBeGreaterThan(2800);
    expect(faults.length).toBeLessThan(3200);
    expect(new Set(faults)).toEqual(new Set(kinds));
    expect(run(new FaultSchedule({ seed: 1, rate: 0 }), 500).every((k) => k === null)).toBe(true);
    expect(run(new FaultSchedule({ seed: 1, rate: 1 }), 500).every((k) => k !== null)).toBe(true);
  });

  it('uses only kinds that end on their own by default', () => {
    const faults = new Set(run(new FaultSchedule({ seed: 3, rate: 1 }), 2000));
    expect(faults).toEqual(new Set(DEFAULT_SCHEDULE_KINDS));
    expect(faults.has('hang')).toBe(false);
  });

  it('skips ineligible methods without drawing, so they do not shift the sequence', () => {
    const options = { seed: 11, rate: 0.5, methods: ['sendMessage'] };
    const plain = run(new FaultSchedule(options), 100);
    const schedule = new FaultSchedule(options);
    const interleaved: Array<FaultKind | null> = [];
    for (let i = 0; i < 100; i++) {
      expect(schedule.next('getMe')).toBeNull();
      interleaved.push(schedule.next('SENDMESSAGE')?.kind ?? null);
    }
    expect(interleaved).toEqual(plain);
  });

  it('validates its options', () => {
    expect(() => new FaultSchedule({ seed: 1, rate: 1.5 })).toThrow(RangeError);
    expect(() => new FaultSchedule({ seed: 1, rate: 0.5, kinds: [] })).toThrow(RangeError);
    expect(() => new FaultSchedule({ seed: 1, rate: 0.5, kinds: ['nope' as FaultKind] })).toThrow(TypeError);
  });
});

describe('FaultPlan', () => {
  it('uses a queued fault once, for the first matching request only', () => {
    const plan = new FaultPlan();
    plan.queue('500', { method: 'sendmessage', chatId: '-100' });
    expect(plan.pick('getMe', undefined)).toBeNull();
    expect(plan.pick('sendMessage', -101)).toBeNull();
    expect(plan.pick('sendMessage', -100)?.kind).toBe('500');
    expect(plan.pick('sendMessage', -100)).toBeNull();
  });

  it('uses queued faults in order, carrying retryAfter for 429s', () => {
    const plan = new FaultPlan();
    plan.queue('429', { retryAfter: 9 });
    plan.queue('bad_json');
    expect(plan.pick('sendMessage', 1)).toEqual({ kind: '429', retryAfter: 9 });
    expect(plan.pick('sendMessage', 1)?.kind).toBe('bad_json');
    expect(plan.pick('sendMessage', 1)).toBeNull();
  });

  it('keeps a standing fault until it is cleared; queued faults win over it', () => {
    const plan = new FaultPlan();
    plan.set('502_html', { method: 'getMe' });
    plan.queue('reset_before', { method: 'getMe' });
    expect(plan.pick('getMe', undefined)?.kind).toBe('reset_before');
    expect(plan.pick('getMe', undefined)?.kind).toBe('502_html');
    expect(plan.pick('getMe', undefined)?.kind).toBe('502_html');
    plan.set(null);
    expect(plan.pick('getMe', undefined)).toBeNull();
  });

  it('set() replaces every standing fault; add() keeps the others, the first added winning', () => {
    const plan = new FaultPlan();
    plan.set('hang');
    plan.set('502_html');
    expect(plan.pick('getMe', undefined)?.kind).toBe('502_html');
    plan.add('500', { method: 'getMe' });
    expect(plan.pick('getMe', undefined)?.kind).toBe('502_html');
    plan.set('500', { method: 'getMe' });
    plan.add('429', { retryAfter: 4 });
    expect(plan.pick('getMe', undefined)?.kind).toBe('500');
    expect(plan.pick('sendMessage', 1)).toEqual({ kind: '429', retryAfter: 4 });
    expect(plan.snapshot().standing).toEqual([
      { kind: '500', match: { method: 'getMe' } },
      { kind: '429', match: { retryAfter: 4 } },
    ]);
  });

  it('refuses unknown kinds and mistyped matches with a TypeError naming them', () => {
    const plan = new FaultPlan();
    expect(() => plan.set('explode' as FaultKind)).toThrow(/unknown fault kind: explode/);
    expect(() => plan.queue('500', { metod: 'getMe' } as never)).toThrow(/fault match: unknown option `metod` \(did you mean `method`\?\)/);
    expect(() => plan.add('429', { retryAfter: 0.5 })).toThrow(/retryAfter/);
  });

  it('keeps the seeded sequence aligned when a queued fault takes a request', () => {
    const schedule = { seed: 5, rate: 0.5, kinds: ['500', '429'] as FaultKind[] };
    const reference = new FaultPlan(schedule);
    const expected = Array.from({ length: 40 }, () => reference.pick('sendMessage', 1)?.kind ?? null);
    const plan = new FaultPlan(schedule);
    plan.queue('hang');
    const got = Array.from({ length: 40 }, () => plan.pick('sendMessage', 1)?.kind ?? null);
    expect(got[0]).toBe('hang');
    expect(got.slice(1)).toEqual(expected.slice(1));
  });

  it('reset() drops queued and standing faults and replays the schedule', () => {
    const plan = new FaultPlan({ seed: 9, rate: 0.5 });
    const first = Array.from({ length: 30 }, () => plan.pick('sendMessage', 1)?.kind ?? null);
    plan.queue('hang');
    plan.add('hang');
    plan.reset();
    expect(Array.from({ length: 30 }, () => plan.pick('sendMessage', 1)?.kind ?? null)).toEqual(first);
  });
});
