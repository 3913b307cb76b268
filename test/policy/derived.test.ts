/** `resilience.with()`: a derived policy shares the parent's state (migrations, listeners, flood gates). */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import type { FloodWaitEvent, GiveUpEvent } from '../../src/engine/types.js';
import { botApiError, chatMigrated, rpcError, tooManyRequests } from '../helpers/failures.js';
import { scripted, settle } from './helpers.js';

describe('resilience.with(): its own policy', () => {
  it('overrides apply to the derived policy only; the parent keeps its own', () => {
    const parent = createResilience({ floodSleepThreshold: 60 });
    const child = parent.with({ floodSleepThreshold: 2 });
    expect(child.explain(tooManyRequests(5)).action).toBe('fail');
    expect(parent.explain(tooManyRequests(5)).action).toBe('sleep');
    expect(child.policy.floodSleepThreshold).toBe(2);
    expect(parent.policy.floodSleepThreshold).toBe(60);
    expect(child.policy.maxAttempts).toBe(parent.policy.maxAttempts);
  });

  it('rules given to with() go before the parent\'s rules', () => {
    const parent = createResilience({ rules: [{ match: 'sendMessage', name: 'parent', floodSleepThreshold: 100 }] });
    const child = parent.with({ rules: [{ match: 'send*', name: 'child', floodSleepThreshold: 2 }] });
    expect(child.explain(tooManyRequests(5), { method: 'sendMessage' })).toMatchObject({ action: 'fail', rule: 'child' });
    expect(parent.explain(tooManyRequests(5), { method: 'sendMessage' })).toMatchObject({ action: 'sleep', rule: 'parent' });
    // The child still has the parent's rule for what its own rules do not match.
    expect(child.with({}).explain(tooManyRequests(70), { method: 'sendMessage' }).rule).toBe('child');
  });

  it('rejects unknown options', () => {
    expect(() => createResilience().with({ maxAtempts: 2 } as never)).toThrow(/unknown option `maxAtempts` \(did you mean `maxAttempts`\?\)/);
  });
});

describe('resilience.with(): shared state', () => {
  it('a chat migration learned through the child is used by the parent (and by a sibling)', async () => {
    const clock = createManualClock();
    const parent = createResilience({ clock });
    const child = parent.with({ maxAttempts: 2 });
    const sibling = parent.with({ floodSleepThreshold: 1 });

    const first = scripted([chatMigrated(-1009990001)]);
    await settle(clock, child, first.fn, { method: 'sendMessage', params: { chat_id: -555, text: 'a' } });
    expect(first.attempts.map((a) => a.params?.chat_id)).toEqual([-555, -1009990001]);

    for (const other of [parent, sibling]) {
      const next = scripted([]);
      await settle(clock, other, next.fn, { method: 'sendMessage', params: { chat_id: -555, text: 'b' } });
      expect(next.attempts).toHaveLength(1);
      expect(next.attempts[0]!.params?.chat_id).toBe(-1009990001);
    }
  });

  it('a chat migration learned through the parent is used by the child', async () => {
    const clock = createManualClock();
    const parent = createResilience({ clock });
    const child = parent.with({ maxAttempts: 2 });
    await settle(clock, parent, scripted([chatMigrated(-1001112223)]).fn, { method: 'sendMessage', params: { chat_id: -7 } });
    const next = scripted([]);
    await settle(clock, child, next.fn, { method: 'sendMessage', params: { chat_id: -7 } });
    expect(next.attempts[0]!.params?.chat_id).toBe(-1001112223);
  });

  it('listeners on the parent hear the child\'s events, and the child\'s listeners hear the parent\'s', async () => {
    const clock = createManualClock();
    const parent = createResilience({ clock });
    const child = parent.with({ floodSleepThreshold: 10 });
    const heardByParent: FloodWaitEvent[] = [];
    const giveUpsHeardByChild: GiveUpEvent[] = [];
    parent.onFloodWait((e) => heardByParent.push(e));
    child.onGiveUp((e) => giveUpsHeardByChild.push(e));

    await settle(clock, child, scripted([tooManyRequests(3)]).fn, { method: 'sendMessage' });
    expect(heardByParent).toHaveLength(1);
    expect(heardByParent[0]).toMatchObject({ method: 'sendMessage', retryAfterMs: 3000, delayMs: 3000 });

    await settle(clock, parent, scripted([botApiError(403, 'Forbidden: bot was blocked by the user')]).fn, { method: 'sendMessage' });
    expect(giveUpsHeardByChild).toHaveLength(1);
    expect(giveUpsHeardByChild[0]!.failure.kind).toBe('forbidden');
  });

  it('closing the parent also stops its derived policies (they share one engine)', async () => {
    const parent = createResilience();
    const child = parent.with({});
    await parent.close();
    await expect(child.call(() => 'x')).rejects.toThrow(/after close/);
  });
});

describe('resilience.with() with throttling: shared flood gates', () => {
  it('an MTProto FLOOD_WAIT met through the child pauses the same method on the parent', async () => {
    const clock = createManualClock(0);
    const parent = createResilience({ throttle: true, clock });
    const child = parent.with({ maxAttempts: 2 });
    const info = { method: 'messages.getHistory', params: { peer: { userId: 5 } } };
    const first = scripted([rpcError(420, 'FLOOD_WAIT_3')], 'ok', clock);
    const firstCall = child.call(first.fn, info);
    await clock.advance(0);
    expect(first.attempts).toHaveLength(1);
    const other = scripted([], 'ok', clock);
    await clock.run(Promise.all([firstCall, parent.call(other.fn, info)]));
    expect(first.attempts[1]!.at).toBe(3000);
    expect(other.attempts[0]!.at).toBeGreaterThanOrEqual(3000);
    await parent.close();
  });

  it('a 429 met by the parent pauses the child\'s sends to that chat (beyond normal pacing)', async () => {
    const clock = createManualClock(0);
    const parent = createResilience({ throttle: true, clock });
    const child = parent.with({ floodSleepThreshold: 30 });
    const info = { method: 'sendMessage', params: { chat_id: 77, text: 'x' } };
    const first = scripted([tooManyRequests(5)], 'ok', clock);
    const firstCall = parent.call(first.fn, info);
    await clock.advance(0);
    expect(first.attempts).toHaveLength(1);
    const other = scripted([], 'ok', clock);
    await clock.run(Promise.all([firstCall, child.call(other.fn, info)]));
    // Pacing alone (1 message/s per private chat) would have let it go at 1000 ms.
    expect(other.attempts[0]!.at).toBeGreaterThanOrEqual(5000);
    await parent.close();
  });

  it('control: an independent engine is not paused by another engine\'s flood', async () => {
    const clock = createManualClock(0);
    const one = createResilience({ throttle: true, clock });
    const two = createResilience({ throttle: true, clock });
    const info = { method: 'messages.getHistory', params: { peer: { userId: 5 } } };
    const first = scripted([rpcError(420, 'FLOOD_WAIT_3')], 'ok', clock);
    const firstCall = one.call(first.fn, info);
    await clock.advance(0);
    const other = scripted([], 'ok', clock);
    await clock.run(Promise.all([firstCall, two.call(other.fn, info)]));
    expect(other.attempts[0]!.at).toBeLessThan(3000);
    await Promise.all([one.close(), two.close()]);
  });
});
