/**
 * Telegram's HTML parse mode, as much as the error reporter needs: escaping text, and splitting
 * a message that is too long into parts that are each valid on their own.
 *
 * Telegram refuses a message over 4,096 characters, and a part cut in the middle of a `<pre>` or
 * an `&amp;` would not parse at all. So `splitTelegramHtml` cuts only between characters of text,
 * never inside a tag, an entity or a surrogate pair, closes the tags open at the cut and opens them
 * again (with their attributes) at the start of the next part.
 */

/** Telegram's own limit on the length of a message's text. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** Escapes `& < >`: all that Telegram's HTML mode requires in text (quotes stay readable). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** One piece of a well-formed HTML string: a tag, or a run of text and entities between tags. */
type Token = { type: 'open'; name: string; raw: string } | { type: 'close'; name: string; raw: string } | { type: 'text'; raw: string };

const TOKEN = /<\/?([a-z][a-z0-9-]*)[^>]*>|[^<]+|</gi;

function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  for (const match of html.matchAll(TOKEN)) {
    const raw = match[0];
    if (match[1] === undefined) tokens.push({ type: 'text', raw });
    else tokens.push({ type: raw.startsWith('</') ? 'close' : 'open', name: match[1].toLowerCase(), raw });
  }
  return tokens;
}

/** Room an open tag needs beyond its own text, so a part never ends with an empty element. */
const MIN_CONTENT = 16;
/** Longest entity we emit or accept whole (`&#x1F600;`). */
const MAX_ENTITY = 10;

/**
 * Where to cut a run of escaped text so that at most `room` characters stay in this part: after
 * the last newline in reach when there is one in its second half, else at `room`, moved back off
 * an entity (`&amp;`) or a surrogate pair it would split.
 */
function cutPoint(run: string, room: number): number {
  if (room <= 0) return 0;
  const newline = run.lastIndexOf('\n', room - 1);
  if (newline >= room / 2) return newline + 1;
  let cut = room;
  const amp = run.lastIndexOf('&', cut - 1);
  if (amp >= 0 && cut - amp < MAX_ENTITY) {
    const semicolon = run.indexOf(';', amp);
    if (semicolon >= cut) cut = amp;
  }
  const code = run.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return cut;
}

/**
 * Splits well-formed Telegram HTML (as this package builds it: tags properly nested, text escaped)
 * into parts of at most `limit` characters each, every one well-formed on its own. Put back
 * together, the parts' text is the text of `html`, except for parts of nothing but whitespace,
 * which are left out (Telegram refuses an empty message).
 *
 * @param limit characters per part; at least 64, so the reopened tags always leave room for text.
 */
export function splitTelegramHtml(html: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  if (!(limit >= 64)) throw new RangeError('splitTelegramHtml: `limit` must be at least 64');
  if (html.length <= limit) return html.replace(/<[^>]*>/g, '').trim() === '' ? [] : [html];
  const parts: string[] = [];
  const open: Array<{ name: string; raw: string }> = [];
  let current = '';
  let hasText = false;
  const closing = () => open.reduceRight((s, tag) => `${s}</${tag.name}>`, '');
  const room = () => limit - current.length - closing().length;
  const append = (raw: string) => {
    current += raw;
    if (raw.trim() !== '') hasText = true;
  };
  const finishPart = () => {
    if (hasText) parts.push(current + closing());
    current = open.map((tag) => tag.raw).join('');
    hasText = false;
  };
  const addText = (raw: string) => {
    let rest = raw;
    while (rest.length > room()) {
      const cut = cutPoint(rest, room());
      if (cut > 0) append(rest.slice(0, cut));
      rest = rest.slice(cut);
      finishPart();
    }
    append(rest);
  };

  for (const token of tokenize(html)) {
    if (token.type === 'open') {
      // The tag, its closing tag and a little content must fit, or it starts the next part.
      if (room() < token.raw.length + token.name.length + 3 + MIN_CONTENT) finishPart();
      current += token.raw;
      open.push({ name: token.name, raw: token.raw });
    } else if (token.type === 'close') {
      const index = open.map((tag) => tag.name).lastIndexOf(token.name);
      if (index < 0) continue;
      const [tag] = open.splice(index, 1);
      // A tag reopened at the start of a part and closed at once: drop it rather than leave it empty.
      if (index === open.length && current.endsWith(tag!.raw)) current = current.slice(0, -tag!.raw.length);
      else current += token.raw;
    } else {
      addText(token.raw);
    }
  }
  if (hasText) parts.push(current);
  return parts;
}
