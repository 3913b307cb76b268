/**
 * `createResilience`: the policy engine. A call that succeeds at once costs one function call and a
 * promise; only a failure enters the retry loop (see retry-loop.ts).
 */
import { abortReason } from '../core/abort.js';
import { ATTEMPT_OUTCOME, type AdapterCallInfo, type Attempt, type AttemptFn, type CallInfo, type CallParams } from '../core/call.js';
import { isOptionsObject, rejectUnknownOptions } from '../core/check-options.js';
import { checkOption, describeValue } from '../core/checks.js';
import { classify } from '../errors/classify.js';
import { ClosedError } from '../errors/closed-error.js';
import { isPacedMethod } from '../limits/paced-methods.js';
import { resolveThrottle } from '../limits/throttle-options.js';
import { BUILTIN_RULES } from '../policy/builtin-rules.js';
import { hasChatId } from '../policy/chat-ids.js';
import { decide, freshBudget } from '../policy/decide.js';
import { DEFAULT_POLICY, POLICY_CHECKS, resolvePolicy } from '../policy/defaults.js';
import type { ResolvedPolicy } from '../policy/options.js';
import { compileRules, policyResolver, type CompiledRule } from '../policy/rules.js';
import { runAttempt } from './attempt.js';
import { firstAttemptOf, QueuedCall, retryFirst, runFirstAttempt, settleFirst } from './first-attempt.js';
import { applyKnownMigrations, isPromise } from './known-migrations.js';
import { ENGINE_DEFAULTS, ENGINE_OPTIONS, type EngineOptionKey, type ResilienceOptions } from './options.js';
import type { Resilience } from './resilience-api.js';
import { startTimes } from './start-time.js';
import { createEngineState, type EngineState } from './state.js';
import { validateCall } from './validate-call.js';

export type { DerivedOptions, Explanation, Resilience } from './resilience-api.js';

const WHERE = 'createResilience';
/** `call(fn)`'s info: one frozen object, not a new one per call. */
const NO_INFO: CallInfo = Object.freeze({});
const KNOWN_KEYS: readonly string[] = [...Object.keys(POLICY_CHECKS), ...Object.keys(ENGINE_OPTIONS)];
const DERIVED_KEYS: readonly string[] = [...Object.keys(POLICY_CHECKS), 'rules'];

export function createResilience(options: ResilienceOptions = {}): Resilience {
  if (!isOptionsObject(options)) throw new TypeError(`${WHERE}: options must be an object, got ${describeValue(options)}`);
  rejectUnknownOptions(WHERE, options, KNOWN_KEYS);
  const { throttle: throttleOption, ...policyOptions } = options;
  const policy = resolvePolicy(WHERE, policyOptions, DEFAULT_POLICY);
  const throttle = resolveThrottle(WHERE, throttleOption);
  for (const key of Object.keys(ENGINE_OPTIONS) as EngineOptionKey[]) {
    if (options[key] !== undefined) checkOption(WHERE, key, options[key], ENGINE_OPTIONS[key].check);
  }
  const userRules = compileRules(WHERE, options.rules);
  const builtins = (options.builtinRules ?? ENGINE_DEFAULTS.builtinRules) ? compileRules('built-in rules', BUILTIN_RULES) : [];
  if (options.chatIdStore === undefined && options.backend?.chatIdStore !== undefined) {
    checkOption(WHERE, 'backend.chatIdStore', options.backend.chatIdStore, ENGINE_OPTIONS.chatIdStore.check);
  }
  const state = createEngineState(options, throttle);
  return engine(state, policy, userRules, builtins);
}

