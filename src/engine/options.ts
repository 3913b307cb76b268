/**
 * Everything `createResilience` accepts: the policy options, and the engine's own (where time,
 * randomness and chat migrations come from, the throttle, the shared backend, the rules). Each of
 * the engine's own options is checked from one table, `ENGINE_OPTIONS`, which the policy-file reader
 * uses too; defaults are written once, in `ENGINE_DEFAULTS` (and as `@default` below).
 */
import { boolean, finitePositive, func, hasMethods, oneOf, type Check } from '../core/checks.js';
import type { ChatIdStore } from '../core/chat-id-store.js';
import { systemClock, type Clock } from '../core/clock.js';
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
   * whenever throttling or a backend is.
   * @default false
   */
  throttle?: boolean | ThrottleOptions;
  /**
   * Share limits, flood gates and chat migrations with other processes of the same bot, e.g.
   * `redisBackend({ client })` from `telegram-resilience/redis`.
   * @default undefined (this process only)
   */
  backend?: LimitsBackend;
  /**
   * The longest a backend operation may take before it counts as failed, in ms.
   * @default 500
   */
  backendTimeoutMs?: number;
  /**
   * What to do when the backend fails or times out: `'fallback'` keeps going on this process's own
   * limits and emits a `backend` event (and another when it is back); `'fail'` rejects the call with a
   * `BackendUnavailableError`.
   * @default 'fallback'
   */
  onBackendError?: 'fallback' | 'fail';
  /**
   * Where time comes from; inject `createManualClock()` in tests.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * Source of randomness for jitter, in [0, 1).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Remembers group -> supergroup migrations.
   * @default the backend's store, else an in-memory store of up to 100,000 mappings
   */
  chatIdStore?: ChatIdStore;
  /**
   * Per-method rules, tried in order before the built-in ones; the first whose `match` fits the call
   * applies its options on top of these.
   * @default []
   */
  rules?: Rule[];
  /**
   * Apply the built-in rules (getUpdates polls forever, answerCallbackQuery answers in time, ...).
   * @default true
   */
  builtinRules?: boolean;
}

/** The engine's own options (not policy options; `throttle` is both, see `ResilienceOptions.throttle`). */
export type EngineOptionKey = Exclude<keyof ResilienceOptions, keyof PolicyOptions>;

export interface EngineOption {
  check: Check;
  /** Its value is JSON (a number, a string, a boolean, an array): a policy file can set it. */
  inPolicyFile: boolean;
}

/** How each of the engine's own options is checked. The keys are exactly `EngineOptionKey`. */
export const ENGINE_OPTIONS = Object.freeze({
  clock: { check: hasMethods('an object with now() and sleep(ms, signal)', 'now', 'sleep'), inPolicyFile: false },
  random: { check: (v: unknown) => (func(v) === undefined ? undefined : 'a function returning a number in [0, 1)'), inPolicyFile: false },
  chatIdStore: { check: hasMethods('an object with get(oldChatId) and set(oldChatId, newChatId)', 'get', 'set'), inPolicyFile: false },
  backend: {
    check: hasMethods('a limits backend such as redisBackend({ client })', 'start', 'reserve', 'closeGate', 'openGates', 'close'),
    inPolicyFile: false,
  },
  backendTimeoutMs: { check: finitePositive, inPolicyFile: true },
  onBackendError: { check: oneOf('fallback', 'fail'), inPolicyFile: true },
  // Each rule is checked by compileRules (rules.ts), which names the rule and the option.
  rules: { check: (v: unknown) => (Array.isArray(v) ? undefined : 'an array'), inPolicyFile: true },
  builtinRules: { check: boolean, inPolicyFile: true },
} as const satisfies Record<EngineOptionKey, EngineOption>);

/** The engine's own options a policy file can set. */
export type PolicyFileEngineKey = {
  [K in EngineOptionKey]: (typeof ENGINE_OPTIONS)[K]['inPolicyFile'] extends true ? K : never;
}[EngineOptionKey];

/** The defaults of the engine's own options that are values (the chat-id store depends on the backend). */
export const ENGINE_DEFAULTS = Object.freeze({
  backendTimeoutMs: 500,
  onBackendError: 'fallback',
  clock: systemClock,
  random: Math.random,
  builtinRules: true,
} as const satisfies Partial<Record<EngineOptionKey, unknown>>);
