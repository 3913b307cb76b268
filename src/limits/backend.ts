/**
 * What a shared backend (Redis: `telegram-resilience/redis`) gives the limiter, so that several
 * processes of one bot keep to one set of limits and see each other's flood gates. Times here are
 * Unix epoch milliseconds (`Date.now()`): they cross process boundaries.
 */
import type { ChatIdStore } from '../core/chat-id-store.js';
import type { ChatScope } from './scope.js';
import type { ResolvedThrottle } from './throttle-options.js';

export interface BackendContext {
  /** The limits in force (undefined when only flood gates are shared, throttling off). */
  limits: ResolvedThrottle | undefined;
  /** Deliver a gate closed by any process (this one included is fine). */
  onGate(scope: string, openAtEpochMs: number): void;
}

/** One message's booking (see `LimitsBackend.reserve`). */
export interface ReserveRequest {
  chat: ChatScope | undefined;
  paid: boolean;
  /**
   * Epoch ms (this machine's clock) when the caller stops waiting for the booking (its timeout).
   * A booking that would be made later (the backend stalled with the request in hand) must not be
   * made, so it holds no slot.
   */
  expiresAtEpochMs?: number;
  /**
   * The sender's margin on every 1000 ms window, in ms (learned from its round trips, see
   * round-trips.ts): bot-wide slots are at least `(1000 + marginMs) / rate` apart, so the windows
   * hold where Telegram counts them, at arrival.
   * @default 0
   */
  marginMs?: number;
  /**
   * This message was booked before, at this time (what `reserve()` resolved to), and was not sent
   * then: its wait ended too late for the slot. Its chat sent nothing then, so the backend should
   * not hold the message back for its chat's sake because of that booking (a private chat would
   * otherwise wait a whole second behind its own unsent message).
   */
  unusedSlotAtEpochMs?: number;
}

export interface LimitsBackend {
  /** For events and errors, e.g. `redis`. */
  readonly name: string;
  /** Starts subscriptions. Called once by `createResilience`. */
  start(context: BackendContext): Promise<void>;
  /**
   * Books the next slot for one message across all processes (the bot-wide limit and the chat's own)
   * and resolves to the epoch ms at which it may be sent. A booked slot is never given to anybody else.
   */
  reserve(request: ReserveRequest): Promise<number>;
  /** Closes `scope` for every process until `openAtEpochMs`; the gate must expire by itself. */
  closeGate(scope: string, openAtEpochMs: number): Promise<void>;
  /** Gates currently closed, for a process that joins late: scope -> epoch ms. */
  openGates(): Promise<Record<string, number>>;
  /** A chat-id store shared by all processes, used unless the user passes their own. */
  readonly chatIdStore?: ChatIdStore;
  /** Releases subscriptions and timers (not the user's client). */
  close(): Promise<void>;
}
