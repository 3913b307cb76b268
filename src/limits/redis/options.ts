/**
 * Options of `redisBackend`, and their checks.
 */
import type { Redis } from 'ioredis';
import { checkOptions } from '../../core/check-options.js';
import { finitePositive, hasMethods, string, type Check } from '../../core/checks.js';

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

/** How each option is checked. */
const OPTION_CHECKS = {
  client: hasMethods('an ioredis client (new Redis(...))', 'duplicate', 'defineCommand'),
  keyPrefix: string,
  // It becomes a Redis Cluster hash tag.
  botId: (v: unknown) => (typeof v === 'string' && v !== '' && !/[{}]/.test(v) ? undefined : 'a non-empty string without "{" or "}"'),
  chatIdTimeoutMs: finitePositive,
} satisfies Record<keyof RedisBackendOptions, Check>;

export function resolveRedisOptions(options: RedisBackendOptions): ResolvedRedisOptions {
  checkOptions(WHERE, options, OPTION_CHECKS, { required: ['client'] });
  const { client, keyPrefix = 'tgr:', botId = 'default', chatIdTimeoutMs = 500 } = options;
  return { client, keyPrefix, botId, chatIdTimeoutMs };
}
