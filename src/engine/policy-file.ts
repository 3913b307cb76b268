/**
 * Policy files: the options of `createResilience` that can be written as JSON, kept in a file so
 * operators can tune retries without a deploy, and checked strictly (`telegram-resilience
 * check-policy`). A typo'd key is an error, never silently ignored: a policy that quietly does not
 * apply is worse than one that refuses to load.
 *
 * ```json
 * {
 *   "floodSleepThreshold": 120,
 *   "maxTotalDelayMs": "Infinity",
 *   "throttle": { "groupPerMinute": 15 },
 *   "rules": [
 *     { "match": "sendMessage", "name": "broadcast", "maxAttempts": 3 },
 *     { "match": { "regex": "^get", "flags": "i" }, "idempotent": true }
 *   ]
 * }
 * ```
 *
 * Values are validated with the same checks `createResilience` uses (`POLICY_CHECKS`), and the
 * result is run through the engine's own resolvers once more, so a file and the API cannot disagree
 * on what is valid.
 */
import { readFile } from 'node:fs/promises';
import { checkOption, type Check } from '../core/checks.js';
import { closestName } from '../core/closest-name.js';
import { resolveThrottle, TELEGRAM_LIMITS, THROTTLE_CHECKS } from '../limits/throttle-options.js';
import { POLICY_CHECKS, resolvePolicy } from '../policy/defaults.js';
import { describeNode, JsonSyntaxError, parseJsonWithPositions, type JsonMember, type JsonNode, type SourcePosition } from '../policy/json-source.js';
import type { PolicyOptions } from '../policy/options.js';
import { PolicyFileError, type PolicyProblem } from '../policy/policy-file-error.js';
import { compileRules, type Rule } from '../policy/rules.js';
import { MATCH_FORMS, readMatch } from './policy-file-match.js';
import { INVALID, join, plain, uniqueMembers, type Report } from './policy-file-nodes.js';
import { ENGINE_OPTIONS, type EngineOptionKey, type PolicyFileEngineKey, type ResilienceOptions } from './options.js';

/** Policy options whose values are functions: they cannot be written in JSON. */
const FUNCTION_OPTIONS = new Set<string>(['isIdempotent']);
const ENGINE_KEYS = Object.keys(ENGINE_OPTIONS) as EngineOptionKey[];
/** The engine's own options a file can set (the others are objects or functions). */
const ENGINE_FILE_KEYS: readonly string[] = ENGINE_KEYS.filter((k) => ENGINE_OPTIONS[k].inPolicyFile);
/** Options whose values are code: pass them to `createResilience` next to the file's. */
const CODE_ONLY_OPTIONS = new Set<string>([...FUNCTION_OPTIONS, ...ENGINE_KEYS.filter((k) => !ENGINE_OPTIONS[k].inPolicyFile)]);

/** Policy options a file can set (everything but functions; `throttle` is special at the top level). */
type FilePolicyKey = Exclude<keyof PolicyOptions, 'isIdempotent' | 'throttle'>;

/** A rule as written in a policy file: `match` is a method name, a glob, or a RegExp built from `{ regex, flags }`. */
export interface RuleFromFile extends Omit<Rule, 'match' | 'isIdempotent'> {
  match: string | RegExp;
}

/** What a policy file holds, ready to spread into `createResilience({ ...fromFile, clock })`. */
export interface ResilienceOptionsFromFile
  extends Pick<ResilienceOptions, FilePolicyKey | 'throttle' | Exclude<PolicyFileEngineKey, 'rules'>> {
  rules?: RuleFromFile[];
}

/** Larger files are refused: a policy is a few hundred bytes, a huge file is a mistake. */
const MAX_FILE_CHARS = 1_000_000;
const POLICY_FILE_KEYS = Object.keys(POLICY_CHECKS).filter((k) => !FUNCTION_OPTIONS.has(k));
const TOP_LEVEL_KEYS = [...POLICY_FILE_KEYS, ...ENGINE_FILE_KEYS];
const RULE_KEYS = ['match', 'name', ...POLICY_FILE_KEYS];
const THROTTLE_KEYS = Object.keys(TELEGRAM_LIMITS);

/**
 * Reads and validates a policy file. Rejects with `PolicyFileError` (`isPolicyFileError`) listing
 * every problem with its key path, line and column; also when the file cannot be read.
 */
export async function loadPolicy(path: string): Promise<ResilienceOptionsFromFile> {
  if (typeof path !== 'string' || path === '') throw new TypeError('loadPolicy: path must be a non-empty string');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = typeof code === 'string' ? (code === 'ENOENT' ? 'no such file' : code) : String(error);
    throw new PolicyFileError(path, [{ key: undefined, line: undefined, column: undefined, message: `cannot read the policy file (${why})` }], {
      cause: error,
    });
  }
  return parsePolicy(text, path);
}

/**
 * Validates the JSON text of a policy file. `sourceName` is used in error messages (a file name).
 * Throws `PolicyFileError`.
 */
