import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/core/turn-batch.js';

describe('TurnBatch', () => {
  it('serves what is added in one turn with one call, in order, and a later turn with another', async () => {
    const calls: number[][] = [];
    const batch = new TurnBatch(async (items: number[]) => {
      calls.push(items);
      return items.map((n) => n * 10);
    });
    const first = await Promise.all([batch.add(1), batch.add(2), Promise.resolve().then(() => batch.add(3))]);
    expect(first).toEqual([10, 20, 30]);
    expect(await batch.add(4)).toBe(40);
    expect(calls).toEqual([[1, 2, 3], [4]]);
  });

  it('splits a turn into calls of at most maxBatch items', async () => {
    const sizes: number[] = [];
    const batch = new TurnBatch(async (items: number[]) => (sizes.push(items.length), items), 4);
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => batch.add(i)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('fails every item of a call that rejects or throws, and only those', async () => {
    let turn = 0;
    const batch = new TurnBatch((items: string[]) => {
      turn++;
      if (turn === 1) throw new Error('down');
      if (turn === 2) return Promise.reject(new Error('lost'));
      return Promise.resolve(items);
    });
    const thrown = [batch.add('a'), batch.add('b')].map((p) => p.catch((e: Error) => e.message));
    expect(await Promise.all(thrown)).toEqual(['down', 'down']);
    await expect(batch.add('c')).rejects.toThrow('lost');
    await expect(batch.add('d')).resolves.toBe('d');
  });
});
