/**
 * The simulator's model of Telegram's flood limits. Pure bookkeeping driven by an injected clock:
 * no timers, no I/O, so it can be unit-tested on a manual clock.
 *
 * Semantics (Telegram documents the numbers, not the algorithm, so these are our choices):
 * - global: at most `globalPerSecond` counted calls in ANY 1000 ms sliding window, for the whole bot.
 *   Paid broadcasts (`allow_paid_broadcast: true`) are not held by it: they have their own window of
 *   `paidPerSecond` (Telegram: "up to 1000 messages per second, ignoring broadcasting limits").
 * - chat: a token bucket per private chat (GCRA form): `chatBurst` calls may go at once, then one
 *   every `1000 / chatPerSecond` ms.
 * - group: for groups, supergroups and channels (negative ids), at most `groupPerMinute` counted
 *   calls in ANY 60 000 ms sliding window, which allows a burst of that many. The per-chat bucket
 *   does not apply to them: the project's broadcast benchmark (3,000 private messages, 60 to one
 *   group, 20 to one private chat; lower bound 120 s) is defined with groups held by 20/min alone.
 * A refused call consumes nothing. `retryAfter` is the whole seconds (ceil, >= 1) until every
 * limit that refused it has a free slot.
 */
import type { Clock } from '../core/clock.js';

export interface RateLimitOptions {
  /** Counted calls per 1000 ms sliding window for the whole bot. Default 30. */
  globalPerSecond: number;
  /** Sustained rate per chat, calls per second. Default 1. */
  chatPerSecond: number;
  /** Calls a chat accepts back to back before the sustained rate applies. Default 3. */
  chatBurst: number;
  /** Counted calls per 60 000 ms sliding window per group/supergroup/channel. Default 20. */
  groupPerMinute: number;
  /** Paid broadcasts (`allow_paid_broadcast: true`) per 1000 ms sliding window, instead of `globalPerSecond`. Default 1000. */
  paidPerSecond: number;
}

export const TELEGRAM_LIMITS: Readonly<RateLimitOptions> = Object.freeze({
  globalPerSecond: 30,
  chatPerSecond: 1,
  chatBurst: 3,
  groupPerMinute: 20,
  paidPerSecond: 1000,
});

/** Which limit refused a call. */
export type LimitScope = 'global' | 'chat' | 'group';

export type LimitDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Whole seconds to wait, as Telegram's `parameters.retry_after` (ceil, >= 1). */
      retryAfter: number;
      /** Exact milliseconds until a slot frees. */
      retryAfterMs: number;
      /** The limit that forces the longest wait. */
      scope: LimitScope;
    };

/** How a call counts. */
export interface CallCost {
  /** Negative chat ids: the per-minute group window applies. */
  group: boolean;
  /** Counts against the bot-wide limit (message deliveries do, edits do not). */
  global: boolean;
  /** A paid broadcast: counts against `paidPerSecond` instead of `globalPerSecond`. */
  paid?: boolean;
}

export interface RateLimitModel {
  readonly options: Readonly<RateLimitOptions>;
  /** Checks every applicable limit at `clock.now()`; if all allow, records the call. */
  take(chatKey: string, cost: CallCost): LimitDecision;
  /** Forgets all history. */
  reset(): void;
}

/** Fills defaults (`strict` removes the burst) and validates: every value must be > 0 (`Infinity` disables). */
export function resolveLimits(overrides: Partial<RateLimitOptions> = {}, strict = false): RateLimitOptions {
  const base: RateLimitOptions = { ...TELEGRAM_LIMITS, ...(strict ? { chatBurst: 1 } : {}) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (base as unknown as Record<string, number>)[key] = value;
  }
  for (const [key, value] of Object.entries(base)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
      throw new RangeError(`limits.${key} must be a number > 0 (Infinity disables it), got ${String(value)}`);
    }
  }
  if (Number.isFinite(base.chatBurst) && !Number.isInteger(base.chatBurst)) {
    throw new RangeError(`limits.chatBurst must be a whole number, got ${base.chatBurst}`);
  }
  return base;
}

