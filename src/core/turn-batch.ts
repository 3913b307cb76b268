/**
 * Requests made in the same turn of the event loop, served by one call: one Redis script for the
 * bookings (or claims, or records) a process makes together, instead of one round trip each. The
 * answers of one read of a socket resolve their promises in one turn, so the work they start makes
 * its next requests in one turn as well: under load, several at a time.
 */

export class TurnBatch<Item, Result> {
  private pending: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  /**
   * @param serve one call for `items`, answering each in order (its array as long as `items`).
   * @param maxBatch at most this many items per call; more made in one turn take several calls.
   */
  constructor(
    private readonly serve: (items: Item[]) => Promise<Result[]>,
    private readonly maxBatch = 100,
  ) {}

  /** Adds `item` to this turn's batch; settles with its own answer, or with the call's failure. */
  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After this turn's callbacks and promise jobs: what they add joins the batch.
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += this.maxBatch) {
      const batch = all.slice(i, i + this.maxBatch);
      // A synchronous throw in `serve` fails its batch like a rejected call.
      Promise.resolve()
        .then(() => this.serve(batch.map((p) => p.item)))
        .then(
          (results) => batch.forEach((p, k) => p.resolve(results[k] as Result)),
          (error: unknown) => batch.forEach((p) => p.reject(error)),
        );
    }
  }
}
