/**
 * A manual clock for the broadcast bench, with the same behaviour as the package's
 * `createManualClock()` (src/engine/clock.ts): the same wake order (by due time, then by the order
 * the sleeps were made), one sleeper woken at a time with the same settling in between, the same
 * `advance`/`next`/`run` semantics. The only difference: pending sleeps sit in a binary heap instead
 * of an array sorted on every wake-up, which is O(n) per wake and made the retries-only broadcast
 * (~470,000 sleeps among ~3,000 sleepers) spend two thirds of its time sorting. broadcast.mjs checks
 * that the package's clock gives the same results on a smaller broadcast.
 */

function abortReason(signal) {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Lets pending promise callbacks run, exactly as the package's clock does between wake-ups. */
async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

const before = (a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

class SleeperHeap {
  items = [];
  size = 0;

  push(entry) {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
    this.size++;
  }

  /** The earliest live sleeper (cancelled ones are dropped on the way). */
  peek() {
    while (this.items.length > 0 && this.items[0].cancelled) this.popTop();
    return this.items[0];
  }

  shift() {
    const top = this.peek();
    if (top) {
      this.popTop();
      this.size--;
    }
    return top;
  }

  cancel(entry) {
    if (entry.cancelled || entry.woken) return;
    entry.cancelled = true;
    this.size--;
  }

  popTop() {
    const items = this.items;
    const last = items.pop();
    if (items.length === 0) return;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && before(items[left], items[best])) best = left;
      if (right < items.length && before(items[right], items[best])) best = right;
      if (best === i) return;
      [items[i], items[best]] = [items[best], items[i]];
      i = best;
    }
  }
}

export function createHeapManualClock(start = 0) {
  let time = start;
  let seq = 0;
  const sleepers = new SleeperHeap();

  const wakeDue = async (until) => {
    for (;;) {
      await settle();
      const first = sleepers.peek();
      if (!first || first.at > until) break;
      sleepers.shift();
      first.woken = true;
      time = Math.max(time, first.at);
      first.resolve();
    }
    time = Math.max(time, until);
    await settle();
  };

  const clock = {
    now: () => time,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      return new Promise((resolve, reject) => {
        const entry = {
          at: time + Math.max(0, Number.isFinite(ms) ? ms : 0),
          seq: seq++,
          cancelled: false,
          woken: false,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.cancel(entry);
          reject(abortReason(signal));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.push(entry);
      });
    },
    advance: (ms) => wakeDue(time + ms),
    async next() {
      await settle();
      const first = sleepers.peek();
      if (!first) return false;
      await wakeDue(first.at);
      return true;
    },
    pending: () => sleepers.size,
    async run(promise, maxSteps = 10_000, idleMs = 5_000) {
      let done = false;
      const tracked = promise.finally(() => {
        done = true;
      });
      tracked.catch(() => {});
      let idleSince;
      for (let i = 0; i < maxSteps; i++) {
        await settle();
        if (done) break;
        if (await clock.next()) {
          idleSince = undefined;
          continue;
        }
        idleSince ??= Date.now();
        if (Date.now() - idleSince > idleMs) {
          throw new Error(`ManualClock.run: the promise is still pending and nothing has slept for ${idleMs} ms of real time`);
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      return tracked;
    },
  };
  return clock;
}
