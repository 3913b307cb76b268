/**
 * The latest sends at one bot-wide rate, a ring of their times (scheduler time) and send numbers
 * (the scheduler's count of its sends: times can tie, send order cannot). The hard window cap
 * reads it, 429s are judged by it, and stalls and late answers move sends in it (bot-rate.ts).
 * Two typed arrays, no object per send: at the paid rate it holds a thousand.
 */
export class SendRing {
  /** Send times, a ring; `-Infinity` where unused or forgotten. */
  private readonly stamps: Float64Array;
  /** The send number of each stamp; -1 where unused. */
  private readonly sendNos: Float64Array;
  /** The next write position: the oldest stamp. */
  private head = 0;

  constructor(readonly size: number) {
    this.stamps = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
    this.sendNos = new Float64Array(size).fill(-1);
  }

  /** Remembers a send made `at`, known by `sendNo`; the oldest one leaves. */
  push(at: number, sendNo: number): void {
    if (this.size === 0) return;
    this.stamps[this.head] = at;
    this.sendNos[this.head] = sendNo;
    this.head = (this.head + 1) % this.size;
  }

  /** The `k`-th most recent send time (1: the latest), `-Infinity` for none. */
  ago(k: number): number {
    return this.stamps[(this.head - k + this.size) % this.size]!;
  }

  /** Sends made at or after `since` count at `now`; returns how many moved. */
  restamp(since: number, now: number): number {
    let moved = 0;
    for (let k = 1; k <= this.size; k++) {
      const i = this.indexAgo(k);
      if (!(this.stamps[i]! >= since)) break;
      this.stamps[i] = now;
      moved++;
    }
    return moved;
  }

  /** The send made at `sentAt` counts at `at`, and so do the sends after it that count earlier (the ring stays in send order). */
  delay(sentAt: number, at: number): void {
    for (let k = 1; k <= this.size; k++) {
      const i = this.indexAgo(k);
      const stamp = this.stamps[i]!;
      if (stamp === Number.NEGATIVE_INFINITY) continue;
      if (stamp < sentAt) return;
      if (stamp < at) this.stamps[i] = at;
    }
  }

  /** The send `sendNo` (or, when no longer known by number, the latest made at `sentAt`) leaves: its place counts as free. */
  forget(sentAt: number, sendNo: number): void {
    const i = this.indexOf(sendNo);
    const at = i >= 0 ? i : this.latestAt(sentAt);
    if (at >= 0) this.stamps[at] = Number.NEGATIVE_INFINITY;
  }

  /**
   * Sends counted after `from` that came before the refused send `sendNo` made at `refusedAt`: by
   * send order where the ring still holds it (times can tie), else by time. Forgotten sends (refused
   * ones) do not count.
   */
  countBefore(from: number, refusedAt: number, sendNo: number): number {
    let count = 0;
    if (this.indexOf(sendNo) >= 0) {
      for (let i = 0; i < this.size; i++) {
        const no = this.sendNos[i]!;
        if (no >= 0 && no < sendNo && this.stamps[i]! > from) count++;
      }
    } else {
      for (const at of this.stamps) if (at > from && at < refusedAt) count++;
    }
    return count;
  }

  /** The ring index of send `sendNo`, or -1 when the ring no longer (or never) held it. */
  private indexOf(sendNo: number): number {
    if (sendNo < 0) return -1;
    for (let k = 1; k <= this.size; k++) {
      const i = this.indexAgo(k);
      if (this.sendNos[i] === sendNo) return i;
    }
    return -1;
  }

  /** The ring index of the latest send made at `sentAt`, or -1. */
  private latestAt(sentAt: number): number {
    for (let k = 1; k <= this.size; k++) {
      const i = this.indexAgo(k);
      if (this.stamps[i] === sentAt) return i;
    }
    return -1;
  }

  private indexAgo(k: number): number {
    return (this.head - k + this.size) % this.size;
  }
}
