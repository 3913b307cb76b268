import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitStream, untilStopped } from '../../../src/cli/broadcast/stream-split.js';

/** A source that counts how far it was read. */
function counted(values: readonly number[]) {
  const state = { read: 0 };
  async function* source() {
    for (const value of values) {
      state.read++;
      yield value;
    }
  }
  return { source: source(), state };
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('splitStream', () => {
  it('gives the first `count` values, then exactly the rest, reading each once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 30 }), fc.integer({ min: 0, max: 40 }), async (values, count) => {
        const { source, state } = counted(values);
        const { first, rest } = splitStream(source, count);
        const head = await all(first);
        expect(head).toEqual(values.slice(0, count));
        // The first part stops at `count`: nothing beyond it was read yet.
        expect(state.read).toBe(Math.min(count, values.length));
        expect(await all(rest)).toEqual(values.slice(count));
        expect(state.read).toBe(values.length);
      }),
    );
  });

  it("passes the source's error on to the part reading it", async () => {
    async function* failing() {
      yield 1;
      throw new Error('disk gone');
    }
    const { first, rest } = splitStream(failing(), 1);
    expect(await all(first)).toEqual([1]);
    await expect(all(rest)).rejects.toThrow('disk gone');
  });
});

describe('untilStopped', () => {
  it('stops reading once the signal aborts', async () => {
    const { source, state } = counted([1, 2, 3, 4, 5]);
    const stop = new AbortController();
    const seen: number[] = [];
    for await (const value of untilStopped(source, stop.signal)) {
      seen.push(value);
      if (value === 2) stop.abort();
    }
    expect(seen).toEqual([1, 2]);
    expect(state.read).toBe(3); // the value read when the abort was seen is not passed on
  });
});
