import type { Failure } from '../errors/failure.js';
import type { ChatIdStore } from '../core/chat-id-store.js';
import type { Clock } from '../core/clock.js';
import type { EventHub } from '../core/events.js';
import type { Attempt } from '../core/call.js';
import type { ResilienceEvents } from './types.js';
import type { Limiter } from '../limits/limiter.js';
import type { PaceTicket } from '../limits/job-queue.js';

/**
 * What a resilience and every policy derived from it with `.with()` share: listeners, the chat-id
 * store, the home DC, and (with throttling) the limiters and flood gates.
 */
export interface EngineState {
  readonly clock: Clock;
  readonly random: () => number;
  readonly events: EventHub<ResilienceEvents>;
  readonly chatIdStore: ChatIdStore;
  /** False while the store surely holds no migration (our own in-memory one, still empty): lookups are skipped. */
  readonly migrationsKnown: () => boolean;
  /** The account's home DC, learned from USER/PHONE/NETWORK_MIGRATE; calls without an explicit DC go there. */
  homeDc: number | undefined;
  closed: boolean;
  /** Aborted by `close()`: its signal ends every retry sleep, so no call waits out a flood after it. */
  readonly stopper: AbortController;
  /** Pacing and flood gates, when throttling or a backend is on. */
  limiter: Limiter | undefined;
  /** Called for every failed attempt before deciding (flood gates hook in here). */
  onFailure?: (failure: Failure, attempt: Attempt, ticket: PaceTicket | undefined) => void | Promise<void>;
  /** Where errors of side machinery (a store, a listener) go: they must never fail a call. */
  reportError(error: unknown): void;
}
