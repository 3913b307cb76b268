/**
 * The one token scrubber: the bot token must never appear in an error, a log line, an event, a
 * journal or a report. It replaces every spelling of a secret with `<token>` in the string
 * properties (`message`, `stack`, any other own property, enumerable or not) of an error and of what
 * it holds, in place, and returns the error itself (its class and identity are kept). The walk is
 * bounded and safe against cycles, throwing getters and frozen objects, and it never throws.
 *
 * How far it walks depends on whose error it is:
 * - `whole-graph` (the default): an error this package built (`createBotApi`). Every object under it
 *   is walked (undici's causes, their `details`, `parameters`); byte buffers are skipped.
 * - `errors-only`: an SDK's error (the adapters). Such errors also hold the caller's payload
 *   (telegraf's `error.on.payload`), which must never be rewritten, and live objects (ntba 0.x keeps
 *   the whole `http.IncomingMessage`, with its socket): only `Error`s, and arrays of them
 *   (AggregateError's `errors`), are walked.
 */

/** What a secret is replaced with. */
export const TOKEN_PLACEHOLDER = '<token>';

export type ScrubScope = 'whole-graph' | 'errors-only';

/**
 * A bot token as it shows up in a request URL (`/bot123456:AA.../sendMessage`) or on its own: the
 * bot id, a colon (possibly URL-encoded), and the secret.
 */
const TOKEN_SHAPE = /(\d{3,})(?::|%3A)([A-Za-z0-9_-]{20,})/gi;

/** How deep the walk goes: undici nests two or three causes; an `errors` array and a details object add a level or two. */
const MAX_DEPTH = 8;
/** Objects visited by one walk, at most, so a huge or odd error graph cannot stall the error path. */
const MAX_VISITS = 100;
/** Properties read from one object, at most. */
const MAX_KEYS = 200;

/**
 * The spellings of `token` worth hiding: as is, URL-encoded (undici may print the URL), and its
 * secret half alone when it is long enough not to match ordinary text. Longest first.
 */
export function tokenSpellings(token: string): string[] {
  const spellings = new Set([token, encodeURIComponent(token)]);
  const secretHalf = token.slice(token.indexOf(':') + 1);
  if (secretHalf.length >= 8) spellings.add(secretHalf);
  return [...spellings].filter((s) => s !== '').sort((a, b) => b.length - a.length);
}

/**
 * Replaces every one of `secrets` (longest first) in the string properties under `error`, and the
 * pieces of them in V8's JSON.parse excerpts (see `hideExcerptFragments`). Returns `error`.
 */
export function scrubSecret<E>(error: E, secrets: readonly string[], scope: ScrubScope = 'whole-graph'): E {
  if (secrets.length === 0) return error;
  try {
    eachString(error, scope, (text, replace) => {
      let clean = text;
      for (const secret of secrets) clean = clean.split(secret).join(TOKEN_PLACEHOLDER);
      if (clean.includes(JSON_EXCERPT_MARK)) clean = hideExcerptFragments(clean, secrets);
      if (clean !== text) replace(clean);
    });
  } catch {
    // Hiding the token must never replace the real error with one of ours.
  }
  return error;
}

/**
 * For an SDK's error: hides `token` when it is known, and any other token-shaped text too (a grammY
 * transformer never sees the token, but node-fetch puts the whole request URL into its messages).
 */
export function hideToken<E>(error: E, token?: string): E {
  if (typeof error !== 'object' || error === null) return error;
  try {
    const secrets = new Set<string>(token ? tokenSpellings(token) : []);
    eachString(error, 'errors-only', (text) => {
      for (const match of text.matchAll(TOKEN_SHAPE)) {
        for (const spelling of tokenSpellings(`${match[1]}:${match[2]}`)) secrets.add(spelling);
        secrets.add(match[0]);
      }
    });
    return scrubSecret(error, [...secrets].sort((a, b) => b.length - a.length), 'errors-only');
  } catch {
    return error;
  }
}

/**
 * V8 quotes up to ten characters either side of where JSON.parse failed
 * (`Unexpected token '/', "/bot739184"... is not valid JSON`): a body that echoed the request path
 * leaves a piece of the token there, too short to be any whole spelling. Messages that carry such
 * an excerpt (and the stacks that repeat them) are the only place such pieces come from.
 */
const JSON_EXCERPT_MARK = 'is not valid JSON';
/** Pieces this long or longer that also occur in a secret are hidden; shorter ones tell nothing. */
const MIN_FRAGMENT = 4;

/**
 * Hides, in `text`, every run of at least `MIN_FRAGMENT` characters that also occurs in one of
 * `secrets`, and the token's start after `bot` (the request path's `/bot739...`, however short).
 * A run is the union of the secrets' `MIN_FRAGMENT`-grams found in the text: each covers its own
 * characters, and any longer shared piece is covered by the grams it is made of.
 */
function hideExcerptFragments(text: string, secrets: readonly string[]): string {
  const hidden = new Uint8Array(text.length);
  for (const secret of secrets) {
    for (let at = 0; at + MIN_FRAGMENT <= secret.length; at++) {
      const gram = secret.slice(at, at + MIN_FRAGMENT);
      for (let i = text.indexOf(gram); i >= 0; i = text.indexOf(gram, i + 1)) hidden.fill(1, i, i + MIN_FRAGMENT);
    }
    for (let i = text.indexOf('bot'); i >= 0; i = text.indexOf('bot', i + 1)) {
      let n = 0;
      while (n < secret.length && text[i + 3 + n] === secret[n]) n++;
      if (n > 0) hidden.fill(1, i + 3, i + 3 + n);
    }
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (hidden[i] === 0) out += text[i];
    else if (i === 0 || hidden[i - 1] === 0) out += TOKEN_PLACEHOLDER;
  }
  return out;
}

/** Calls `visit` on every own string property in the graph under `root` (see `ScrubScope`), with a setter. */
function eachString(root: unknown, scope: ScrubScope, visit: (text: string, replace: (next: string) => void) => void): void {
  const seen = new Set<object>();
  const walk = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || seen.size >= MAX_VISITS) return;
    if (scope === 'errors-only' && !(value instanceof Error) && !Array.isArray(value)) return;
    seen.add(value);
    // Byte buffers have one property per byte and hold no strings: not worth walking.
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
    if (scope === 'errors-only' && Array.isArray(value)) {
      // Only the errors in it: an array of strings here would be somebody's data.
      if (depth < MAX_DEPTH) for (const item of value.slice(0, MAX_VISITS)) if (item instanceof Error) walk(item, depth + 1);
      return;
    }
    for (const key of Object.getOwnPropertyNames(value).slice(0, MAX_KEYS)) {
      let current: unknown;
      try {
        current = (value as Record<string, unknown>)[key];
      } catch {
        continue; // a getter that throws
      }
      if (typeof current === 'string') {
        visit(current, (next) => {
          try {
            (value as Record<string, unknown>)[key] = next;
          } catch {
            // Frozen or read-only: leave it; throwing here would hide the real error.
          }
        });
      } else if (depth < MAX_DEPTH) {
        walk(current, depth + 1);
      }
    }
  };
  walk(root, 0);
}
