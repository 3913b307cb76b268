/**
 * A rule's `match` in a policy file: a method name, a glob, or `{ "regex": ..., "flags": ... }`,
 * made into the RegExp the engine's rules take. Every problem is reported with where it is.
 */
import { closestName } from '../core/closest-name.js';
import { describeNode, type JsonMember } from '../policy/json-source.js';
import { INVALID, join, uniqueMembers, type Report } from './policy-file-nodes.js';

/** Each RegExp flag at most once. */
const REGEX_FLAGS = /^(?!.*(.).*\1)[dgimsuvy]*$/;

export const MATCH_FORMS = 'a method name, a glob such as "send*", or { "regex": "^get", "flags": "i" }';

export function readMatch(member: JsonMember, path: string, report: Report): unknown {
  const node = member.value;
  if (node.type === 'string') {
    if (node.value !== '') return node.value;
    report(path, member.keyAt, `${path} must not be empty`);
    return INVALID;
  }
  if (node.type !== 'object') {
    report(path, member.keyAt, `${path} must be ${MATCH_FORMS}, got ${describeNode(node)}`);
    return INVALID;
  }
  let source: JsonMember | undefined;
  let flags: JsonMember | undefined;
  for (const m of uniqueMembers(node, path, report)) {
    if (m.key === 'regex') source = m;
    else if (m.key === 'flags') flags = m;
    else report(join(path, m.key), m.keyAt, unknownMatchKey(join(path, m.key), m.key));
  }
  if (!source) {
    report(`${path}.regex`, member.keyAt, `${path}.regex is required (the pattern, e.g. "^get")`);
    return INVALID;
  }
  if (source.value.type !== 'string' || source.value.value === '') {
    report(`${path}.regex`, source.keyAt, `${path}.regex must be a non-empty string, got ${describeNode(source.value)}`);
    return INVALID;
  }
  let flagText = '';
  if (flags) {
    if (flags.value.type !== 'string' || !REGEX_FLAGS.test(flags.value.value)) {
      report(`${path}.flags`, flags.keyAt, `${path}.flags must be a string of RegExp flags such as "i", got ${describeNode(flags.value)}`);
      return INVALID;
    }
    flagText = flags.value.value;
  }
  try {
    return new RegExp(source.value.value, flagText);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    report(`${path}.regex`, source.keyAt, `${path}.regex is not a valid regular expression: ${why}`);
    return INVALID;
  }
}

function unknownMatchKey(path: string, key: string): string {
  const near = closestName(key, ['regex', 'flags']);
  return `unknown key ${path}${near ? ` (did you mean "${near}"?)` : ''}`;
}
