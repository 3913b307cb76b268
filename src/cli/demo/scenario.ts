/**
 * The demo's world: a few hundred chats (private chats, groups, some of which became supergroups,
 * users who blocked the bot) and a simulated Telegram that misbehaves: a bot-wide limit a little
 * under Telegram's (so a client paced to Telegram's published 30/s runs into 429s), seeded faults
 * (500s, nginx 502 pages, resets before and after delivery, truncated answers) and a few scripted
 * ones every run shows.
 */
import type { FaultKind, FaultMatch, SimulatorOptions } from '../../sim/index.js';

/** The bot-wide limit of the simulated Telegram, messages per second (Telegram: about 30). */
export const SIM_GLOBAL_PER_SECOND = 25;
/** Share of sendMessage requests that get a random fault. */
export const FAULT_RATE = 0.03;
const FAULT_KINDS: FaultKind[] = ['500', '502_html', 'reset_before', 'reset_after', 'bad_json'];
/** The client gives up on a request after this long. */
export const CLIENT_TIMEOUT_MS = 1_500;

export interface DemoWorld {
  /** Every recipient, in the order of the chats file. */
  recipients: number[];
  /** Users who blocked the bot. */
  blocked: number[];
  /** Old group id -> the supergroup it became. */
  migrated: Record<string, number>;
  groups: number[];
}

/** `count` recipients: every 10th a group (every 3rd of those migrated), every 37th a user who blocked the bot. */
export function demoWorld(count: number): DemoWorld {
  const world: DemoWorld = { recipients: [], blocked: [], migrated: {}, groups: [] };
  for (let i = 1; i <= count; i++) {
    if (i % 10 === 0) {
      const group = -4000 - i;
      world.groups.push(group);
      if (world.groups.length % 3 === 1) world.migrated[String(group)] = -1_001_000_000_000 - i;
      world.recipients.push(group);
      continue;
    }
    const user = 100_000 + i;
    if (i % 37 === 0) world.blocked.push(user);
    world.recipients.push(user);
  }
  return world;
}

export function simulatorOptions(world: DemoWorld, seed: number): SimulatorOptions {
  return {
    port: 0,
    limits: { globalPerSecond: SIM_GLOBAL_PER_SECOND, chatPerSecond: 1, chatBurst: 1, groupPerMinute: 20 },
    migratedGroups: world.migrated,
    blockedUsers: world.blocked,
    faults: { seed, rate: FAULT_RATE, kinds: FAULT_KINDS, methods: ['sendMessage'] },
  };
}

/**
 * Faults every run shows, whatever the seed: a 502 page, a reset before and one after delivery,
 * and a flood wait of two minutes, longer than the engine sleeps (floodSleepThreshold): that
 * recipient fails, surely not delivered, and a rerun would retry it.
 */
export function scriptedFaults(world: DemoWorld): { kind: FaultKind; match: FaultMatch }[] {
  // Early chats: the first second's sends fit the simulator's limit, so each fault meets a request
  // that would have been delivered (a reset after a 429 would show nothing).
  const [a, b, c, d] = world.recipients.filter((id) => id > 0 && !world.blocked.includes(id)).slice(1, 5);
  return [
    { kind: '502_html', match: { method: 'sendMessage', chatId: a! } },
    { kind: 'reset_before', match: { method: 'sendMessage', chatId: b! } },
    { kind: 'reset_after', match: { method: 'sendMessage', chatId: c! } },
    { kind: '429', match: { method: 'sendMessage', chatId: d!, retryAfter: 120 } },
  ];
}

export const DEMO_TEXT = 'Hello from the telegram-resilience demo: one message, every chat, once.';
