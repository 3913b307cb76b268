/**
 * Where the backend keeps its state. All keys of one bot share the hash tag `{botId}`, so they sit
 * in one Redis Cluster slot and one script may touch them together.
 */
import type { ChatScope } from '../scope.js';

export interface RedisKeys {
  /** Bot-wide pacing: the next free slot (epoch ms, Redis time) of the contiguous run. */
  freeTail: string;
  /** Bot-wide pacing: slots booked past the run for messages their chat holds back (sorted set). */
  freeLater: string;
  /** The same two for paid broadcasts (`allow_paid_broadcast`), which have their own rate. */
  paidTail: string;
  paidLater: string;
  /** Flood gates: hash scope -> epoch ms (Redis time) it opens. */
  gates: string;
  /** Chat migrations: hash old chat id -> new chat id. */
  chatIds: string;
  /** Pub/sub channel a closed gate is announced on (channels are not keys: the client's keyPrefix does not apply). */
  gateChannel: string;
  /** A key the reservation script is given but never touches (for calls bound to no chat). */
  unused: string;
  /** A chat's pacing key: the next free slot (private) or the list of its last booked slots (group). */
  chat(scope: ChatScope): string;
}

export function redisKeys(keyPrefix: string, botId: string): RedisKeys {
  const base = `${keyPrefix}{${botId}}:`;
  return {
    freeTail: `${base}pace:bot`,
    freeLater: `${base}pace:bot:later`,
    paidTail: `${base}pace:paid`,
    paidLater: `${base}pace:paid:later`,
    gates: `${base}gates`,
    chatIds: `${base}chat-ids`,
    gateChannel: `${base}gate-closed`,
    unused: `${base}none`,
    // A chat's kind follows from its id, but the kinds keep distinct keys (a string vs a list) anyway.
    chat: (scope) => `${base}${scope.kind === 'private' ? 'pace' : 'window'}:${scope.key}`,
  };
}
