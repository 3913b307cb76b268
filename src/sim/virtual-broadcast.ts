/**
 * A broadcast in virtual time against the simulator's rate model: no HTTP, no real waiting, fully
 * deterministic. Used by the throttling tests and by `bench/` to measure how close a sending
 * strategy gets to the lower bound that Telegram's limits allow, and how many 429s it earns.
 *
 * The rate model counts every limit at the receiver: a request is judged when it arrives, one
 * one-way latency after it was sent, and latencies vary (`jitterMs`, each way, seeded). With
 * `stalls`, the process stalls now and then (see stalls.ts): the strategy's timers and the virtual
 * Telegram's handling both wait for the stall to end, as with a simulator in the same process.
 */
import type { ManualClock } from '../core/clock.js';
import { mulberry32 } from './faults.js';
import { createRateLimitModel, type RateLimitOptions } from './limits.js';
import { createStalledClock, stallsBetween, type StallSchedule } from './stalls.js';

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
  /** Up to this much more one-way latency, uniform in [0, jitterMs), drawn anew each way of each request. Default `0`. */
  jitterMs?: number;
  /** Seed of the jitter (and of the stalls unless they have their own). Default `1`. */
  seed?: number;
  /** Event-loop stalls during the broadcast (at random, seeded). Default: none. */
  stalls?: StallSchedule;
  /** How long the stalls may go on, from the start (virtual ms). Default 30 minutes. */
  stallsUntilMs?: number;
  /**
   * Sends every message (all at once, as a broadcaster would) through the strategy under test. Code
   * that sleeps must sleep on `clock` (the stalls are in it).
   */
  strategy: (send: VirtualSend, messages: BroadcastMessage[], clock: ManualClock) => Promise<unknown>;
}

export interface VirtualBroadcastResult {
  /** Virtual ms from the start until the last message was delivered. */
  makespanMs: number;
  delivered: number;
  /** 429 answers the virtual server gave. */
  floods: number;
  /** The same message delivered twice (must be 0). */
  duplicates: number;
  /** Messages delivered after a message to the same chat that was called later (must be 0). */
  outOfOrder: number;
}

export async function runVirtualBroadcast(options: VirtualBroadcastOptions): Promise<VirtualBroadcastResult> {
  const { messages, latencyMs = 20, jitterMs = 0, seed = 1 } = options;
  const start = options.clock.now();
  const clock = options.stalls
    ? createStalledClock(options.clock, stallsBetween(start, start + (options.stallsUntilMs ?? 30 * 60_000), { seed, ...options.stalls }))
    : options.clock;
  const model = createRateLimitModel(options.limits, clock);
  const random = mulberry32(seed);
  const oneWay = () => latencyMs + (jitterMs > 0 ? random() * jitterMs : 0);
  // The order messages were called in, per chat (texts are unique within a chat).
  const callIndex = new Map<string, number>();
  messages.forEach((m, i) => callIndex.set(`${m.chatId}\u0000${m.text}`, i));
  const latestDelivered = new Map<number, number>();
  const seen = new Set<string>();
  let floods = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let last = start;
  let nextId = 1;

  const travel = async () => {
    const ms = oneWay();
    if (ms > 0 || options.stalls) await clock.sleep(ms);
  };
  const send: VirtualSend = async ({ chat_id, text }) => {
    await travel();
    const decision = model.take(String(chat_id), { group: chat_id < 0, global: true });
    if (!decision.allowed) {
      floods++;
      await travel();
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
    const index = callIndex.get(key) ?? -1;
    if (index < (latestDelivered.get(chat_id) ?? -1)) outOfOrder++;
    else latestDelivered.set(chat_id, index);
    last = clock.now();
    await travel();
    return { message_id: nextId++ };
  };

  await options.clock.run(Promise.resolve(options.strategy(send, messages, clock)), 10_000_000);
  return { makespanMs: last - start, delivered: seen.size, floods, duplicates, outOfOrder };
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
