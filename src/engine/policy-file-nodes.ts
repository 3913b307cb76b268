/**
 * Reading a policy file's JSON nodes (policy-file.ts): problems are reported with where they are
 * and reading goes on, so one run lists every problem in the file.
 */
import type { JsonMember, JsonNode, SourcePosition } from '../policy/json-source.js';

/** Reports a problem at `key` (its path in the file), written at `at`. */
export type Report = (key: string, at: SourcePosition, message: string) => void;
/** Marks a value that was reported as invalid (and must not go into the result). */
export const INVALID = Symbol('invalid');

/** The members of an object node; a key written twice is reported (JSON.parse would keep the last silently). */
export function uniqueMembers(node: JsonNode & { type: 'object' }, path: string, report: Report): JsonMember[] {
  const seen = new Map<string, JsonMember>();
  for (const member of node.members) {
    const first = seen.get(member.key);
    if (first) {
      const key = join(path, member.key);
      report(key, member.keyAt, `${key} is written twice (first on line ${first.keyAt.line})`);
    } else seen.set(member.key, member);
  }
  return [...seen.values()];
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A node as a plain JS value (objects and arrays included, for the checks to refuse). */
export function plain(node: JsonNode): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries(node.members.map((m) => [m.key, plain(m.value)]));
    case 'array':
      return node.items.map(plain);
    default:
      return node.value;
  }
}
