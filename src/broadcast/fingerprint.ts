/**
 * A journal belongs to one message. Its fingerprint is a hash of the method and the parameters
 * without the per-recipient ones (`chat_id`) and without `allow_paid_broadcast` (paying does not
 * change the message), keys sorted, so the same message always gives the same fingerprint.
 */
import { createHash } from 'node:crypto';

/** Parameters that differ per recipient or per run, not per message. */
const NOT_THE_MESSAGE = new Set(['chat_id', 'allow_paid_broadcast']);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * `sha256:<hex>` of the message. A message built per chat by a function is known by the function's
 * source text: changing the code makes another message, while a change in data it reads is not seen.
 */
export function messageFingerprint(method: string, params: Record<string, unknown> | ((chatId: number | string) => unknown)): string {
  const body =
    typeof params === 'function'
      ? { method, function: params.toString() }
      : { method, params: canonical(Object.fromEntries(Object.entries(params).filter(([k]) => !NOT_THE_MESSAGE.has(k)))) };
  return `sha256:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
}
