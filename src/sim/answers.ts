/** The JSON answers of the simulated Bot API, in Telegram's shape and wording, and its method names. */
import type { LimitScope } from './limits.js';
import type { LedgerEntry } from './types.js';

/** The HTTP answer to one call. */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Set when the call delivered a message. */
  delivered?: LedgerEntry;
  limit?: LimitScope;
  retryAfter?: number;
}

/** The methods the simulator implements; any other answers 404 `Not Found: method not found`. */
export const METHOD_NAMES = [
  'getMe',
  'getUpdates',
  'setWebhook',
  'deleteWebhook',
  'getWebhookInfo',
  'setMyCommands',
  'getMyCommands',
  'deleteMyCommands',
  'getChat',
  'getChatMember',
  'sendMessage',
  'forwardMessage',
  'copyMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'deleteMessage',
  'sendChatAction',
  'sendPhoto',
  'sendDocument',
  'answerCallbackQuery',
] as const;

const CANONICAL = new Map<string, string>(METHOD_NAMES.map((name) => [name.toLowerCase(), name]));

/** The method's canonical spelling; Telegram matches method names case-insensitively. */
export function canonicalMethod(name: string): string | undefined {
  return CANONICAL.get(name.toLowerCase());
}

/** `{ ok: true, result }` with HTTP 200. */
export function okAnswer(result: unknown): ApiAnswer {
  return { status: 200, body: { ok: true, result } };
}

/** `{ ok: false, error_code, description, parameters? }` with `error_code` as the HTTP status, as Telegram does. */
export function errorAnswer(status: number, description: string, parameters?: Record<string, unknown>): ApiAnswer {
  const body: Record<string, unknown> = { ok: false, error_code: status, description };
  if (parameters) body.parameters = parameters;
  return { status, body };
}

/** Telegram's 429: `retry_after` in whole seconds (ceil, >= 1), also named in the description. */
export function floodAnswer(retryAfter: number): ApiAnswer {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return { ...errorAnswer(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds }), retryAfter: seconds };
}
