/**
 * `redisBackend({ client })`: limits, flood gates and chat migrations shared by every process of one
 * bot through Redis. See docs/redis.md.
 */
import type { ChatIdStore } from '../../core/chat-id-store.js';
import { TurnBatch } from '../../core/turn-batch.js';
import { ClosedError } from '../../errors/closed-error.js';
import type { BackendContext, LimitsBackend } from '../backend.js';
import { createRedisChatIdStore, type HashClient } from './chat-id-store.js';
import type { ConnectionState } from './connection.js';
import { closeGate, GateSubscriber, openGates, type SubscriberConnection } from './gates.js';
import { redisKeys, type RedisKeys } from './keys.js';
import { resolveRedisOptions, type RedisBackendOptions } from './options.js';
import { bookSlots, RedisClockOffset, slotOrLate, slotToEpoch, type BookedSlot, type ReserveRequest } from './reserve.js';
import { defineScripts, type ScriptClient } from './scripts.js';

export interface RedisBackend extends LimitsBackend {
  readonly name: 'redis';
  /** Chat migrations shared through Redis (used by `createResilience` unless you pass your own store). */
  readonly chatIdStore: ChatIdStore;
  /** The keys and channel this backend uses (for diagnostics). */
  readonly keys: Readonly<Omit<RedisKeys, 'chat'>>;
}

/** ioredis's TIME: seconds and microseconds, as strings. */
interface TimeClient {
  time(): Promise<Array<string | number>>;
}

type MainClient = ScriptClient & HashClient & ConnectionState & TimeClient;

/** What the subscriber connection overrides of the user's options (it is ours: we choose). */
const SUBSCRIBER_OPTIONS = {
  // A SUBSCRIBE sent while connecting waits for the connection instead of failing after N retries;
  // start() is bounded by the limiter's timeout anyway, and close() ends the wait.
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  autoResubscribe: true,
  lazyConnect: false,
  connectionName: 'telegram-resilience:gates',
};

export function redisBackend(options: RedisBackendOptions): RedisBackend {
  const { client: userClient, keyPrefix, botId, chatIdTimeoutMs } = resolveRedisOptions(options);
  const client = defineScripts(userClient) as MainClient;
  const keys = redisKeys(keyPrefix, botId);
  const subscriber = new GateSubscriber(
    () => userClient.duplicate(SUBSCRIBER_OPTIONS) as unknown as SubscriberConnection,
    keys.gateChannel,
    () => openGates(client, keys),
  );
  const offset = new RedisClockOffset();
  /**
   * Books with the limits `start()` was given (none: nothing to book). Bookings made in one turn go
   * as one script call, with consecutive slots, so their sends can leave together.
   */
  let bookings: TurnBatch<ReserveRequest, BookedSlot | undefined> | undefined;
  let closed = false;
  const closedError = () => new ClosedError('redisBackend: the backend was closed');
  const { chat: _chat, ...keyNames } = keys;

  return {
    name: 'redis',
    keys: Object.freeze(keyNames),
    chatIdStore: createRedisChatIdStore(client, keys.chatIds, chatIdTimeoutMs),
    async start(context: BackendContext) {
      if (closed) throw closedError();
      const limits = context.limits;
      bookings = limits ? new TurnBatch((requests: ReserveRequest[]) => bookSlots(client, keys, limits, requests, offset)) : undefined;
      // Redis's clock against ours, before the first booking: its deadline is told in Redis time.
      const sentAt = Date.now();
      const [seconds, micros] = await client.time();
      offset.learn(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), sentAt, Date.now());
      await subscriber.start(context.onGate);
    },
    async reserve(request: ReserveRequest) {
      if (closed) throw closedError();
      if (!bookings) throw new Error('redisBackend: reserve() needs throttle limits (createResilience({ throttle: true, backend }))');
      return slotToEpoch(slotOrLate(await bookings.add(request)));
    },
    async closeGate(scope: string, openAtEpochMs: number) {
      if (closed) throw closedError();
      await closeGate(client, keys, scope, openAtEpochMs);
    },
    async openGates() {
      if (closed) throw closedError();
      return openGates(client, keys);
    },
    async close() {
      closed = true;
      await subscriber.close();
    },
  };
}
