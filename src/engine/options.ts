/**
 * Everything `createResilience` accepts: the policy options, and the engine's own (where time,
 * randomness and chat migrations are kept, the throttle, the shared backend, the rules).
 */
import type { ChatIdStore } from '../core/chat-id-store.js';
import type { Clock } from '../core/clock.js';
import type { LimitsBackend } from '../limits/backend.js';
import type { ThrottleOptions } from '../limits/throttle-options.js';
import type { PolicyOptions } from '../policy/options.js';
import type { Rule } from '../policy/rules.js';

/** Everything `createResilience` accepts. */
export interface ResilienceOptions extends Omit<PolicyOptions, 'throttle'> {
  /**
   * Pace calls to Telegram's limits: `true` for the published limits (30 messages/s per bot, 1/s per
   * private chat, 20/min per group, 1000/s for paid broadcasts), an object to change some of them,
   * `false` for no pacing. Flood gates (a whole scope paused when Telegram says "wait") are on
   * whenever throttling or a backend is. Default `false`.
   */
  throttle?: boolean | ThrottleOptions;
  /**
   * Share limits, flood gates and chat migrations with other processes of the same bot, e.g.
   * `redisBackend({ client })` from `telegram-resilience/redis`. Default: none (this process only).
   */
  backend?: LimitsBackend;
  /** The longest a backend operation may take before it counts as failed, in ms. Default `500`. */
  backendTimeoutMs?: number;
  /**
   * What to do when the backend fails or times out: `'fallback'` keeps going on this process's own
   * limits and emits a `backend` event (and another when it is back); `'fail'` rejects the call with a
   * `BackendUnavailableError`. Default `'fallback'`.
   */
  onBackendError?: 'fallback' | 'fail';
  /** Where time comes from; inject `createManualClock()` in tests. Default: the system clock. */
  clock?: Clock;
  /** Source of randomness for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Remembers group -> supergroup migrations. Default: an in-memory store of up to 100,000 mappings. */
  chatIdStore?: ChatIdStore;
  /**
   * Per-method rules, tried in order before the built-in ones; the first whose `match` fits the call
   * applies its options on top of these. Default `[]`.
   */
  rules?: Rule[];
  /** Apply the built-in rules (getUpdates polls forever, answerCallbackQuery answers in time, ...). Default `true`. */
  builtinRules?: boolean;
}
