import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { FloodGates } from '../../src/limits/flood-gates.js';

describe('FloodGates', () => {
  it('a gate only moves later, opens on time by itself, and tells listeners when it closes', async () => {
    const clock = createManualClock(1_000);
    const gates = new FloodGates(clock);
    const heard: Array<[string, number]> = [];
    const dispose = gates.onClose((scope, at) => heard.push([scope, at]));
    expect(gates.close('chat:1', 3_000)).toBe(true);
    expect(gates.close('chat:1', 2_000)).toBe(false); // earlier: ignored
    expect(gates.close('chat:1', 1_000)).toBe(false); // already past
    expect(gates.openAt('chat:1')).toBe(3_000);
    expect(gates.anyClosed).toBe(true);
    await clock.advance(2_000);
    expect(gates.openAt('chat:1')).toBe(0);
    expect(gates.anyClosed).toBe(false);
    dispose();
    gates.close('bot', 5_000);
    expect(heard).toEqual([['chat:1', 3_000]]);
  });

  it('forgets gates nobody asks about again: all at once when the last opens, and as they pile up', async () => {
    const clock = createManualClock(0);
    const gates = new FloodGates(clock);
    // A broadcast hits 429 on 10,000 chats that are never sent to again.
    for (let i = 0; i < 10_000; i++) gates.close(`chat:${i}`, 1_000 + i);
    expect(gates.size).toBe(10_000);
    await clock.advance(20_000);
    expect(gates.anyClosed).toBe(false);
    expect(gates.size).toBe(0);

    // A bot that keeps hitting 429s on new chats (one gate always closed) still holds only the
    // gates that are closed, within a factor of two.
    for (let i = 0; i < 10_000; i++) {
      gates.close(`chat:${i}`, clock.now() + 1_000);
      await clock.advance(100);
    }
    expect(gates.anyClosed).toBe(true);
    expect(gates.size).toBeLessThanOrEqual(2 * 64);
  });
});
