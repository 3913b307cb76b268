/**
 * The `throttle` option of `createResilience`: `true` for Telegram's published limits, an object to
 * change some of them, `false` (the default) for none.
 */
import { checkOption, finitePositive } from '../core/checks.js';

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

export function resolveThrottle(where: string, value: unknown): ResolvedThrottle | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return TELEGRAM_LIMITS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: option "throttle" must be true, false or an object of limits`);
  }
  const resolved: Record<string, number> = { ...TELEGRAM_LIMITS };
  for (const [key, v] of Object.entries(value)) {
    if (!(key in TELEGRAM_LIMITS)) throw new TypeError(`${where}: unknown option "throttle.${key}"`);
    if (v === undefined) continue;
    checkOption(where, `throttle.${key}`, v, finitePositive);
    // A window holds a whole number of messages.
    if (key === 'groupPerMinute' && !Number.isInteger(v)) {
      throw new TypeError(`${where}: option "throttle.groupPerMinute" must be a whole number, got ${String(v)}`);
    }
    resolved[key] = v;
  }
  return resolved as unknown as ResolvedThrottle;
}
