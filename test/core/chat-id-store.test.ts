/**
 * Chained migrations (A -> B, then B -> C): later calls with A go straight to C, with the in-memory
 * store and with any store the user brings (sync or async); a cycle or a failing store never hangs.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryChatIdStore, MAX_MIGRATION_CHAIN, resolveChatId, type ChatIdStore } from '../../src/core/chat-id-store.js';
import type { Attempt } from '../../src/core/call.js';
import { createResilience } from '../../src/engine/resilience.js';
import { chatMigrated } from '../helpers/failures.js';

const A = -111;
const B = -222;
const C = -1003333;

/** A store over a plain map, answering synchronously or through a promise. */
function mapStore(entries: Record<string, number>, async: boolean): ChatIdStore & { lookups: string[] } {
  const map = new Map(Object.entries(entries));
  const lookups: string[] = [];
  return {
    lookups,
    get(old) {
      lookups.push(old);
      return async ? Promise.resolve(map.get(old)) : map.get(old);
    },
    set(old, id) {
      map.set(old, id);
    },
  };
}

describe('resolveChatId', () => {
  it.each([false, true])('follows A -> B -> C to C (async store: %s)', async (async) => {
    const store = mapStore({ [A]: B, [B]: C }, async);
    expect(await resolveChatId(store, String(A), () => {})).toBe(C);
    expect(await resolveChatId(store, String(B), () => {})).toBe(C);
    expect(await resolveChatId(store, String(C), () => {})).toBeUndefined();
  });

  it('answers synchronously from a synchronous store', () => {
    expect(resolveChatId(mapStore({ [A]: B, [B]: C }, false), String(A), () => {})).toBe(C);
  });

  it.each([false, true])('stops at a cycle: A -> B -> A gives B, A -> A nothing (async store: %s)', async (async) => {
    expect(await resolveChatId(mapStore({ [A]: B, [B]: A }, async), String(A), () => {})).toBe(B);
    expect(await resolveChatId(mapStore({ [A]: A }, async), String(A), () => {})).toBeUndefined();
  });

  it('follows at most MAX_MIGRATION_CHAIN hops', () => {
    const entries: Record<string, number> = {};
    for (let i = 1; i <= 50; i++) entries[String(-i)] = -(i + 1);
    const store = mapStore(entries, false);
    expect(resolveChatId(store, '-1', () => {})).toBe(-(1 + MAX_MIGRATION_CHAIN));
  });

  it('a failing lookup keeps the last id found and is reported', async () => {
    const reported: unknown[] = [];
    const failing: ChatIdStore = {
      get: (old) => {
        if (old === String(B)) throw new Error('store down');
        if (old === String(C)) return Promise.reject(new Error('store down too'));
        return old === String(A) ? B : undefined;
      },
      set: () => {},
    };
    expect(resolveChatId(failing, String(A), (e) => reported.push(e))).toBe(B);
    expect(await resolveChatId({ get: (old) => (old === String(A) ? C : undefined), set: () => {} }, String(A), () => {})).toBe(C);
    expect(await resolveChatId({ ...failing, get: (old) => (old === String(A) ? Promise.resolve(C) : failing.get(old)) }, String(A), (e) => reported.push(e))).toBe(C);
    expect(reported.map((e) => (e as Error).message)).toEqual(['store down', 'store down too']);
  });
});

describe('engine: chained migrations', () => {
  /** A fn for a group that migrated A -> B, then B -> C. Records the chat id of every attempt. */
  function chain() {
    const sent: unknown[] = [];
    const fn = (attempt: Attempt) => {
      const chatId = attempt.params!.chat_id;
      sent.push(chatId);
      if (chatId === A) throw chatMigrated(B);
      if (chatId === B) throw chatMigrated(C);
      return 'ok';
    };
    return { fn, sent };
  }

  it.each([
    ['the in-memory store', () => undefined],
    ['a synchronous store of the user', () => mapStore({}, false)],
    ['an asynchronous store of the user', () => mapStore({}, true)],
  ])('with %s, later calls with A go straight to C', async (_, makeStore) => {
    const chatIdStore = makeStore();
    const resilience = createResilience(chatIdStore ? { chatIdStore } : {});
    const first = chain();
    await expect(resilience.call(first.fn, { method: 'sendMessage', params: { chat_id: A, text: 'hi' } })).resolves.toBe('ok');
    expect(first.sent).toEqual([A, B, C]);
    const later = chain();
    await expect(resilience.call(later.fn, { method: 'sendMessage', params: { chat_id: A, text: 'again' } })).resolves.toBe('ok');
    expect(later.sent).toEqual([C]);
    await resilience.close();
  });

  it('a cycle in the store does not hang a call', async () => {
    const resilience = createResilience({ chatIdStore: mapStore({ [A]: B, [B]: A }, false) });
    const sent: unknown[] = [];
    await resilience.call((attempt) => sent.push(attempt.params!.chat_id), { method: 'sendMessage', params: { chat_id: A } });
    expect(sent).toEqual([B]);
    await resilience.close();
  });

  it('the bounded in-memory store still answers in one hop for an id that migrated once', () => {
    const store = createMemoryChatIdStore();
    store.set(String(A), B);
    expect(resolveChatId(store, String(A), () => {})).toBe(B);
  });
});
