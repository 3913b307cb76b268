/**
 * The demo's world: which chats the broadcast goes to, and how the simulated Telegram misbehaves.
 * Its limits are stricter than Telegram's (fewer messages per second for the bot, no per-chat
 * burst), so a client paced to Telegram's published limits still runs into flood waits, and a
 * seeded share of requests fails (500s, nginx 502 pages, resets, truncated answers, hangs).
 */
import type { FaultKind, FaultMatch, SimulatorOptions } from '../../sim/index.js';

export interface DemoChat {
  id: number;
  /** How the log names it, e.g. `user 1001`, `blocked user 1666`. */
  label: string;
}

export const MIGRATED_GROUP = -4001;
export const SUPERGROUP = -1001234567890;
export const BLOCKED_USER = 1666;
export const GROUP = -4002;

/** Round-robin order of the broadcast: private chats, a group, the group that migrated, the blocked user. */
export const DEMO_CHATS: readonly DemoChat[] = Object.freeze([
  { id: 1001, label: 'user 1001' },
  { id: MIGRATED_GROUP, label: `group ${MIGRATED_GROUP} (migrated)` },
  { id: 1002, label: 'user 1002' },
  { id: 1003, label: 'user 1003' },
  { id: BLOCKED_USER, label: `blocked user ${BLOCKED_USER}` },
  { id: 1004, label: 'user 1004' },
  { id: GROUP, label: `group ${GROUP}` },
  { id: 1005, label: 'user 1005' },
  { id: 1006, label: 'user 1006' },
]);

/** The bot-wide limit of the simulated Telegram, messages per second (Telegram: 30). */
export const SIM_GLOBAL_PER_SECOND = 6;
/** Share of requests that get a random fault. */
export const FAULT_RATE = 0.12;
// No random 429s: the stricter limits make real ones. A fake 429 would also teach the client's
// pacing a spacing the chat does not really need, and slow the demo down for nothing.
const FAULT_KINDS: FaultKind[] = ['500', '502_html', 'reset_before', 'reset_after', 'bad_json', 'hang'];

/** The client gives up on a request after this long (a `hang` fault holds it longer). */
export const CLIENT_TIMEOUT_MS = 1_500;
/** The demo stops waiting after this long (longer for big runs); anything unfinished then counts as lost. */
export const DEMO_DEADLINE_MS = 25_000;
export const deadlineFor = (messages: number) => Math.max(DEMO_DEADLINE_MS, messages * 700);

export function simulatorOptions(seed: number): SimulatorOptions {
  return {
    port: 0,
    limits: { globalPerSecond: SIM_GLOBAL_PER_SECOND, chatPerSecond: 1, chatBurst: 1, groupPerMinute: 20 },
    migratedGroups: { [String(MIGRATED_GROUP)]: SUPERGROUP },
    blockedUsers: [BLOCKED_USER],
    faults: { seed, rate: FAULT_RATE, kinds: FAULT_KINDS, methods: ['sendMessage', 'getChat'] },
    hangMs: CLIENT_TIMEOUT_MS + 500,
  };
}

/**
 * Faults every run shows, whatever the seed: a 500 and a dropped connection on lookups (retried:
 * getChat is idempotent), and a connection dropped after Telegram delivered a message (not resent:
 * the client cannot tell it was delivered, and a second copy would be a duplicate).
 */
export const SCRIPTED_FAULTS: readonly { kind: FaultKind; match: FaultMatch }[] = [
  { kind: '500', match: { method: 'getChat', chatId: 1002 } },
  { kind: 'reset_before', match: { method: 'getChat', chatId: 1003 } },
  { kind: 'reset_after', match: { method: 'sendMessage', chatId: 1004 } },
];

/** Message `index` (1-based) of `total`: its chat and its (unique) text. */
export function messageFor(index: number, total: number): { chat: DemoChat; text: string } {
  const chat = DEMO_CHATS[(index - 1) % DEMO_CHATS.length]!;
  return { chat, text: `#${index}/${total}: hello from the telegram-resilience demo` };
}
