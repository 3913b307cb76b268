/**
 * `demo --compare`: the same broadcast as most hand-written loops do it: ten loops over the chats at
 * once, each send wrapped in plain retries (p-retry: any error, exponential backoff from 100 ms),
 * no pacing, no journal. It is here to be measured against the simulator's ledger, side by side.
 */
import pRetry from 'p-retry';
import { createBotApi } from '../../botapi/index.js';
import { startSimulator } from '../../sim/index.js';
import { DEMO_TEXT, scriptedFaults, simulatorOptions, type DemoWorld } from './scenario.js';

const LOOPS = 10;

export interface NaiveResult {
  elapsedMs: number;
  /** Recipients whose chat holds the message more than once, and the extra copies. */
  duplicatedChats: number;
  extraCopies: number;
  /** 429 answers the simulator gave. */
  floods: number;
  /** Reachable recipients (not blocked) that never got it. */
  missed: number;
  requests: number;
}

export async function runNaive(world: DemoWorld, seed: number, signal: AbortSignal): Promise<NaiveResult> {
  const sim = await startSimulator(simulatorOptions(world, seed));
  for (const { kind, match } of scriptedFaults(world)) sim.queueFault(kind, match);
  const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, timeoutMs: 1_500 });
  const started = Date.now();
  try {
    const queue = [...world.recipients];
    const loop = async () => {
      for (let chat = queue.shift(); chat !== undefined && !signal.aborted; chat = queue.shift()) {
        const send = () => api.raw('sendMessage', { chat_id: chat, text: DEMO_TEXT }, { signal });
        await pRetry(send, { retries: 4, minTimeout: 100, factor: 2, signal }).catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: LOOPS }, loop));
    const elapsedMs = Date.now() - started;
    const copies = new Map<number, number>();
    for (const entry of sim.ledger()) copies.set(entry.chatId, (copies.get(entry.chatId) ?? 0) + 1);
    const extra = [...copies.values()].filter((n) => n > 1);
    const blocked = new Set(world.blocked);
    return {
      elapsedMs,
      duplicatedChats: extra.length,
      extraCopies: extra.reduce((sum, n) => sum + n - 1, 0),
      floods: sim.requests().filter((r) => r.outcome === '429').length,
      missed: world.recipients.filter((chat) => !blocked.has(chat) && !copies.has(world.migrated[String(chat)] ?? chat)).length,
      requests: sim.requests().length,
    };
  } finally {
    await sim.close();
  }
}
