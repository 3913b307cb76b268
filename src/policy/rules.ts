/**
 * Per-method rules: one bot long-polls `getUpdates` forever, answers callback queries that are
 * worthless after a few seconds, and broadcasts. A rule says which calls it is for (`match`) and which
 * policy options change for them; the first matching rule wins, on top of the engine's options.
 */
import type { CallInfo } from '../core/call.js';
import { checkOptions, isOptionsObject } from '../core/check-options.js';
import { describeValue, mustBe, string, type Check } from '../core/checks.js';
import { POLICY_CHECKS, resolvePolicy } from './defaults.js';
import type { PolicyOptions, ResolvedPolicy } from './options.js';

/**
 * Which calls a rule applies to: an exact method name, a glob (`send*`, `messages.*`; `*` is any run
 * of characters, `?` one), a RegExp tested against the method, or a predicate on the call info.
 */
export type RuleMatch = string | RegExp | ((info: CallInfo) => boolean);

export interface Rule extends PolicyOptions {
  match: RuleMatch;
  /** A name for this rule, shown by `explain` and in give-up reasons. Default: the match as text. */
  name?: string;
}

export interface CompiledRule {
  name: string;
  test: (info: CallInfo) => boolean;
  /** The rule looks at the method name only (not a predicate): its verdict can be cached per method. */
  byMethod: boolean;
  overrides: PolicyOptions;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function compileMatch(match: RuleMatch): (info: CallInfo) => boolean {
  if (typeof match === 'function') return (info) => match(info) === true;
  if (match instanceof RegExp) {
    // A global/sticky RegExp keeps lastIndex between tests; a fresh copy without those flags does not.
    const re = new RegExp(match.source, match.flags.replace(/[gy]/g, ''));
    return (info) => info.method !== undefined && re.test(info.method);
  }
  if (/[*?]/.test(match)) {
    const re = globToRegExp(match);
    return (info) => info.method !== undefined && re.test(info.method);
  }
  return (info) => info.method === match;
}

const RULE_CHECKS: Record<'match' | 'name', Check> = {
  match: (v) =>
    typeof v === 'function' || v instanceof RegExp || (typeof v === 'string' && v.length > 0)
      ? undefined
      : 'a method name, a glob, a RegExp or a function',
  name: string,
};
const POLICY_KEYS = Object.keys(POLICY_CHECKS);

/** Validates and compiles rules; errors name the rule by index and the option. */
export function compileRules(where: string, rules: unknown): CompiledRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw new TypeError(`${where}: ${mustBe('rules', 'an array', describeValue(rules))}`);
  return rules.map((rule: unknown, index) => {
    const at = `rules[${index}]`;
    if (!isOptionsObject(rule)) throw new TypeError(`${where}: ${mustBe(at, 'an object like { match, ...options }', describeValue(rule))}`);
    checkOptions(where, rule, RULE_CHECKS, { prefix: `${at}.`, required: ['match'], alsoKnown: POLICY_KEYS });
    const { match, name, ...overrides } = rule as unknown as Rule;
    checkOptions(where, overrides, POLICY_CHECKS, { prefix: `${at}.` });
    return {
      name: name ?? (typeof match === 'function' ? `rules[${index}]` : String(match)),
      test: compileMatch(match),
      byMethod: typeof match !== 'function',
      overrides: overrides as PolicyOptions,
    };
  });
}

/** The first rule that matches `info`, or undefined. A predicate that throws does not match. */
export function firstMatch(rules: readonly CompiledRule[], info: CallInfo): CompiledRule | undefined {
  for (const rule of rules) {
    let hit = false;
    try {
      hit = rule.test(info);
    } catch {
      hit = false;
    }
    if (hit) return rule;
  }
  return undefined;
}

/**
 * Resolves the policy for one call, caching per rule: rules are few and resolution is the same for
 * every call a rule matches.
 */
export function policyResolver(base: ResolvedPolicy, rules: readonly CompiledRule[]) {
  type Resolved = { policy: ResolvedPolicy; rule: CompiledRule | undefined };
  const none: Resolved = { policy: base, rule: undefined };
  const perRule = new Map<CompiledRule, Resolved>();
  // When no rule is a predicate, the answer depends on the method name alone: remember it per
  // method (bounded, so a stream of odd names cannot grow it without end).
  const perMethod = rules.every((rule) => rule.byMethod) ? new Map<string | undefined, Resolved>() : undefined;
  const resolve = (info: CallInfo): Resolved => {
    const rule = firstMatch(rules, info);
    if (!rule) return none;
    let resolved = perRule.get(rule);
    if (!resolved) perRule.set(rule, (resolved = { policy: resolvePolicy('rule', rule.overrides, base), rule }));
    return resolved;
  };
  return (info: CallInfo): Resolved => {
    if (rules.length === 0) return none;
    if (!perMethod) return resolve(info);
    // No method: no rule that looks at the method alone matches (and a Map lookup by undefined is slow).
    if (info.method === undefined) return none;
    let resolved = perMethod.get(info.method);
    if (!resolved) {
      resolved = resolve(info);
      if (perMethod.size < MAX_CACHED_METHODS) perMethod.set(info.method, resolved);
    }
    return resolved;
  };
}

const MAX_CACHED_METHODS = 1_000;