/** Timestamps of counted calls in the last `windowMs`; at most `max` of them. */
class SlidingWindow {
  private stamps: number[] = [];
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until one more call fits (0: it fits now). */
  waitMs(now: number): number {
    if (!Number.isFinite(this.max)) return 0;
    // A call at time t occupies the window (t - windowMs, t]; it leaves at t + windowMs.
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
    if (this.stamps.length < this.max) return 0;
    return this.stamps[this.stamps.length - this.max]! + this.windowMs - now;
  }

  record(now: number): void {
    if (Number.isFinite(this.max)) this.stamps.push(now);
  }
}

/**
 * Generic cell rate algorithm: one "theoretical arrival time" per chat. Exact in integer
 * milliseconds for whole-number rates, unlike a floating token count.
 */
class ChatBuckets {
  private readonly tat = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(perSecond: number, burst: number) {
    this.intervalMs = Number.isFinite(perSecond) ? 1000 / perSecond : 0;
    this.toleranceMs = Number.isFinite(burst) ? (burst - 1) * this.intervalMs : Infinity;
  }

  waitMs(key: string, now: number): number {
    const tat = this.tat.get(key) ?? now;
    return Math.max(0, tat - this.toleranceMs - now);
  }

  record(key: string, now: number): void {
    if (this.intervalMs === 0) return;
    const tat = Math.max(this.tat.get(key) ?? now, now) + this.intervalMs;
    this.tat.set(key, tat);
    // Keeps memory bounded in long runs: a chat whose bucket is full again needs no entry.
    if (this.tat.size > 10_000) {
      for (const [k, t] of this.tat) if (t <= now) this.tat.delete(k);
    }
  }
}

export function createRateLimitModel(options: Partial<RateLimitOptions> | undefined, clock: Clock, strict = false): RateLimitModel {
  const resolved = Object.freeze(resolveLimits(options, strict));
  let global = new SlidingWindow(resolved.globalPerSecond, 1000);
  let paid = new SlidingWindow(resolved.paidPerSecond, 1000);
  let chats = new ChatBuckets(resolved.chatPerSecond, resolved.chatBurst);
  let groups = new Map<string, SlidingWindow>();

  const groupWindow = (key: string): SlidingWindow => {
    let window = groups.get(key);
    if (!window) {
      window = new SlidingWindow(resolved.groupPerMinute, 60_000);
      groups.set(key, window);
    }
    return window;
  };

  return {
    options: resolved,
    take(chatKey, cost) {
      const now = clock.now();
      const waits: Array<[LimitScope, number]> = cost.group ? [] : [['chat', chats.waitMs(chatKey, now)]];
      const botWide = cost.paid ? paid : global;
      if (cost.global) waits.push(['global', botWide.waitMs(now)]);
      if (cost.group) waits.push(['group', groupWindow(chatKey).waitMs(now)]);

      let worst: [LimitScope, number] = ['chat', 0];
      for (const wait of waits) if (wait[1] > worst[1]) worst = wait;
      if (worst[1] > 0) {
        return {
          allowed: false,
          retryAfter: Math.max(1, Math.ceil(worst[1] / 1000)),
          retryAfterMs: worst[1],
          scope: worst[0],
        };
      }
      if (!cost.group) chats.record(chatKey, now);
      if (cost.global) botWide.record(now);
      if (cost.group) groupWindow(chatKey).record(now);
      return { allowed: true };
    },
    reset() {
      global = new SlidingWindow(resolved.globalPerSecond, 1000);
      paid = new SlidingWindow(resolved.paidPerSecond, 1000);
      chats = new ChatBuckets(resolved.chatPerSecond, resolved.chatBurst);
      groups = new Map();
    },
  };
}
