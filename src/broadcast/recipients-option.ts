/**
 * The `recipients` option, checked alike by every part that takes one (`broadcast()`,
 * `enqueueBroadcast()`): an Iterable or AsyncIterable object. A string is iterable too, but its
 * characters are not the chat ids meant, so it is refused. Each chat id is checked as it is read.
 */
import type { Check } from '../core/checks.js';

export const recipientsCheck: Check = (v) =>
  typeof v === 'object' &&
  v !== null &&
  (typeof (v as Record<symbol, unknown>)[Symbol.iterator] === 'function' || typeof (v as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function')
    ? undefined
    : 'an Iterable or AsyncIterable of chat ids (numbers or "@username")';
