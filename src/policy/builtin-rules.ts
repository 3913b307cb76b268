/**
 * Rules the engine applies after the user's own (the first match wins, so a user rule for the same
 * method replaces the built-in one). Each is grounded in how Telegram treats that method.
 * Turn them all off with `createResilience({ builtinRules: false })`.
 */
import type { Rule } from './rules.js';

export const BUILTIN_RULES: readonly Rule[] = Object.freeze([
  {
    name: 'getUpdates: poll forever',
    match: 'getUpdates',
    // A long-polling bot has nothing better to do than wait for Telegram to come back: retry network
    // failures and flood waits without end, with the backoff window capped at 30 s. getUpdates with an
    // offset is safe to repeat. A 409 Conflict (another instance polling) still stops it at once.
    maxAttempts: Number.POSITIVE_INFINITY,
    maxTotalDelayMs: Number.POSITIVE_INFINITY,
    maxFloodWaits: Number.POSITIVE_INFINITY,
    floodSleepThreshold: Number.POSITIVE_INFINITY,
    maxDelayMs: 30_000,
    idempotent: true,
  },
  {
    name: 'answerCallbackQuery: answer in time or not at all',
    match: 'answerCallbackQuery',
    // The user's app shows a spinner until the answer arrives and gives up after several seconds;
    // Telegram then rejects a late answer with "query is too old". Waiting longer helps nobody.
    maxElapsedMs: 10_000,
    floodSleepThreshold: 5,
    idempotent: true,
  },
  {
    name: 'sendChatAction: harmless to repeat',
    match: 'sendChatAction',
    // "typing…" shown twice is still "typing…".
    idempotent: true,
  },
  {
    name: 'reads, edits, deletes and settings are idempotent',
    match: /^(get|edit|set|delete)[A-Z]/,
    // Repeating them converges to the same state: an edit to the same text, a delete of a deleted
    // message (Telegram answers "message to delete not found"), a read.
    idempotent: true,
  },
  {
    name: 'send*, forward*, copy* create messages',
    match: /^(send|forward|copy)[A-Z]/,
    // A second attempt after a possibly-delivered one would show the message twice.
    idempotent: false,
  },
]);
