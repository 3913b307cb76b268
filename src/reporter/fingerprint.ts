/**
 * What makes two errors "the same" for folding: their class, their message with ids and numbers
 * taken out, and the top frame of their stack. "chat 42 not found" and "chat 43 not found", thrown
 * from the same line, are one error happening twice; the same text from two places is two.
 */

/** What the reporter reads from anything thrown: never throws, whatever `error` is. */
export interface ErrorFacts {
  /** `TypeError`, `GrammyError`, or `string` / `undefined` / `object` for things that are not errors. */
  className: string;
  message: string;
  /** The stack without its first line (which repeats the message), or '' when there is none. */
  frames: string;
}

function read(value: unknown, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return json;
  } catch {
    // a cycle or a BigInt: fall back to String()
  }
  try {
    return String(value);
  } catch {
    return '[unreadable]';
  }
}

/** The class name, message and stack frames of anything thrown. */
export function errorFacts(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) {
    return { className: error === null ? 'null' : typeof error, message: textOf(error), frames: '' };
  }
  const constructorName = read(read(error, 'constructor'), 'name');
  const name = read(error, 'name');
  const className =
    typeof constructorName === 'string' && constructorName !== '' && constructorName !== 'Object'
      ? constructorName
      : typeof name === 'string' && name !== ''
        ? name
        : 'Object';
  const message = read(error, 'message');
  const stack = read(error, 'stack');
  const stackText = typeof stack === 'string' ? stack : '';
  const firstFrame = stackText.search(/^\s+at /m);
  return {
    className,
    message: typeof message === 'string' ? message : textOf(error),
    frames: firstFrame >= 0 ? stackText.slice(firstFrame) : '',
  };
}

/**
 * The message with what varies between occurrences taken out: UUIDs, long hex strings (hashes,
 * object ids) and numbers (ids, counts, timings). Words are kept: they say what failed.
 */
export function normalizeMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/-?\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '#')
    .replace(/-?\d+/g, '#')
    .slice(0, 500);
}

/** The first `at ...` line, trimmed: where the error was thrown. */
export function topFrame(frames: string): string {
  const first = /^\s*at (.+)$/m.exec(frames);
  return first?.[1]?.trim() ?? '';
}

/** The folding key of `facts`. */
export function fingerprintOf(facts: ErrorFacts): string {
  return `${facts.className}\u0000${normalizeMessage(facts.message)}\u0000${topFrame(facts.frames)}`;
}
