/** The messages of the Bot API client's errors: the method and what happened, never the URL (it holds the token). */

/** `sendMessage failed: Forbidden: bot was blocked by the user`. Never contains the URL. */
export function messageFor(method: string, text: string): string {
  return `${method} failed: ${text}`;
}

/**
 * Gives `error` the message we want and a stack whose first line matches it. The subclasses of
 * `TelegramError` build their own messages (e.g. `RetryAfter`), so we set ours afterwards.
 */
export function withMessage<E extends Error>(error: E, message: string): E {
  error.message = message;
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const frames = stack.indexOf('\n    at ');
  error.stack = `${error.name}: ${message}${frames >= 0 ? stack.slice(frames) : ''}`;
  return error;
}
