/**
 * A small JSON parser that remembers where every value and every key is written. `JSON.parse`
 * cannot: for a file that parses but holds a wrong value it says nothing about where, and it keeps
 * only the last of two equal keys. Policy files need both: every error names a line and column, and
 * a duplicated key is an error, not a silent overwrite.
 *
 * It accepts exactly RFC 8259 JSON (plus a leading byte-order mark), and explains the usual
 * hand-editing mistakes (comments, trailing commas, single quotes, bare `Infinity`) in words.
 */

/** 1-based line and column (columns count UTF-16 code units, as editors do for most text). */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface JsonMember {
  key: string;
  /** Where the key's opening quote is. */
  keyAt: SourcePosition;
  value: JsonNode;
}

export type JsonNode = (
  | { type: 'object'; members: JsonMember[] }
  | { type: 'array'; items: JsonNode[] }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null'; value: null }
) & { at: SourcePosition };

/** A JSON syntax error, with the position of the offending character. */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Nesting deeper than this is refused instead of overflowing the stack on hostile input. */
const MAX_DEPTH = 200;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Parses `text` into a tree of positioned nodes. Throws `JsonSyntaxError`. */
export function parseJsonWithPositions(text: string): JsonNode {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const positionOf = (index: number): SourcePosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - lineStarts[lo]! + 1 };
  };
  const fail = (message: string, index = pos): never => {
    const { line, column } = positionOf(index);
    throw new JsonSyntaxError(message, line, column);
  };
  const describeHere = (): string => {
    if (pos >= text.length) return 'end of input';
    const code = text.charCodeAt(pos);
    return code < 0x20 || code === 0x7f ? `character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `'${text[pos]}'`;
  };

  const skipSpace = () => {
    for (;;) {
      const c = text[pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') pos++;
      else if (c === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) fail('comments are not allowed in JSON');
      else return;
    }
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    let out = '';
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text[pos]!;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === '\n' || c === '\r') fail('unterminated string (no closing quote before the end of the line)', start);
      if (c.charCodeAt(0) < 0x20) fail('control characters must be escaped inside a string (\\t, \\u0001, ...)');
      if (c !== '\\') {
        out += c;
        pos++;
        continue;
      }
      const e = text[pos + 1];
      if (e === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape: expected 4 hex digits');
        out += String.fromCharCode(parseInt(hex, 16));
        pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        pos += 2;
      } else {
        fail(`invalid escape "\\${e ?? ''}" in a string`);
      }
    }
  };

  const parseValue = (depth: number): JsonNode => {
    skipSpace();
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const at = positionOf(pos);
    const c = text[pos];
    if (c === '{') return parseObject(depth, at);
    if (c === '[') return parseArray(depth, at);
    if (c === '"') return { type: 'string', value: parseString(), at };
    if (c === "'") fail('strings must be in double quotes');
    NUMBER.lastIndex = pos;
    const number = NUMBER.exec(text);
    if (number) {
      pos += number[0].length;
      return { type: 'number', value: Number(number[0]), at };
    }
    WORD.lastIndex = pos;
    const word = WORD.exec(text)?.[0];
    if (word === 'true' || word === 'false') {
      pos += word.length;
      return { type: 'boolean', value: word === 'true', at };
    }
    if (word === 'null') {
      pos += 4;
      return { type: 'null', value: null, at };
    }
    if (word === 'Infinity' || word === 'NaN') fail(`${word} is not JSON; write "Infinity" (a string) for no limit`);
    if (word !== undefined) fail(`unexpected word "${word}" (strings must be in double quotes)`);
    return fail(`unexpected ${describeHere()}`);
  };

  const parseObject = (depth: number, at: SourcePosition): JsonNode => {
    pos++;
    const members: JsonMember[] = [];
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return { type: 'object', members, at };
    }
    for (;;) {
      skipSpace();
      if (text[pos] === '}') fail('trailing comma before "}" is not allowed in JSON');
      if (text[pos] !== '"') fail(text[pos] === "'" ? 'keys must be in double quotes' : `expected a key in double quotes, got ${describeHere()}`);
      const keyAt = positionOf(pos);
      const key = parseString();
      skipSpace();
      if (text[pos] !== ':') fail(`expected ":" after key "${key}", got ${describeHere()}`);
      pos++;
      members.push({ key, keyAt, value: parseValue(depth + 1) });
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return { type: 'object', members, at };
      }
      fail(`expected "," or "}" after the value of "${key}", got ${describeHere()}`);
    }
  };

  const parseArray = (depth: number, at: SourcePosition): JsonNode => {
    pos++;
    const items: JsonNode[] = [];
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return { type: 'array', items, at };
    }
    for (;;) {
      skipSpace();
      if (text[pos] === ']') fail('trailing comma before "]" is not allowed in JSON');
      items.push(parseValue(depth + 1));
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return { type: 'array', items, at };
      }
      fail(`expected "," or "]" in an array, got ${describeHere()}`);
    }
  };

  skipSpace();
  if (pos >= text.length) fail('the file is empty (expected a JSON object)');
  const root = parseValue(0);
  skipSpace();
  if (pos < text.length) fail(`unexpected ${describeHere()} after the end of the JSON value`);
  return root;
}

/** A short description of a node's value for error messages: `0`, `"abc"`, `an object`. */
export function describeNode(node: JsonNode): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 40)}…` : node.value);
    default:
      return String(node.value);
  }
}
