/**
 * `redisBackend` is strict: an unknown key is a TypeError with the near name, each wrong value says
 * what it must be and what it got, and a full valid set is accepted. The client is a real ioredis
 * client that never connects (nothing here needs a server).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisBackend, type RedisBackendOptions } from '../../../src/limits/redis/index.js';

const client = new Redis({ lazyConnect: true, enableOfflineQueue: false });
afterAll(() => client.disconnect());

describe('redisBackend options', () => {
  it.each<[string, () => unknown, string]>([
    ['a typo', () => ({ client, keyprefix: 'x:' }), 'unknown option `keyprefix` (did you mean `keyPrefix`?)'],
    ['another typo', () => ({ client, botID: 'a' }), 'unknown option `botID` (did you mean `botId`?)'],
    ['an unknown key', () => ({ client, connection: {} }), 'unknown option `connection` (known: client, keyPrefix, botId, chatIdTimeoutMs)'],
    ['no client', () => ({}), 'option `client` is required: an ioredis client (new Redis(...))'],
    ['no options', () => undefined, 'option `client` is required: an ioredis client (new Redis(...))'],
    ['options not an object', () => 'redis://localhost', 'options must be an object, got "redis://localhost"'],
    ['a client that is not ioredis', () => ({ client: {} }), 'option `client` must be an ioredis client (new Redis(...)), got an object'],
    ['keyPrefix not a string', () => ({ client, keyPrefix: 1 }), 'option `keyPrefix` must be a string, got 1'],
    ['an empty botId', () => ({ client, botId: '' }), 'option `botId` must be a non-empty string without "{" or "}", got ""'],
    ['a botId with braces', () => ({ client, botId: 'a{b}' }), 'option `botId` must be a non-empty string without "{" or "}", got "a{b}"'],
    ['chatIdTimeoutMs zero', () => ({ client, chatIdTimeoutMs: 0 }), 'option `chatIdTimeoutMs` must be a finite number > 0, got 0'],
    ['chatIdTimeoutMs a string', () => ({ client, chatIdTimeoutMs: '500' }), 'option `chatIdTimeoutMs` must be a finite number > 0, got "500"'],
    ['null', () => null, 'options must be an object, got null'],
  ])('%s: a TypeError naming it', (_, options, words) => {
    expect(() => redisBackend(options() as never)).toThrow(new TypeError(`redisBackend: ${words}`));
  });

  it('accepts a full valid set', async () => {
    const backend = redisBackend({ client, keyPrefix: 'app:', botId: 'bot-1', chatIdTimeoutMs: 250 } satisfies Required<RedisBackendOptions>);
    expect(backend.keys).toMatchObject({ gateChannel: expect.stringContaining('app:') });
    expect(backend.keys.gateChannel).toContain('{bot-1}');
    await backend.close();
  });
});
