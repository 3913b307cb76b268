/**
 * What a send's result means for its recipient. The final failure is read through `classify`, the
 * same function the engine decides with: `maybeDelivered` separates "may have reached Telegram"
 * (uncertain, never resent unasked) from "surely did not" (retried by a rerun when it was transient).
 */
import { classify } from '../errors/index.js';
import { chatKey, parseChatId } from './chat-id.js';
import type { ChatId, Outcome } from './journal.js';

/** 403s that mean the chat is gone for this bot: the user blocked it or was deleted, or it was kicked. */
const BLOCKED = /blocked|deactivated|kicked/i;

/** Kinds that end a call without Telegram acting on it, and may pass: a rerun retries them. */
const TRANSIENT = new Set(['flood', 'network', 'timeout', 'server', 'unauthorized', 'dc_migrate']);

/** The outcome of a send that resolved with `result` (a Message, or `{ message_id }` for copyMessage). */
export function sentOutcome(chatId: ChatId, target: ChatId, result: unknown): Outcome {
  const message = typeof result === 'object' && result !== null ? (result as { message_id?: unknown; chat?: { id?: unknown } }) : {};
  const messageId = typeof message.message_id === 'number' ? message.message_id : undefined;
  // The engine follows a migration by itself: the answer then comes from the new supergroup.
  const answeredFrom = parseChatId(message.chat?.id);
  const migratedTo = typeof target === 'number' && typeof answeredFrom === 'number' && answeredFrom !== target ? answeredFrom : undefined;
  return { chatId, state: 'sent', target: migratedTo ?? target, messageId };
}

/** The outcome of a send that rejected with `error`. */
export function failedOutcome(chatId: ChatId, target: ChatId, error: unknown): Outcome {
  const failure = classify(error);
  const description = failure.description ?? failure.kind;
  if (failure.kind === 'chat_migrated' && failure.migrateToChatId !== undefined && chatKey(failure.migrateToChatId) !== chatKey(target)) {
    return { chatId, state: 'migrated', target: failure.migrateToChatId };
  }
  if (failure.kind === 'forbidden' && BLOCKED.test(description)) return { chatId, state: 'blocked', description };
  if (failure.maybeDelivered) return { chatId, state: 'uncertain', kind: failure.kind, description };
  return { chatId, state: 'failed', kind: failure.kind, description, retryable: TRANSIENT.has(failure.kind) };
}

/** A send still waiting for its answer when the stop's grace period ended: it may have left. */
export function interruptedOutcome(chatId: ChatId): Outcome {
  return { chatId, state: 'uncertain', kind: 'interrupted', description: 'stopped before its answer came; it may have been delivered' };
}
