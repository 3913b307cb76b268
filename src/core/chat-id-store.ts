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

/** The longest chain of migrations followed (A -> B -> C ...); a cycle ends the walk sooner. */
export const MAX_MIGRATION_CHAIN = 8;

type Lookup = number | undefined | Promise<number | undefined>;

/**
 * Where the chat `oldChatId` lives now: follows the store's chain (A -> B and B -> C: C), so a call
 * with A goes straight to C. Stops at a cycle (A -> B -> A: B), after `MAX_MIGRATION_CHAIN` hops,
 * and at a lookup that fails (reported to `onError`; the last id found stands). `undefined` when the
 * chat never migrated. Synchronous while the store answers synchronously (the in-memory one does).
 */
export function resolveChatId(store: ChatIdStore, oldChatId: string, onError: (error: unknown) => void): Lookup {
  return follow(store, oldChatId, undefined, undefined, onError);
}

/**
 * One hop after another from `key`. `path` holds the ids met so far (the start first); it is made
 * only once a first migration is found, so the common lookup (a chat that never migrated) allocates nothing.
 */
function follow(store: ChatIdStore, key: string, found: number | undefined, path: string[] | undefined, onError: (error: unknown) => void): Lookup {
  for (;;) {
    let next: Lookup;
    try {
      next = store.get(key);
    } catch (error) {
      onError(error);
      return found;
    }
    if (typeof (next as Promise<unknown> | undefined)?.then === 'function') {
      const start = key;
      return Promise.resolve(next).then(
        (id) => {
          const trail = path ?? [start];
          return id === undefined || !hop(trail, id) ? found : follow(store, String(id), id, trail, onError);
        },
        (error: unknown) => {
          onError(error);
          return found;
        },
      );
    }
    const id = next as number | undefined;
    if (id === undefined) return found;
    path ??= [key];
    if (!hop(path, id)) return found;
    key = String(id);
    found = id;
  }
}

/** Adds `id` to `path`; false when it closes a cycle or the chain is too long to follow further. */
function hop(path: string[], id: number): boolean {
  const key = String(id);
  if (path.length > MAX_MIGRATION_CHAIN || path.includes(key)) return false;
  path.push(key);
  return true;
}
