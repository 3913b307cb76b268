/**
 * A broadcast in virtual time against the simulator's rate model: no HTTP, no real waiting, fully
 * deterministic. Used by the throttling tests and by `bench/` to measure how close a sending
 * strategy gets to the lower bound that Telegram's limits allow, and how many 429s it earns.
 */
import type { ManualClock } from '../core/clock.js';
import { createRateLimitModel, type RateLimitOptions } from './limits.js';

export interface BroadcastMessage {
  chatId: number;
  text: string;
}

/** What a strategy is given: one "Telegram" call that resolves like `sendMessage` or throws a Bot API 429 body. */
export type VirtualSend = (params: { chat_id: number; text: string }) => Promise<{ message_id: number }>;

export interface VirtualBroadcastOptions {
  clock: ManualClock;
  messages: BroadcastMessage[];
  /** Telegram's limits as the virtual server enforces them. Default: the simulator's defaults. */
  limits?: Partial<RateLimitOptions>;
  /** One-way network latency added to every request, in ms. Default `20`. */
  latencyMs?: number;
  /** Sends every message (all at once, as a broadcaster would) through the strategy under test. */
  strategy: (send: VirtualSend, messages: BroadcastMessage[]) => Promise<unknown>;
}

export interface VirtualBroadcastResult {
  /** Virtual ms from the start until the last message was delivered. */
  makespanMs: number;
  delivered: number;
  /** 429 answers the virtual server gave. */
  floods: number;
  /** The same message delivered twice (must be 0). */
  duplicates: number;
}

export async function runVirtualBroadcast(options: VirtualBroadcastOptions): Promise<VirtualBroadcastResult> {
  const { clock, messages, latencyMs = 20 } = options;
  const model = createRateLimitModel(options.limits, clock);
  const start = clock.now();
  const seen = new Set<string>();
  let floods = 0;
  let duplicates = 0;
  let last = start;
  let nextId = 1;

  const send: VirtualSend = async ({ chat_id, text }) => {
    if (latencyMs > 0) await clock.sleep(latencyMs);
    const decision = model.take(String(chat_id), { group: chat_id < 0, global: true });
    if (!decision.allowed) {
      floods++;
      if (latencyMs > 0) await clock.sleep(latencyMs);
      throw {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${decision.retryAfter}`,
        parameters: { retry_after: decision.retryAfter },
      };
    }
    const key = `${chat_id}\u0000${text}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
    last = clock.now();
    if (latencyMs > 0) await clock.sleep(latencyMs);
    return { message_id: nextId++ };
  };

  await clock.run(Promise.resolve(options.strategy(send, messages)), 10_000_000);
  return { makespanMs: last - start, delivered: seen.size, floods, duplicates };
}

/**
 * The broadcast from the throttling work's brief: 3,000 private messages to distinct chats, 60 to
 * one group and 20 to one private chat. Its lower bound is 120 s: the group's 60 messages need three
 * 20-message windows of 60 s.
 */
export function referenceBroadcast(): { messages: BroadcastMessage[]; lowerBoundMs: number } {
  const messages: BroadcastMessage[] = [];
  for (let i = 0; i < 3_000; i++) messages.push({ chatId: 1_000_000 + i, text: `news #${i}` });
  for (let i = 0; i < 60; i++) messages.push({ chatId: -777, text: `group #${i}` });
  for (let i = 0; i < 20; i++) messages.push({ chatId: 4242, text: `busy #${i}` });
  return { messages, lowerBoundMs: 120_000 };
}
