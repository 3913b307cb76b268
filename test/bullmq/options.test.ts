/**
 * The options of every bullmq factory, table-driven: an unknown key names the option it was probably
 * meant to be, each mistyped value says what it must be and what it got, and a full valid set is
 * accepted and used. Real BullMQ queues over a real redis-server, and the simulator.
 */
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createBotApi } from '../../src/botapi/index.js';
import { broadcastProcessor, broadcastWorkerOptions, enqueueBroadcast, jobIdOf, redisJournal, type BroadcastJobResult } from '../../src/bullmq/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { useRedis } from '../limits/redis/redis-context.js';

const CAMPAIGN_NAME = '1-100 letters, digits, "_", "." or "-" (starting with a letter or digit)';
const IOREDIS = 'an ioredis client (new Redis(...))';
const API = 'an object with call(method, params, { signal }), such as createBotApi(...)';
const RECIPIENTS = 'an Iterable or AsyncIterable of chat ids (numbers or "@username")';
const api = { call: async () => ({ message_id: 1 }) };

describeWithRedis('bullmq options', () => {
  const redis = useRedis();
  const queue = (name: string) => {
    const q = new Queue(name, { connection: redis.client({ maxRetriesPerRequest: null }) });
    redis.defer(() => q.close());
    return q;
  };
  const enqueueBase = () => ({ campaign: 'c', recipients: [1], message: { params: { text: 'x' } } });

  describe('enqueueBroadcast', () => {
    it.each([
      ['recipent', 'unknown option `recipent` (did you mean `recipients`?)'],
      ['batchsize', 'unknown option `batchsize` (did you mean `batchSize`?)'],
      ['conection', 'unknown option `conection` (did you mean `connection`?)'],
      ['keyPrefx', 'unknown option `keyPrefx` (did you mean `keyPrefix`?)'],
    ])('names the unknown option %s with its suggestion', async (key, words) => {
      await expect(enqueueBroadcast(queue('u'), { ...enqueueBase(), [key]: 1 } as never)).rejects.toThrow(new TypeError(`enqueueBroadcast: ${words}`));
    });

    it.each([
      ['campaign', 'bad name', CAMPAIGN_NAME, '"bad name"'],
      ['campaign', 7, CAMPAIGN_NAME, '7'],
      ['recipients', 5, RECIPIENTS, '5'],
      ['recipients', '123', RECIPIENTS, '"123"'],
      ['message', 'hi', 'a function (chatId) => params, or { method?, params }', '"hi"'],
      ['paid', 'yes', 'a boolean', '"yes"'],
      ['resendUncertain', 1, 'a boolean', '1'],
      ['retryFailed', null, 'a boolean', 'null'],
      ['connection', {}, IOREDIS, 'an object'],
      ['keyPrefix', 5, 'a string', '5'],
      ['batchSize', 0, 'a whole number >= 1', '0'],
      ['batchSize', '10', 'a whole number >= 1', '"10"'],
    ])('rejects option %s = %j', async (key, value, expected, given) => {
      await expect(enqueueBroadcast(queue('m'), { ...enqueueBase(), [key]: value } as never)).rejects.toThrow(
        new TypeError(`enqueueBroadcast: option \`${key}\` must be ${expected}, got ${given}`),
      );
    });

    it.each([
      [{ parms: { text: 'x' } }, 'unknown option `message.parms` (did you mean `message.params`?)'],
      [{ method: 'sendMessage' }, 'option `message.params` is required: an object, or a function (chatId) => params'],
      [{ method: 'send message', params: {} }, 'option `message.method` must be a Bot API method name such as "sendMessage", got "send message"'],
      [{ params: 3 }, 'option `message.params` must be an object, or a function (chatId) => params, got 3'],
    ])('checks message %j as broadcast() does', async (message, words) => {
      await expect(enqueueBroadcast(queue('n'), { ...enqueueBase(), message } as never)).rejects.toThrow(new TypeError(`enqueueBroadcast: ${words}`));
    });

    it.each(['campaign', 'recipients', 'message'])('requires option %s', async (key) => {
      const options: Record<string, unknown> = enqueueBase();
      delete options[key];
      await expect(enqueueBroadcast(queue('r'), options as never)).rejects.toThrow(new RegExp(`^enqueueBroadcast: option \`${key}\` is required: `));
    });

    it('needs a queue as its first argument', async () => {
      await expect(enqueueBroadcast({} as never, enqueueBase())).rejects.toThrow(new TypeError('enqueueBroadcast: the first argument must be a BullMQ Queue, got an object'));
    });

    it('accepts every option given, valid, and uses them', async () => {
      const q = queue('full');
      const connection = redis.client();
      const options = {
        campaign: 'full',
        recipients: (async function* () {
          yield* [11, 12, 13];
        })(),
        message: { method: 'sendMessage', params: { text: 'x' } },
        paid: true,
        resendUncertain: true,
        retryFailed: true,
        connection,
        keyPrefix: 'opts:',
        batchSize: 2,
      };
      expect(await enqueueBroadcast(q, options)).toEqual({ enqueued: 3 });
      expect((await q.getJob(jobIdOf('full', 12)))?.data).toEqual({ campaign: 'full', chatId: 12, paid: true, resendUncertain: true, retryFailed: true });
      expect(await redisJournal({ client: connection, campaign: 'full', keyPrefix: 'opts:' }).message()).toMatchObject({ method: 'sendMessage', params: { text: 'x' } });
    });
  });

  describe('broadcastProcessor', () => {
    const base = () => ({ api, connection: redis.client() });

    it.each([
      ['onresult', 'unknown option `onresult` (did you mean `onResult`?)'],
      ['recordRetryMS', 'unknown option `recordRetryMS` (did you mean `recordRetryMs`?)'],
      ['retryFaild', 'unknown option `retryFaild` (did you mean `retryFailed`?)'],
    ])('names the unknown option %s with its suggestion', (key, words) => {
      expect(() => broadcastProcessor({ ...base(), [key]: 1 } as never)).toThrow(new TypeError(`broadcastProcessor: ${words}`));
    });

    it.each([
      ['api', {}, API, 'an object'],
      ['connection', {}, IOREDIS, 'an object'],
      ['keyPrefix', 1, 'a string', '1'],
      ['resendUncertain', 'yes', 'a boolean', '"yes"'],
      ['retryFailed', 1, 'a boolean', '1'],
      ['recordRetryMs', -1, 'a number >= 0 (Infinity allowed)', '-1'],
      ['recordRetryMs', NaN, 'a number >= 0 (Infinity allowed)', 'NaN'],
      ['onResult', 'log', 'a function', '"log"'],
    ])('rejects option %s = %j', (key, value, expected, given) => {
      expect(() => broadcastProcessor({ ...base(), [key]: value } as never)).toThrow(
        new TypeError(`broadcastProcessor: option \`${key}\` must be ${expected}, got ${given}`),
      );
    });

    it.each(['api', 'connection'])('requires option %s', (key) => {
      const options: Record<string, unknown> = base();
      delete options[key];
      expect(() => broadcastProcessor(options as never)).toThrow(new RegExp(`^broadcastProcessor: option \`${key}\` is required: `));
    });

    it('accepts every option given, valid, and uses them', async () => {
      const sim = await startSimulator({ limits: false });
      redis.defer(() => sim.close());
      const connection = redis.client({ maxRetriesPerRequest: null });
      await enqueueBroadcast(queue('p'), { campaign: 'proc', recipients: [21], message: { params: { text: 'hi' } }, connection, keyPrefix: 'p:' });
      const results: BroadcastJobResult[] = [];
      const processor = broadcastProcessor({
        api: createBotApi({ token: sim.token, apiRoot: sim.apiRoot }),
        connection,
        keyPrefix: 'p:',
        resendUncertain: false,
        retryFailed: true,
        recordRetryMs: 1_000,
        onResult: (r) => results.push(r),
      });
      const result = await processor({ id: jobIdOf('proc', 21), data: { campaign: 'proc', chatId: 21 } });
      expect(result).toMatchObject({ campaign: 'proc', chatId: 21, state: 'sent', earlier: false });
      expect(results).toEqual([result]);
      expect(sim.deliveredTo(21)).toHaveLength(1);
    });
  });

  describe('redisJournal', () => {
    it.each([
      ['campain', 'unknown option `campain` (did you mean `campaign`?)'],
      ['keyprefix', 'unknown option `keyprefix` (did you mean `keyPrefix`?)'],
    ])('names the unknown option %s with its suggestion', (key, words) => {
      expect(() => redisJournal({ client: redis.client(), campaign: 'j', [key]: 'x' } as never)).toThrow(new TypeError(`redisJournal: ${words}`));
    });

    it.each([
      ['client', {}, IOREDIS, 'an object'],
      ['campaign', 'has space', CAMPAIGN_NAME, '"has space"'],
      ['keyPrefix', 5, 'a string', '5'],
    ])('rejects option %s = %j', (key, value, expected, given) => {
      expect(() => redisJournal({ client: redis.client(), campaign: 'j', [key]: value } as never)).toThrow(
        new TypeError(`redisJournal: option \`${key}\` must be ${expected}, got ${given}`),
      );
    });

    it.each(['client', 'campaign'])('requires option %s', (key) => {
      const options: Record<string, unknown> = { client: redis.client(), campaign: 'j' };
      delete options[key];
      expect(() => redisJournal(options as never)).toThrow(new RegExp(`^redisJournal: option \`${key}\` is required: `));
    });

    it('accepts every option given, valid', () => {
      const journal = redisJournal({ client: redis.client(), campaign: 'j', keyPrefix: 'mine:' });
      expect(journal.keys.meta).toBe('mine:broadcast:{j}:meta');
    });
  });
});

describe('broadcastWorkerOptions', () => {
  it('names an unknown option with its suggestion', () => {
    expect(() => broadcastWorkerOptions({ concurency: 4 } as never)).toThrow(
      new TypeError('broadcastWorkerOptions: unknown option `concurency` (did you mean `concurrency`?)'),
    );
  });

  it.each([
    ['paid', 'yes', 'a boolean', '"yes"'],
    ['concurrency', 0, 'a whole number >= 1', '0'],
  ])('rejects option %s = %j', (key, value, expected, given) => {
    expect(() => broadcastWorkerOptions({ [key]: value } as never)).toThrow(new TypeError(`broadcastWorkerOptions: option \`${key}\` must be ${expected}, got ${given}`));
  });

  it('accepts every option given, valid', () => {
    expect(broadcastWorkerOptions({ paid: true, concurrency: 8 })).toMatchObject({ concurrency: 8 });
  });
});
