/**
 * A chat-id store shared through Redis (a hash old id -> new id), so a group migration learned by
 * one process is known to all. Migrations are permanent facts, so the hash has no expiry; it holds
 * one field per migrated group the bot met.
 *
 * The engine looks up every chat id of every call, and does not bound the lookup: so this store
 * answers from memory whenever it can, asks Redis only for ids that can have migrated (basic groups:
 * negative ids not starting with -100; private chats, supergroups and channels never migrate), and
 * never lets a slow or dead Redis hold a call (a lookup past `timeoutMs` answers from memory).
 */
import { createMemoryChatIdStore, MAX_MIGRATION_CHAIN, type ChatIdStore } from '../../core/chat-id-store.js';
import { assertUp, isDown, withTimeout, type ConnectionState } from './connection.js';

export interface HashClient extends ConnectionState {
  hget(key: string, field: string): Promise<string | null>;
  hset(key: string, field: string, value: string): Promise<number>;
}

/** Migrations this process already knows (learned or looked up): they never change. */
const LOCAL_ENTRIES = 10_000;

function canHaveMigrated(oldChatId: string): boolean {
  return oldChatId.startsWith('-') && !oldChatId.startsWith('-100');
}

export function createRedisChatIdStore(client: HashClient, key: string, timeoutMs: number): ChatIdStore {
  const known = createMemoryChatIdStore(LOCAL_ENTRIES);
  /** Asks Redis where `oldChatId` went; caches the answer. `undefined`: nowhere (or no answer in time). */
  const lookUp = (oldChatId: string): Promise<number | undefined> =>
    withTimeout(client.hget(key, oldChatId), timeoutMs, 'redis chat-id lookup timed out').then(
      (value) => {
        const newChatId = value === null ? NaN : Number(value);
        if (!Number.isSafeInteger(newChatId)) return undefined;
        known.set(oldChatId, newChatId);
        return newChatId;
      },
      () => undefined,
    );
  /**
   * A chat that migrated may have migrated again (A -> B -> C, learned by other processes): the
   * chain is followed in Redis whatever the ids look like (one more lookup per hop, only for chats
   * that migrated; each answer is cached). Cycle-safe and bounded like the engine's walk.
   */
  const followFrom = async (start: string, first: number): Promise<number> => {
    const path = [start, String(first)];
    let last = first;
    while (path.length <= MAX_MIGRATION_CHAIN && !isDown(client)) {
      const at = String(last);
      const next = (known.get(at) as number | undefined) ?? (await lookUp(at));
      if (next === undefined || path.includes(String(next))) break;
      path.push(String(next));
      last = next;
    }
    return last;
  };
  return {
    get(oldChatId) {
      const local = known.get(oldChatId) as number | undefined;
      // A local answer is returned as it is: the engine follows the chain (resolveChatId).
      if (local !== undefined || !canHaveMigrated(oldChatId) || isDown(client)) return local;
      return lookUp(oldChatId).then((newChatId) => (newChatId === undefined ? undefined : followFrom(oldChatId, newChatId)));
    },
    async set(oldChatId, newChatId) {
      known.set(oldChatId, newChatId);
      // A failure here reaches the engine, which reports it and goes on: this process still knows.
      assertUp(client);
      await withTimeout(client.hset(key, oldChatId, String(newChatId)), timeoutMs, 'redis chat-id store timed out');
    },
  };
}
