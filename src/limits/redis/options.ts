/**
 * Options of `redisBackend`, and their checks.
 */
import type { Redis } from 'ioredis';

export interface RedisBackendOptions {
  /**
   * An ioredis 5 (or 6) client that you own: the backend never quits it, and does not change its
   * options. It is used for the reservation and gate scripts and the chat-id store. A second
   * connection for the gate channel is made with `client.duplicate()` and closed by `close()`.
   */
  client: Redis;
  /**
   * Prefix of every key and channel the backend uses. Default `'tgr:'`. (It is added on top of the
   * client's own `keyPrefix` option, if that is set.)
   */
  keyPrefix?: string;
  /**
   * Which bot the shared state belongs to: every process of one bot must use the same `botId`, and
   * two bots sharing one Redis must use different ones (else they share one set of limits). It
   * becomes a Redis Cluster hash tag, so it must not contain `{` or `}`. Default `'default'`.
   */
  botId?: string;
  /**
   * The longest a chat-id lookup in Redis may take, in ms. The engine does not bound chat-id store
   * calls itself, so the store does: past this the lookup answers "not migrated" (from what this
   * process knows) rather than hold the call. Default `500`.
   */
  chatIdTimeoutMs?: number;
}

export interface ResolvedRedisOptions {
  client: Redis;
  keyPrefix: string;
  botId: string;
  chatIdTimeoutMs: number;
}

const WHERE = 'redisBackend';
const KNOWN = new Set(['client', 'keyPrefix', 'botId', 'chatIdTimeoutMs']);

export function resolveRedisOptions(options: RedisBackendOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${WHERE}: options must be an object ({ client })`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`${WHERE}: unknown option "${key}"`);
  }
  const { client, keyPrefix = 'tgr:', botId = 'default', chatIdTimeoutMs = 500 } = options;
  const c = client as unknown as Record<string, unknown> | null | undefined;
  if (typeof c !== 'object' || c === null || typeof c.duplicate !== 'function' || typeof c.defineCommand !== 'function') {
    throw new TypeError(`${WHERE}: option "client" must be an ioredis client (new Redis(...))`);
  }
  if (typeof keyPrefix !== 'string') throw new TypeError(`${WHERE}: option "keyPrefix" must be a string`);
  if (typeof botId !== 'string' || botId.length === 0 || /[{}]/.test(botId)) {
    throw new TypeError(`${WHERE}: option "botId" must be a non-empty string without "{" or "}"`);
  }
  if (typeof chatIdTimeoutMs !== 'number' || !Number.isFinite(chatIdTimeoutMs) || chatIdTimeoutMs <= 0) {
    throw new TypeError(`${WHERE}: option "chatIdTimeoutMs" must be a finite number > 0`);
  }
  return { client, keyPrefix, botId, chatIdTimeoutMs };
}
