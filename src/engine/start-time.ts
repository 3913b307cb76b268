/**
 * When a call's start time is read. Only where a finite `maxElapsedMs` can use it (the built-in
 * answerCallbackQuery rule, or the user's): the clock read is a good part of a successful call. A
 * call without a method matches no rule that looks at the method alone (the built-in ones).
 */
import type { CallInfo } from '../core/call.js';
import type { Clock } from '../core/clock.js';
import type { ResolvedPolicy } from '../policy/options.js';
import type { CompiledRule } from '../policy/rules.js';

export interface StartTimes {
  /** The call's start time on the clock, or undefined where no elapsed-time limit can apply to it. */
  startTime(info: CallInfo): number | undefined;
  /** Whether a call without a method (and so `call(fn)` without info) needs its start time. */
  elapsedMattersWithoutMethod: boolean;
}

export function startTimes(clock: Clock, policy: ResolvedPolicy, rules: readonly CompiledRule[], policyFor: (info: CallInfo) => ResolvedPolicy): StartTimes {
  const finiteElapsed = (rule: CompiledRule) => Number.isFinite(rule.overrides.maxElapsedMs ?? Number.POSITIVE_INFINITY);
  const elapsedMattersWithoutMethod = Number.isFinite(policy.maxElapsedMs) || rules.some((rule) => !rule.byMethod && finiteElapsed(rule));
  const elapsedNeverMatters = !elapsedMattersWithoutMethod && !rules.some(finiteElapsed);
  return {
    startTime(info) {
      if (elapsedNeverMatters) return undefined;
      if (info.method === undefined && !elapsedMattersWithoutMethod) return undefined;
      return Number.isFinite(policyFor(info).maxElapsedMs) ? clock.now() : undefined;
    },
    elapsedMattersWithoutMethod,
  };
}
