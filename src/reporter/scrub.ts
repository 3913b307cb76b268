/**
 * Keeping secrets out of what the reporter sends: the bot token in every spelling (as is,
 * URL-encoded, inside `bot<token>` URLs, its secret half) and parameters whose name says they are
 * secret. The replacing itself is the Bot API client's scrubber (`scrubSecret`), so there is one.
 */
import { scrubSecret, tokenSpellings } from '../errors/scrub-token.js';

/**
 * Text shaped like a bot token (`123456:AA...`, the colon possibly URL-encoded), even one nobody
 * told us about: an error text may quote the request URL of another bot's client.
 */
const TOKEN_SHAPE = /\d{3,}(?::|%3A)[A-Za-z0-9_-]{20,}/gi;

/** Parameter and field names whose values are secrets: shown as `<hidden>`. */
const SECRET_KEY = /token|secret|password|passwd|api[_-]?key|authorization|cookie|session|credential/i;

export const HIDDEN = '<hidden>';

/** Replaces the known token and anything token-shaped in one string. */
export type Scrub = (text: string) => string;

/** A scrubber for `token` (and any token-shaped text when no token is known, or another one appears). */
export function createScrub(token: string | undefined): Scrub {
  const known = token ? tokenSpellings(token) : [];
  return (text) => {
    const found = [...text.matchAll(TOKEN_SHAPE)].flatMap((match) => tokenSpellings(match[0].replace(/%3A/i, ':')));
    const secrets = [...new Set([...known, ...found])].sort((a, b) => b.length - a.length);
    if (secrets.length === 0) return text;
    return scrubSecret({ text }, secrets).text;
  };
}

/** True for a key such as `token`, `client_secret` or `Authorization`. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}
