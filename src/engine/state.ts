/**
 * What a resilience and every policy derived from it share (`EngineState`), and how
 * `createResilience` makes it from its options once they are checked.
 */
import { createStopper } from '../core/abort.js';
import type { Attempt } from '../core/call.js';
import { createMemoryChatIdStore, type ChatIdStore } from '../core/chat-id-store.js';
import type { Clock } from '../core/clock.js';
import { EventHub } from '../core/events.js';
import type { Failure } from '../errors/failure.js';
import type { PaceTicket } from '../limits/job-queue.js';
import { Limiter } from '../limits/limiter.js';
import type { ResolvedThrottle } from '../limits/throttle-options.js';
import { ENGINE_DEFAULTS, type ResilienceOptions } from './options.js';
import type { ResilienceEvents } from './types.js';

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

/** The state of a new resilience, from options `createResilience` has checked (`throttle` resolved). */
export function createEngineState(options: ResilienceOptions, throttle: ResolvedThrottle | undefined): EngineState {
  const {
    backend,
    backendTimeoutMs = ENGINE_DEFAULTS.backendTimeoutMs,
    onBackendError = ENGINE_DEFAULTS.onBackendError,
    clock = ENGINE_DEFAULTS.clock,
    random = ENGINE_DEFAULTS.random,
  } = options;
  const { chatIdStore, migrationsKnown } = chatIdsOf(options.chatIdStore ?? backend?.chatIdStore);
  const state: EngineState = {
    clock,
    random,
    events: new EventHub<ResilienceEvents>((error) => state.reportError(error)),
    chatIdStore,
    migrationsKnown,
    homeDc: undefined,
    closed: false,
    stopper: createStopper(),
    limiter: undefined,
    reportError(error) {
      const message = error instanceof Error ? error.message : String(error);
      process.emitWarning(`telegram-resilience: ${message}`, 'TelegramResilienceWarning');
    },
  };
  if (throttle || backend) {
    const limiter = new Limiter({
      clock,
      throttle,
      backend,
      backendTimeoutMs,
      onBackendError,
      onBackendStatus: (event) => state.events.emit('backend', event),
    });
    state.limiter = limiter;
    state.onFailure = (failure, attempt, ticket) => limiter.onFailure(failure, attempt, ticket);
  }
  return state;
}

/**
 * The user's chat-id store (or the backend's), else one of our own in memory. Most bots never see a
 * migration: while our own store is empty, no call looks anything up.
 */
function chatIdsOf(given: ChatIdStore | undefined): Pick<EngineState, 'chatIdStore' | 'migrationsKnown'> {
  if (given) return { chatIdStore: given, migrationsKnown: () => true };
  const own = createMemoryChatIdStore();
  return { chatIdStore: own, migrationsKnown: () => own.size() > 0 };
}
