/**
 * Remembers which group became which supergroup, so later calls with the old id go straight to
 * the new one instead of failing once more. Keys are the old id as a string (`"-12345"`).
 * Implementations may be sync or async (a Redis-backed store shares the mapping across processes).
 */
export interface ChatIdStore {
  get(oldChatId: string): number | undefined | Promise<number | undefined>;
  set(oldChatId: string, newChatId: number): void | Promise<void>;
}

/** An in-memory store, bounded: past `maxEntries` the oldest mapping is forgotten first. */
export function createMemoryChatIdStore(maxEntries = 100_000): ChatIdStore & { size(): number } {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError(`createMemoryChatIdStore: maxEntries must be a positive integer, got ${String(maxEntries)}`);
  }
  const map = new Map<string, number>();
  return {
    get: (oldChatId) => map.get(oldChatId),
    set(oldChatId, newChatId) {
      map.delete(oldChatId);
      map.set(oldChatId, newChatId);
      if (map.size > maxEntries) {
        const oldest = map.keys().next().value;
        if (oldest !== undefined) map.delete(oldest);
      }
    },
    size: () => map.size,
  };
}
