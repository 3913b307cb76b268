/**
 * ONE table of scenarios that every HTTP Bot API adapter (grammY, telegraf, node-telegram-bot-api
 * 0.x and 2.x) must pass the same way: each SDK talks over real HTTP to the simulator on 127.0.0.1,
 * through its adapter. An SDK that behaves differently in a row fails that row.
 *
 * Time: the engine and the simulator share a manual clock, so flood waits and backoffs cost no real
 * time. `drive` advances it whenever the engine sleeps, while the HTTP round trips run for real.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import type { ResilienceEvents } from '../../src/engine/types.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { safeJson } from '../botapi/token-leak.js';
import { drive, rejectionOf } from '../helpers/drive.js';

export { drive, rejectionOf };

export { safeJson };

type ErrorClass = abstract new (...args: never[]) => Error;

/** One SDK with its adapter installed, seen through the calls the table needs. */
export interface SdkDriver {
  sendMessage(chatId: number, text: string): Promise<unknown>;
  getChat(chatId: number): Promise<unknown>;
  /** The SDK's own error classes for what the table provokes. */
  errors: {
    /** Telegram answered `{ ok: false }` (GrammyError, telegraf TelegramError, ntba ETELEGRAM). */
    api: ErrorClass;
    /** A 502 nginx HTML page on sendMessage. */
    badGateway: ErrorClass;
    /** The connection was reset with no answer. */
    reset: ErrorClass;
  };
  /** Telegram's `error_code` as the SDK exposes it. */
  errorCode(error: unknown): number | undefined;
  /** `parameters.retry_after` as the SDK exposes it. */
  retryAfter(error: unknown): number | undefined;
  /** Removes the adapter. */
  undo(): void;
}

export interface ScenarioContext {
  sim: Simulator;
  resilience: Resilience;
  clock: ManualClock;
}

export type DriverFactory = (context: ScenarioContext) => SdkDriver | Promise<SdkDriver>;

export const START = 1_700_000_000_000;
export const MIGRATED_GROUP = -55;
export const SUPERGROUP = -10055;
export const BLOCKED_USER = 99;
export const USER = 42;

/**
 * What a user can print of an error: String(), message, stack, JSON, and the same for the errors
 * it wraps (`cause`, grammY's `error`), a few levels down.
 */
export function userVisibleText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { message?: unknown; stack?: unknown; cause?: unknown; error?: unknown };
    parts.push(String(current), String(e.message), String(e.stack), safeJson(current));
    current = e.cause ?? e.error;
  }
  if (parts.length === 0) parts.push(String(error));
  return parts.join('\n');
}

type EventLog = { name: keyof ResilienceEvents; event: unknown }[];

const EVENT_NAMES: (keyof ResilienceEvents)[] = ['retry', 'floodWait', 'dcMigrate', 'chatMigrate', 'giveUp', 'backend'];

