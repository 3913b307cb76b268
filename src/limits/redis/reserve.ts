/**
 * Booking messages' slots: one round trip and one atomic script for a batch of them (see RESERVE_LUA).
 */
import type { ReserveRequest } from '../backend.js';
import { botRateOf, type ResolvedThrottle } from '../throttle-options.js';
import { assertUp, type ConnectionState } from './connection.js';
import type { RedisKeys } from './keys.js';
import type { ScriptClient } from './scripts.js';

/** Groups: at most `groupPerMinute` messages in any window this long. */
export const GROUP_WINDOW_MS = 60_000;

export type { ReserveRequest };

/**
 * How far Redis's clock is ahead of this machine's, learned from every answer (Redis's `now`
 * against the midpoint of the round trip). Needed to tell Redis a deadline in its own time.
 */
export class RedisClockOffset {
  offsetMs: number | undefined = undefined;

  learn(redisNowMs: number, sentAt: number, receivedAt: number): void {
    if (Number.isFinite(redisNowMs)) this.offsetMs = redisNowMs - (sentAt + receivedAt) / 2;
  }

  /** `epochMs` of this machine in Redis time, or undefined before anything was learned. */
  toRedis(epochMs: number | undefined): number | undefined {
    return epochMs === undefined || this.offsetMs === undefined ? undefined : Math.floor(epochMs + this.offsetMs);
  }
}

/** A booking refused by Redis because it arrived past its deadline (nobody was waiting any more). */
export class LateBookingError extends Error {
  override name = 'LateBookingError';
}

/** A booked slot in Redis time, with Redis's time when it was booked. */
export interface BookedSlot {
  slotMs: number;
  redisNowMs: number;
}

/** The script's arguments for one message: its chat's key, and its eight ARGV (see RESERVE_LUA). */
function bookingArgs(keys: RedisKeys, limits: ResolvedThrottle, request: ReserveRequest, offset: RedisClockOffset): { key: string; argv: string[] } {
  const { chat, paid } = request;
  const deadline = offset.toRedis(request.expiresAtEpochMs);
  const unused = offset.toRedis(request.unusedSlotAtEpochMs);
  // Telegram counts arrivals: a window kept by slot times holds there when it is longer by the
  // spread of arrivals (the margin). At least whole milliseconds, rounded up: a hair wider never trips.
  const perSecond = botRateOf(limits, paid);
  const interval = Math.max(Math.ceil(1000 / perSecond), (1000 + Math.max(0, request.marginMs ?? 0)) / perSecond);
  const chatLimit = chat?.kind === 'private' ? Math.ceil(1000 / limits.chatPerSecond) : chat ? Math.floor(limits.groupPerMinute) : 0;
  return {
    key: chat ? keys.chat(chat) : keys.unused,
    argv: [
      paid ? '1' : '',
      interval.toFixed(3),
      chat?.kind ?? '',
      String(chatLimit),
      String(GROUP_WINDOW_MS),
      chat?.key ?? '',
      deadline === undefined ? '' : String(deadline),
      unused === undefined ? '' : String(unused),
    ],
  };
}

/**
 * Books slots for `requests`, in their order, in one round trip; returns each in Redis time, or
 * `undefined` for one Redis refused because it arrived past its deadline (nothing was booked).
 */
export async function bookSlots(
  client: ScriptClient & ConnectionState,
  keys: RedisKeys,
  limits: ResolvedThrottle,
  requests: readonly ReserveRequest[],
  offset: RedisClockOffset = new RedisClockOffset(),
): Promise<Array<BookedSlot | undefined>> {
  assertUp(client);
  const chatKeys: string[] = [];
  const argv: string[] = [];
  for (const request of requests) {
    const args = bookingArgs(keys, limits, request, offset);
    chatKeys.push(args.key);
    argv.push(...args.argv);
  }
  const sentAt = Date.now();
  const answer = await client.telegramResilienceReserveV4(
    String(5 + chatKeys.length),
    keys.freeTail,
    keys.freeLater,
    keys.paidTail,
    keys.paidLater,
    keys.gates,
    ...chatKeys,
    ...argv,
  );
  const redisNowMs = Number(answer[0]);
  offset.learn(redisNowMs, sentAt, Date.now());
  return requests.map((_, i) => (answer[i + 1] === 'late' ? undefined : { slotMs: Number(answer[i + 1]), redisNowMs }));
}

/** Books one slot; returns it in Redis time (tests look at it directly). */
export async function bookSlot(
  client: ScriptClient & ConnectionState,
  keys: RedisKeys,
  limits: ResolvedThrottle,
  request: ReserveRequest,
  offset?: RedisClockOffset,
): Promise<BookedSlot> {
  const [slot] = await bookSlots(client, keys, limits, [request], offset);
  return slotOrLate(slot);
}

/** A booking's answer: its slot, or a `LateBookingError` when Redis refused it past its deadline. */
export function slotOrLate(slot: BookedSlot | undefined): BookedSlot {
  if (!slot) throw new LateBookingError('redis booking arrived after its deadline: nothing was booked');
  return slot;
}

/**
 * A booked slot as epoch ms of this machine's clock. The wait Redis computed is added to
 * `Date.now()` taken after the answer arrived, so the message never goes before its slot, whatever
 * the clock difference between this machine and Redis.
 */
export function slotToEpoch({ slotMs, redisNowMs }: BookedSlot): number {
  return Date.now() + Math.max(0, slotMs - redisNowMs);
}
