/**
 * A small checker of Telegram's HTML parse mode, strict where Telegram is: only its tags (with only
 * the attributes it knows), properly nested, `<`, `>` and `&` escaped outside tags, only the named
 * entities it knows, and at most 4,096 characters of non-blank text. Written from Telegram's
 * "HTML style" documentation, independently of the splitter it checks.
 */

/** The tags Telegram knows, and the attributes each may (or must) have. */
const TAGS: Record<string, (attrs: Record<string, string | true>, parents: string[]) => string | undefined> = {
  b: none,
  strong: none,
  i: none,
  em: none,
  u: none,
  ins: none,
  s: none,
  strike: none,
  del: none,
  'tg-spoiler': none,
  span: (a) => (Object.keys(a).length === 1 && a.class === 'tg-spoiler' ? undefined : 'span needs exactly class="tg-spoiler"'),
  a: (a) => (Object.keys(a).length === 1 && typeof a.href === 'string' ? undefined : 'a needs exactly href'),
  'tg-emoji': (a) =>
    Object.keys(a).length === 1 && typeof a['emoji-id'] === 'string' && /^\d+$/.test(a['emoji-id']) ? undefined : 'tg-emoji needs emoji-id',
  code: (a, parents) => {
    const keys = Object.keys(a);
    if (keys.length === 0) return undefined;
    if (keys.length === 1 && typeof a.class === 'string' && /^language-[\w+-]+$/.test(a.class)) {
      return parents.at(-1) === 'pre' ? undefined : 'code class="language-..." only directly inside pre';
    }
    return 'code takes only class="language-..."';
  },
  pre: none,
  blockquote: (a) => (Object.keys(a).length === 0 || (Object.keys(a).length === 1 && a.expandable === true) ? undefined : 'blockquote takes only expandable'),
};

function none(attrs: Record<string, string | true>): string | undefined {
  return Object.keys(attrs).length === 0 ? undefined : 'this tag takes no attributes';
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function parseAttrs(text: string): Record<string, string | true> | undefined {
  const attrs: Record<string, string | true> = {};
  const re = /\s+([a-z-]+)(?:="([^"<>]*)")?/gy;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    attrs[m[1]!] = m[2] ?? true;
    at = re.lastIndex;
  }
  return text.slice(at).trim() === '' ? attrs : undefined;
}

export interface ParsedHtml {
  /** The text a user sees, entities decoded. */
  text: string;
  /** Tags in order of opening. */
  tags: string[];
}

/** Parses `html` as Telegram would; throws an Error saying what is wrong. */
export function parseTelegramHtml(html: string): ParsedHtml {
  const stack: string[] = [];
  const tags: string[] = [];
  let text = '';
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw new Error(`unescaped "<" at ${i}`);
      const inner = html.slice(i + 1, end);
      const close = /^\/([a-z-]+)$/.exec(inner);
      if (close) {
        if (stack.at(-1) !== close[1]) throw new Error(`</${close[1]}> at ${i} closes ${stack.at(-1) ?? 'nothing'}`);
        stack.pop();
      } else {
        const open = /^([a-z-]+)(.*)$/s.exec(inner);
        const check = open ? TAGS[open[1]!] : undefined;
        if (!open || !check) throw new Error(`unknown tag <${inner}> at ${i}`);
        const attrs = parseAttrs(open[2]!);
        if (!attrs) throw new Error(`bad attributes in <${inner}>`);
        const problem = check(attrs, stack);
        if (problem) throw new Error(`<${inner}>: ${problem}`);
        if (stack.includes('pre') && open[1] !== 'code') throw new Error(`<${open[1]}> inside <pre>`);
        if (stack.at(-1) === 'code') throw new Error(`<${open[1]}> inside <code>`);
        stack.push(open[1]!);
        tags.push(open[1]!);
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&(?:([a-z]+)|#(\d+)|#x([0-9a-f]+));/i.exec(html.slice(i, i + 12));
      if (!m) throw new Error(`unescaped "&" at ${i}`);
      if (m[1] !== undefined) {
        const decoded = ENTITIES[m[1]];
        if (decoded === undefined) throw new Error(`unknown entity ${m[0]}`);
        text += decoded;
      } else {
        text += String.fromCodePoint(m[2] !== undefined ? Number(m[2]) : parseInt(m[3]!, 16));
      }
      i += m[0].length;
    } else if (c === '>') {
      throw new Error(`unescaped ">" at ${i}`);
    } else {
      text += c;
      i += 1;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return { text, tags };
}

/** Checks one message as Telegram would accept it: valid HTML, 1 to 4,096 characters of text. */
export function assertValidMessage(html: string): ParsedHtml {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(html)) throw new Error('a lone surrogate');
  const parsed = parseTelegramHtml(html);
  if (parsed.text.trim() === '') throw new Error('empty message');
  if (html.length > 4096) throw new Error(`message of ${html.length} characters`);
  return parsed;
}