/** Registers the whole table for one SDK. */
export function runBotApiScenarios(label: string, makeDriver: DriverFactory): void {
  describe(`${label}: Bot API scenarios`, () => {
    let sim: Simulator;
    let clock: ManualClock;
    let resilience: Resilience;
    let sdk: SdkDriver;
    let events: EventLog;

    beforeEach(async () => {
      clock = createManualClock(START);
      sim = await startSimulator({
        clock,
        limits: false,
        migratedGroups: { [String(MIGRATED_GROUP)]: SUPERGROUP },
        blockedUsers: [BLOCKED_USER],
      });
      resilience = createResilience({ clock, random: () => 0.5 });
      events = [];
      for (const name of EVENT_NAMES) resilience.on(name, (event) => events.push({ name, event }));
      sdk = await makeDriver({ sim, resilience, clock });
    });

    afterEach(async () => {
      sdk.undo();
      await resilience.close();
      await sim.close();
    });

    const sent = (method = 'sendMessage') => sim.requests({ method });
    const named = (name: keyof ResilienceEvents) => events.filter((e) => e.name === name).map((e) => e.event as Record<string, unknown>);

    it('1. a 429 then success: sleeps retry_after on the clock, delivers exactly once', async () => {
      sim.queueFault('429', { method: 'sendMessage', retryAfter: 7 });
      const message = (await drive(clock, sdk.sendMessage(USER, 'after flood'))) as { chat: { id: number } };
      expect(message.chat.id).toBe(USER);
      expect(sim.ledger().map((e) => [e.chatId, e.text])).toEqual([[USER, 'after flood']]);
      expect(sent().map((r) => r.outcome)).toEqual(['429', 'ok']);
      expect(named('floodWait')).toEqual([expect.objectContaining({ method: 'sendMessage', retryAfterMs: 7000 })]);
      expect(clock.now() - START).toBeGreaterThanOrEqual(7000);
      // The second attempt was made only after the wait.
      expect(sent()[1]!.at - START).toBeGreaterThanOrEqual(7000);
    });

    it('2. a chat migration: delivered to the supergroup, and the next call goes straight there', async () => {
      const first = (await drive(clock, sdk.sendMessage(MIGRATED_GROUP, 'one'))) as { chat: { id: number } };
      expect(first.chat.id).toBe(SUPERGROUP);
      const second = (await drive(clock, sdk.sendMessage(MIGRATED_GROUP, 'two'))) as { chat: { id: number } };
      expect(second.chat.id).toBe(SUPERGROUP);
      expect(sim.ledger().map((e) => [e.chatId, e.text])).toEqual([
        [SUPERGROUP, 'one'],
        [SUPERGROUP, 'two'],
      ]);
      // One 400 in all: the second call never tried the old id.
      expect(sent().map((r) => [r.chatId, r.status])).toEqual([
        [MIGRATED_GROUP, 400],
        [SUPERGROUP, 200],
        [SUPERGROUP, 200],
      ]);
      expect(named('chatMigrate')).toEqual([expect.objectContaining({ fromChatId: MIGRATED_GROUP, toChatId: SUPERGROUP })]);
    });

    it('3a. a 502 HTML page on an idempotent call (getChat) is retried and succeeds', async () => {
      sim.queueFault('502_html', { method: 'getChat' });
      const chat = (await drive(clock, sdk.getChat(USER))) as { id: number };
      expect(chat.id).toBe(USER);
      expect(sent('getChat').map((r) => r.status)).toEqual([502, 200]);
      expect(named('retry')).toEqual([expect.objectContaining({ method: 'getChat', action: 'backoff' })]);
    });

    it('3b. a 502 HTML page on sendMessage is NOT resent and rejects with the SDK error', async () => {
      sim.queueFault('502_html', { method: 'sendMessage' });
      const error = await rejectionOf(clock, sdk.sendMessage(USER, 'maybe delivered'));
      expect(error).toBeInstanceOf(sdk.errors.badGateway);
      expect(sent()).toHaveLength(1);
      expect(sim.ledger().length).toBeLessThanOrEqual(1);
      expect(named('giveUp')).toEqual([expect.objectContaining({ method: 'sendMessage', error })]);
    });

    it('4a. a reset on sendMessage never delivers twice (reset before and after processing)', async () => {
      sim.queueFault('reset_before', { method: 'sendMessage' });
      const before = await drive(clock, sdk.sendMessage(USER, 'reset before')).then(
        () => undefined,
        (error: unknown) => error,
      );
      sim.queueFault('reset_after', { method: 'sendMessage' });
      const after = await drive(clock, sdk.sendMessage(USER, 'reset after')).then(
        () => undefined,
        (error: unknown) => error,
      );
      // A client cannot tell the two apart: whatever it decides, no text is delivered twice...
      for (const text of ['reset before', 'reset after']) expect(sim.ledger().filter((e) => e.text === text).length).toBeLessThanOrEqual(1);
      // ...and the one that WAS processed (reset after) must not have been sent again.
      expect(sim.ledger().filter((e) => e.text === 'reset after')).toHaveLength(1);
      expect(sent().filter((r) => r.fault === 'reset_after' || r.delivered)).toHaveLength(1);
      // A call that gave up rejects with the SDK's own transport error.
      for (const error of [before, after]) if (error !== undefined) expect(error).toBeInstanceOf(sdk.errors.reset);
    });

    it('4b. a reset on an idempotent call (getChat) is retried and succeeds', async () => {
      sim.queueFault('reset_before', { method: 'getChat' });
      const chat = (await drive(clock, sdk.getChat(USER))) as { id: number };
      expect(chat.id).toBe(USER);
      expect(sent('getChat').map((r) => r.outcome)).toEqual(['reset_before', 'ok']);
    });

    it('5. a blocked user (403): one request, no retry, the SDK error with error_code 403', async () => {
      const error = await rejectionOf(clock, sdk.sendMessage(BLOCKED_USER, 'hello?'));
      expect(error).toBeInstanceOf(sdk.errors.api);
      expect(sdk.errorCode(error)).toBe(403);
      expect(sent()).toHaveLength(1);
      expect(named('retry')).toEqual([]);
      expect(clock.now()).toBe(START);
    });

    it('6. the bot token appears in no error the user sees and in no event', async () => {
      const errors: unknown[] = [];
      const fail = async (promise: Promise<unknown>) => errors.push(await rejectionOf(clock, promise));
      await fail(sdk.sendMessage(BLOCKED_USER, 'x'));
      for (const fault of ['502_html', 'reset_before', 'reset_after', 'bad_json'] as const) {
        sim.queueFault(fault, { method: 'sendMessage' });
        await fail(sdk.sendMessage(USER, `fault ${fault}`));
      }
      sim.queueFault('429', { method: 'sendMessage', retryAfter: 3600 });
      await fail(sdk.sendMessage(USER, 'flood'));
      // Retried calls emit retry events (with their failures) too.
      sim.queueFault('reset_before', { method: 'getChat' });
      sim.queueFault('bad_json', { method: 'getChat' });
      await drive(clock, sdk.getChat(USER));

      expect(errors).toHaveLength(6);
      expect(events.length).toBeGreaterThanOrEqual(errors.length + 2);
      const secret = sim.token.slice(sim.token.indexOf(':') + 1);
      const texts = [...errors.map(userVisibleText), ...events.map((e) => safeJson(e))];
      for (const text of texts) {
        expect(text).not.toContain(sim.token);
        expect(text).not.toContain(encodeURIComponent(sim.token));
        expect(text).not.toContain(secret);
      }
    });

    it('7. a flood wait over the threshold (3600 s) fails at once with the SDK error carrying the wait', async () => {
      sim.queueFault('429', { method: 'sendMessage', retryAfter: 3600 });
      const error = await rejectionOf(clock, sdk.sendMessage(USER, 'too long'));
      expect(error).toBeInstanceOf(sdk.errors.api);
      expect(sdk.errorCode(error)).toBe(429);
      expect(sdk.retryAfter(error)).toBe(3600);
      expect(sent()).toHaveLength(1);
      expect(clock.now()).toBe(START);
      expect(named('floodWait')).toEqual([]);
      expect(named('giveUp')).toEqual([expect.objectContaining({ method: 'sendMessage' })]);
    });
  });
}
