/**
 * The error a policy file that cannot be used is rejected with. It carries every problem found (not
 * only the first), each with the key path and the line and column where that key is written, so
 * `telegram-resilience check-policy` can list them all and an editor can jump to each.
 */

/** One problem in a policy file. */
export interface PolicyProblem {
  /** The key path, e.g. `rules[2].maxAttempts`; undefined for JSON syntax errors and unreadable files. */
  key: string | undefined;
  /** 1-based line of the key (or of the syntax error); undefined when the file could not be read. */
  line: number | undefined;
  /** 1-based column, like `line`. */
  column: number | undefined;
  /** What is wrong, starting with the key path when there is one. Never contains a location. */
  message: string;
}

const BRAND = Symbol.for('telegram-resilience.PolicyFileError');

/** Formats one problem as `file:line:column: message`, the shape compilers and editors understand. */
export function formatProblem(path: string, problem: PolicyProblem): string {
  const where = problem.line === undefined ? path : `${path}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.message}`;
}

export class PolicyFileError extends Error {
  /** Brand used by `isPolicyFileError`, so the check survives duplicated copies of this package. */
  readonly [BRAND] = true;
  override name = 'PolicyFileError';
  /** The file's path (or the source name given to `parsePolicy`). */
  readonly path: string;
  /** Line of the first problem. */
  readonly line: number | undefined;
  /** Column of the first problem. */
  readonly column: number | undefined;
  /** Key path of the first problem, e.g. `rules[2].maxAttempts`. */
  readonly key: string | undefined;
  /** Every problem found, in file order (the first is also in `line`, `column`, `key`). */
  readonly problems: readonly PolicyProblem[];

  constructor(path: string, problems: readonly PolicyProblem[], options?: { cause?: unknown }) {
    if (problems.length === 0) throw new RangeError('PolicyFileError needs at least one problem');
    super(problems.map((p) => formatProblem(path, p)).join('\n'), options);
    const first = problems[0]!;
    this.path = path;
    this.line = first.line;
    this.column = first.column;
    this.key = first.key;
    this.problems = Object.freeze([...problems]);
  }
}

/** Type guard for `PolicyFileError`, also across copies of this package. */
export function isPolicyFileError(value: unknown): value is PolicyFileError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
