/** Failures and explanations in words, for the CLI's output. */
import type { Failure } from '../errors/failure.js';
import { formatDelay } from '../engine/decision-table.js';

/** `flood, code 429, wait 5s, not delivered`. Built from the Failure's fields only (never the token). */
export function describeFailure(failure: Failure): string {
  const parts: string[] = [failure.kind];
  if (failure.code !== undefined) parts.push(`code ${failure.code}`);
  if (failure.type !== undefined) parts.push(failure.type);
  if (failure.retryAfterMs !== undefined) parts.push(`wait ${formatDelay(failure.retryAfterMs)}`);
  if (failure.dc !== undefined) parts.push(`DC ${failure.dc}`);
  if (failure.migrateToChatId !== undefined) parts.push(`new chat id ${failure.migrateToChatId}`);
  parts.push(failure.maybeDelivered ? 'may have been delivered' : 'surely not delivered');
  return parts.join(', ');
}

/** Telegram's (or the error's) own words, shortened to one line. */
export function shortDescription(failure: Failure, max = 90): string | undefined {
  const text = failure.description?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