function engine(
  state: EngineState,
  policy: ResolvedPolicy,
  userRules: readonly CompiledRule[],
  builtins: readonly CompiledRule[],
): Resilience {
  const frozenPolicy = Object.freeze({ ...policy });
  // The first matching rule and the policy it makes, for `explain`; the engine needs only the policy.
  const ruleAndPolicyFor = policyResolver(policy, [...userRules, ...builtins]);
  const policyFor = (info: CallInfo) => ruleAndPolicyFor(info).policy;
  const { startTime, elapsedMattersWithoutMethod } = startTimes(state.clock, policy, [...userRules, ...builtins], policyFor);

  /**
   * Not an async function on purpose: a queued call is retained until it is sent, and an async
   * function's suspended frame (every local and temporary) is the largest part of that. A queued
   * paced call is one promise and one QueuedCall; 100,000 queued calls fit in far less heap.
   */
  function call<T>(fn: AttemptFn<T>, given?: CallInfo): Promise<T> {
    if (given === undefined && !state.limiter) return callWithoutInfo(fn);
    const info = given === undefined ? NO_INFO : given;
    try {
      if (info !== NO_INFO || typeof fn !== 'function') validateCall('resilience.call', fn, info);
      if (state.closed) throw new ClosedError('telegram-resilience: call() after close()');
      // Not throwIfAborted(): polyfilled signals (grammY's, telegraf's) do not have it.
      if (info.signal?.aborted) throw abortReason(info.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!hasChatId(info.params) || !state.migrationsKnown()) return start(fn, info, info.params);
    const params = applyKnownMigrations(state, info.params!);
    return isPromise(params) ? params.then((p) => start(fn, info, p)) : start(fn, info, params);
  }

  /**
   * The first attempt of every call without info, one frozen object while the home DC stays the
   * same: all such attempts are alike (no method, no params, number 1, a signal that never aborts),
   * and making one per call was a tenth of the call's cost. Retries copy it (`attemptWith`).
   */
  let shared: { dc: number | undefined; attempt: Attempt } | undefined;
  const bareAttempt = (): Attempt => {
    if (!shared || shared.dc !== state.homeDc) shared = { dc: state.homeDc, attempt: Object.freeze(firstAttemptOf(state, NO_INFO, undefined)) };
    return shared.attempt;
  };

  /**
   * `call(fn)` without a limiter: nothing to validate but `fn`, no chat, no method, no signal. Its
   * own function, so its call sites stay monomorphic whatever shapes of info the other calls use.
   */
  function callWithoutInfo<T>(fn: AttemptFn<T>): Promise<T> {
    if (typeof fn !== 'function') return call(fn, NO_INFO); // the TypeError, from validateCall
    if (state.closed) return Promise.reject(new ClosedError('telegram-resilience: call() after close()'));
    const startedAt = elapsedMattersWithoutMethod ? state.clock.now() : undefined;
    const attempt = bareAttempt();
    return runAttempt(fn, attempt, undefined).then(undefined, (error: unknown) =>
      retryFirst(state, { fn, info: NO_INFO, attempt, startedAt, paced: false, policy: policyFor }, error),
    );
  }

  function start<T>(fn: AttemptFn<T>, info: CallInfo, params: CallParams | undefined): Promise<T> {
    const limiter = state.limiter;
    // Without a limiter the policy is resolved only on failure; with one, rules can change pacing.
    if (!limiter) {
      // The hot path, written out: on success it allocates the attempt, one handler and its promise.
      const startedAt = startTime(info);
      const attempt = firstAttemptOf(state, info, params);
      const sent = runAttempt(fn, attempt, info.signal);
      if ((info as AdapterCallInfo)[ATTEMPT_OUTCOME] !== undefined) {
        return settleFirst(state, { fn, info, attempt, startedAt, paced: false, policy: policyFor }, sent);
      }
      return sent.then(undefined, (error: unknown) => retryFirst(state, { fn, info, attempt, startedAt, paced: false, policy: policyFor }, error));
    }
    const policy = policyFor(info);
    const startedAt = Number.isFinite(policy.maxElapsedMs) ? state.clock.now() : undefined;
    if (policy.throttle && isPacedMethod(info.method)) {
      // Even a call that may go at once is a queued-call object: it is the ticket its send time and round trip are kept on.
      const queued = new QueuedCall(state, fn, info, params, policy, startedAt);
      if (limiter.admit(queued, params)) {
        queued.emitDestroy();
        return queued.send();
      }
      return queued.promise();
    }
    const attempt = firstAttemptOf(state, info, params);
    const wait = limiter.acquire(attempt, false, info.signal);
    const first = { fn, info, attempt, startedAt, paced: false, policy };
    if (!wait) return runFirstAttempt(state, first);
    return wait.then(() => runFirstAttempt(state, first));
  }

  const resilience: Resilience & { readonly [ATTEMPT_OUTCOME]: true } = {
    // This engine reads AttemptOutcome (core/call.ts): the adapters may hand their answers' checks to it.
    [ATTEMPT_OUTCOME]: true,
    call,
    wrap(fn, info = {}) {
      validateCall('resilience.wrap', fn, info);
      return (params, options) => call(fn, { ...info, ...options, params: params ?? info.params });
    },
    explain(error, info = {}, budget = {}) {
      const failure = classify(error);
      const { policy: applied, rule } = ruleAndPolicyFor(info);
      const decision = decide({
        failure,
        policy: applied,
        budget: { ...freshBudget(), ...budget },
        method: info.method,
        idempotent: info.idempotent,
        params: info.params,
        // The upper edge of the jitter window: explain reports the longest wait the policy may choose.
        random: () => 1,
      });
      return rule ? { ...decision, failure, rule: rule.name } : { ...decision, failure };
    },
    with(overrides) {
      if (!isOptionsObject(overrides)) throw new TypeError(`resilience.with: overrides must be an object, got ${describeValue(overrides)}`);
      rejectUnknownOptions('resilience.with', overrides, DERIVED_KEYS);
      const { rules, ...policyOverrides } = overrides;
      const derivedRules = [...compileRules('resilience.with', rules), ...userRules];
      return engine(state, resolvePolicy('resilience.with', policyOverrides, policy), derivedRules, builtins);
    },
    policy: frozenPolicy,
    get homeDc() {
      return state.homeDc;
    },
    on: (name, listener) => state.events.on(name, listener),
    onRetry: (listener) => state.events.on('retry', listener),
    onFloodWait: (listener) => state.events.on('floodWait', listener),
    onDcMigrate: (listener) => state.events.on('dcMigrate', listener),
    onChatMigrate: (listener) => state.events.on('chatMigrate', listener),
    onGiveUp: (listener) => state.events.on('giveUp', listener),
    async close() {
      if (state.closed) return;
      state.closed = true;
      state.stopper.abort(new ClosedError('telegram-resilience: closed while the call was waiting'));
      await state.limiter?.close();
      state.events.clear();
    },
  };
  return resilience;
}
