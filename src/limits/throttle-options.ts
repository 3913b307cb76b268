/**
 * The `throttle` option of `createResilience`: `true` for Telegram's published limits, an object to
 * change some of them, `false` (the default) for none.
 */
import { checkOptions } from '../core/check-options.js';
import { describeValue, finitePositive, mustBe, wholePositive, type Check } from '../core/checks.js';

export interface ThrottleOptions {
  /**
   * Messages per second for the whole bot.
   * @default 30
   */
  globalPerSecond?: number;
  /**
   * Messages per second to one private chat.
   * @default 1
   */
  chatPerSecond?: number;
  /**
   * Messages per minute to one group, supergroup or channel (any 60 s window).
   * @default 20
   */
  groupPerMinute?: number;
  /**
   * Messages per second for the whole bot when the call sets `allow_paid_broadcast: true`.
   * @default 1000
   */
  paidBroadcastPerSecond?: number;
  /**
   * How long after its last message an idle chat's pacing state is kept before it is freed, in ms.
   * It must cover the longest window (60 s for groups).
   * @default 61000
   */
  idleChatTtlMs?: number;
}

export type ResolvedThrottle = Required<ThrottleOptions>;

export const TELEGRAM_LIMITS: ResolvedThrottle = Object.freeze({
  globalPerSecond: 30,
  chatPerSecond: 1,
  groupPerMinute: 20,
  paidBroadcastPerSecond: 1000,
  idleChatTtlMs: 61_000,
});

/** The bot-wide rate a send counts against: `paidBroadcastPerSecond` for `allow_paid_broadcast`, else `globalPerSecond`. */
export const botRateOf = (limits: ResolvedThrottle, paid: boolean): number => (paid ? limits.paidBroadcastPerSecond : limits.globalPerSecond);

/** How each limit is checked (by `createResilience` and the policy-file reader alike). */
export const THROTTLE_CHECKS: Record<keyof ThrottleOptions, Check> = {
  globalPerSecond: finitePositive,
  chatPerSecond: finitePositive,
  // A window holds a whole number of messages.
  groupPerMinute: wholePositive,
  paidBroadcastPerSecond: finitePositive,
  idleChatTtlMs: finitePositive,
};

export function resolveThrottle(where: string, value: unknown): ResolvedThrottle | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return TELEGRAM_LIMITS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: ${mustBe('throttle', 'true, false or an object of limits', describeValue(value))}`);
  }
  const given = checkOptions(where, value, THROTTLE_CHECKS, { prefix: 'throttle.' });
  const resolved: Record<string, unknown> = { ...TELEGRAM_LIMITS };
  for (const [key, v] of Object.entries(given)) if (v !== undefined) resolved[key] = v;
  return resolved as unknown as ResolvedThrottle;
}