export function parsePolicy(text: string, sourceName = '<policy>'): ResilienceOptionsFromFile {
  if (typeof text !== 'string') throw new TypeError('parsePolicy: text must be a string');
  const failure = (problems: PolicyProblem[], cause?: unknown) =>
    new PolicyFileError(sourceName, problems, cause === undefined ? undefined : { cause });
  if (text.length > MAX_FILE_CHARS) {
    throw failure([{ key: undefined, line: 1, column: 1, message: `the file is larger than ${MAX_FILE_CHARS} characters` }]);
  }
  let root: JsonNode;
  try {
    root = parseJsonWithPositions(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw failure([{ key: undefined, line: error.line, column: error.column, message: `invalid JSON: ${error.message}` }]);
  }
  if (root.type !== 'object') {
    throw failure([{ key: undefined, ...root.at, message: `a policy file must hold a JSON object, got ${describeNode(root)}` }]);
  }

  const problems: PolicyProblem[] = [];
  const report: Report = (key, at, message) => {
    problems.push({ key, line: at.line, column: at.column, message });
  };
  const options = readTopLevel(root, report);
  if (problems.length > 0) {
    problems.sort((a, b) => a.line! - b.line! || a.column! - b.column!);
    throw failure(problems);
  }
  // Belt and braces: the engine's own validators must accept what we accepted.
  try {
    const { throttle, ...policy } = options;
    resolvePolicy(sourceName, policy);
    resolveThrottle(sourceName, throttle);
    for (const key of ENGINE_FILE_KEYS) {
      const value = (options as Record<string, unknown>)[key];
      if (value !== undefined) checkOption(sourceName, key, value, ENGINE_OPTIONS[key as EngineOptionKey].check);
    }
    compileRules(sourceName, options.rules);
  } catch (error) {
    throw failure([{ key: undefined, ...root.at, message: error instanceof Error ? error.message : String(error) }], error);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------

function readTopLevel(root: JsonNode & { type: 'object' }, report: Report): ResilienceOptionsFromFile {
  const out: Record<string, unknown> = {};
  for (const member of uniqueMembers(root, '', report)) {
    const { key, value: node, keyAt } = member;
    let value: unknown = INVALID;
    if (key === 'throttle') value = readThrottle(node, keyAt, report);
    else if (key === 'rules') value = readRules(node, keyAt, report);
    else if (ENGINE_FILE_KEYS.includes(key)) value = expect(node, keyAt, key, report, ENGINE_OPTIONS[key as EngineOptionKey].check);
    else if (POLICY_FILE_KEYS.includes(key)) value = readPolicyOption(key, member, key, report);
    else report(key, keyAt, unknownKey(key, key, TOP_LEVEL_KEYS));
    if (value !== INVALID) out[key] = value;
  }
  return out as ResilienceOptionsFromFile;
}

function readPolicyOption(key: string, member: JsonMember, path: string, report: Report): unknown {
  const node = member.value;
  // JSON has no Infinity: the string "Infinity" stands for it, for the options that accept it.
  const value = node.type === 'string' && node.value === 'Infinity' ? Number.POSITIVE_INFINITY : plain(node);
  const expected = POLICY_CHECKS[key as keyof PolicyOptions](value);
  if (expected === undefined) return value;
  report(path, member.keyAt, `${path} must be ${expected}, got ${describeNode(node)}`);
  return INVALID;
}

function expect(node: JsonNode, at: SourcePosition, path: string, report: Report, check: Check): unknown {
  const value = plain(node);
  const expected = check(value);
  if (expected === undefined) return value;
  report(path, at, `${path} must be ${expected}, got ${describeNode(node)}`);
  return INVALID;
}

function readThrottle(node: JsonNode, at: SourcePosition, report: Report): unknown {
  if (node.type === 'boolean') return node.value;
  if (node.type !== 'object') {
    report('throttle', at, `throttle must be true, false or an object of limits (${THROTTLE_KEYS.join(', ')}), got ${describeNode(node)}`);
    return INVALID;
  }
  const out: Record<string, unknown> = {};
  for (const member of uniqueMembers(node, 'throttle', report)) {
    const path = `throttle.${member.key}`;
    if (!THROTTLE_KEYS.includes(member.key)) {
      report(path, member.keyAt, unknownKey(path, member.key, THROTTLE_KEYS));
      continue;
    }
    const value = expect(member.value, member.keyAt, path, report, THROTTLE_CHECKS[member.key as keyof typeof THROTTLE_CHECKS]);
    if (value !== INVALID) out[member.key] = value;
  }
  return out;
}

function readRules(node: JsonNode, at: SourcePosition, report: Report): unknown {
  if (node.type !== 'array') {
    report('rules', at, `rules must be an array of { "match": ..., options }, got ${describeNode(node)}`);
    return INVALID;
  }
  const rules: Record<string, unknown>[] = [];
  node.items.forEach((item, index) => {
    const path = `rules[${index}]`;
    if (item.type !== 'object') {
      report(path, item.at, `${path} must be an object like { "match": "sendMessage", "maxAttempts": 3 }, got ${describeNode(item)}`);
      return;
    }
    const rule: Record<string, unknown> = {};
    let hasMatch = false;
    for (const member of uniqueMembers(item, path, report)) {
      const key = join(path, member.key);
      let value: unknown = INVALID;
      if (member.key === 'match') {
        hasMatch = true;
        value = readMatch(member, key, report);
      } else if (member.key === 'name') {
        value = expect(member.value, member.keyAt, key, report, aString);
      } else if (POLICY_FILE_KEYS.includes(member.key)) value = readPolicyOption(member.key, member, key, report);
      else report(key, member.keyAt, unknownKey(key, member.key, RULE_KEYS));
      if (value !== INVALID) rule[member.key] = value;
    }
    if (!hasMatch) report(`${path}.match`, item.at, `${path}.match is required (${MATCH_FORMS})`);
    rules.push(rule);
  });
  return rules;
}

const aString: Check = (v) => (typeof v === 'string' ? undefined : 'a string');

function unknownKey(path: string, key: string, known: readonly string[]): string {
  if (CODE_ONLY_OPTIONS.has(key)) {
    return `${path} cannot be set in a policy file (its value is code, not JSON); pass it to createResilience next to the file's options`;
  }
  const near = closestName(key, known);
  return `unknown key ${path}${near ? ` (did you mean "${near}"?)` : ''}`;
}
