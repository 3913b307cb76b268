/**
 * One stream of recipients read in two parts: the first `count`, then the rest, from the same
 * iterator (nothing is read twice, nothing is skipped, and the first part stops reading at `count`).
 * The campaign enqueues its first batch, starts working, then enqueues the rest.
 */
export function splitStream<T>(source: AsyncIterable<T>, count: number): { first: AsyncIterable<T>; rest: AsyncIterable<T> } {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  async function* take(limit: number): AsyncGenerator<T> {
    for (let taken = 0; taken < limit && !done; taken++) {
      const step = await iterator.next();
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  }
  return { first: take(count), rest: take(Infinity) };
}

/** `source` until `signal` aborts: then it stops reading (Ctrl-C while a long file is enqueued). */
export async function* untilStopped<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  for await (const value of source) {
    if (signal.aborted) return;
    yield value;
  }
}
