/**
 * Step 1 of `classify` (classify.ts): this package's own errors (telegram-error.ts), recognized by
 * their brand, their meaning read from their name and fields.
 */
import { botApiVerdict, pageVerdict } from './bot-api-answer.js';
import { UNEXPLAINED_TRANSPORT } from './network.js';
import { integer, nameOf, safeGet, type Inner, type Verdict } from './shapes.js';
import { isTelegramError } from './telegram-error.js';

/** The verdict on one of this package's errors; undefined for anything else. */
export function fromOwnError(e: object, inner: Inner): Verdict | undefined {
  let ours = false;
  try {
    ours = isTelegramError(e);
  } catch {
    ours = false; // a Proxy whose `get` trap throws
  }
  if (!ours) return undefined;

  const code = integer(safeGet(e, 'error_code'));
  const verdict = ownErrorVerdict(e, nameOf(e), code, inner);
  const description = safeGet(e, 'description');
  if (verdict.description === undefined && typeof description === 'string') verdict.description = description;
  if (verdict.code === undefined && code !== undefined) verdict.code = code;
  // The client knows best whether its request may have left (it saw where the failure happened).
  const maybeDelivered = safeGet(e, 'maybeDelivered');
  if (typeof maybeDelivered === 'boolean') verdict.maybeDelivered = maybeDelivered;
  return verdict;
}

function ownErrorVerdict(e: object, name: string | undefined, code: number | undefined, inner: Inner): Verdict {
  switch (name) {
    case 'RetryAfter':
      return botApiVerdict(code ?? 429, safeGet(e, 'description'), safeGet(e, 'parameters'), safeGet(e, 'retryAfter'));
    case 'ChatMigrated': {
      const newChatId = integer(safeGet(e, 'newChatId'));
      if (newChatId === undefined) break;
      return { kind: 'chat_migrated', code: code ?? 400, migrateToChatId: newChatId, maybeDelivered: false };
    }
    case 'TimedOut':
      return { kind: 'timeout', maybeDelivered: true };
    case 'NetworkError': {
      // Our client also reports a 5xx answer as NetworkError: that is Telegram's side failing.
      if (code !== undefined && code >= 500) return { kind: 'server', code, maybeDelivered: true };
      const underlying = inner(safeGet(e, 'cause'));
      if (underlying && (underlying.kind === 'network' || underlying.kind === 'timeout')) return underlying;
      return { ...UNEXPLAINED_TRANSPORT };
    }
    case 'InvalidServerResponse':
      return pageVerdict(code);
    case 'InvalidToken':
      return { kind: 'unauthorized', maybeDelivered: false };
  }
  return botApiVerdict(code, safeGet(e, 'description'), safeGet(e, 'parameters'));
}
