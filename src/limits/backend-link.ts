/**
 * The limiter's side of a shared backend: converts between the injected clock and epoch time, bounds
 * every backend operation with a timeout (a dead Redis must never make a call hang), and on failure
 * either falls back to local limits (default; says so once through an event, and says so again when
 * the backend is back) or fails the call.
 */
import { untilAborted } from '../core/abort.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import type { Clock } from '../core/clock.js';
import type { LimitsBackend } from './backend.js';
import { batchMsAt } from './bot-rate.js';
import type { ChatScope } from './scope.js';
import { SharedWakes } from './shared-wakes.js';
import { botRateOf, type ResolvedThrottle } from './throttle-options.js';

export type BackendStatusListener = (event: { backend: string; status: 'down' | 'up'; error?: unknown }) => void;

/** While the backend is down, try it again at most this often. */
const RETRY_DOWN_BACKEND_MS = 1_000;
/** A send this late for its slot is on time whatever the margin (timers fire a millisecond or two late). */
const MIN_LATE_MS = 5;

interface LinkOptions {
  clock: Clock;
  limits: ResolvedThrottle | undefined;
  timeoutMs: number;
  onError: 'fallback' | 'fail';
  onStatus: BackendStatusListener;
  onRemoteGate: (scope: string, openAt: number) => void;
  /** Aborted when the limiter closes: ends the wait for a booked slot. */
  stop: AbortSignal;
}

export class BackendLink {
  private up = true;
  private retryAt = 0;
  private starting: Promise<void> | undefined;
  private startedOk = false;
  private closed = false;
  /** The sends of one `BATCH_MS` step wake on one timer. */
  private readonly wakes: SharedWakes;

  constructor(
    private readonly backend: LimitsBackend,
    private readonly options: LinkOptions,
  ) {
    this.wakes = new SharedWakes(options.clock, options.stop);
  }

  /** Epoch ms -> clock time (they are the same with the system clock). */
  private toClock(epochMs: number): number {
    return this.options.clock.now() + (epochMs - Date.now());
  }

  private toEpoch(clockMs: number): number {
    return Date.now() + (clockMs - this.options.clock.now());
  }

  /** Starts the backend once; undefined once it has started (the fast path). */
  started(signal?: AbortSignal): Promise<void> | undefined {
    if (this.startedOk || this.closed) return undefined;
    this.starting ??= this.guard('start', async () => {
      await this.backend.start({
        limits: this.options.limits,
        onGate: (scope, openAt) => this.options.onRemoteGate(scope, this.toClock(openAt)),
      });
      const gates = await this.backend.openGates();
      for (const [scope, openAt] of Object.entries(gates)) this.options.onRemoteGate(scope, this.toClock(openAt));
      this.startedOk = true;
    }).finally(() => {
      if (!this.startedOk) this.starting = undefined; // try again on a later call
    });
    return signal ? untilAborted(this.starting, signal) : this.starting;
  }

  /**
   * Books a shared slot, then waits for it. Falls back to "go now" when the backend fails. The
   * message may not go when the wait ended too late for the slot (more than half the margin: the
   * timer fired late, the event loop was busy): sent now, it would arrive in a window that already
   * holds its share, and a 429 there stops every process of the bot. The caller books again
   * instead; the slot it had stays unused, which costs a slot, not a flood wait. (The slot is
   * counted from when the booking's answer arrived, so a late answer alone is not seen here.)
   * At paid rates a send may go up to `BATCH_MS` before its slot: the sends whose slots fall in
   * one such step of the clock leave together, on one wake-up (a batch of bookings has consecutive
   * slots), and slots are booked that much further apart to keep the windows.
   * Resolves to undefined when the message may go now, or to the slot it did not use (epoch ms),
   * which the next booking passes on as `unusedSlotAtEpochMs`.
   */
  async reserve(
    request: { chat: ChatScope | undefined; paid: boolean; marginMs: number; unusedSlotAtEpochMs?: number },
    signal?: AbortSignal,
  ): Promise<number | undefined> {
    await this.started(signal);
    if (!this.startedOk) return undefined;
    let sendAt: number | undefined;
    // Real time, like the guard's timeout. A booking made just before the timeout would still be
    // answered after it, when nobody waits any more, and hold a slot nobody uses: so the booking must
    // be made within the first half, leaving the other half for its answer to come back.
    const expiresAtEpochMs = Date.now() + this.options.timeoutMs / 2;
    const limits = this.options.limits;
    const early = limits ? batchMsAt(botRateOf(limits, request.paid)) : 0;
    await this.guard('reserve', async () => {
      sendAt = await this.backend.reserve({ ...request, marginMs: request.marginMs + early, expiresAtEpochMs });
    });
    if (sendAt === undefined) return undefined;
    const slotAt = this.toClock(sendAt);
    // Sends whose slots fall in one BATCH_MS step of the clock wake up together, at its start. Not
    // a group's: its own window (20 per 60 s) is kept by its slots, and is not brought forward.
    const step = request.chat?.kind === 'group' ? 0 : early;
    const goAt = step > 0 ? Math.floor(slotAt / step) * step : slotAt;
    const wait = goAt - this.options.clock.now();
    if (wait > 0) await this.wakes.until(goAt, signal);
    return this.options.clock.now() - slotAt <= Math.max(MIN_LATE_MS, request.marginMs / 2) ? undefined : sendAt;
  }

  closeGate(scope: string, openAt: number): void {
    if (!this.startedOk) return;
    void this.guard('closeGate', () => this.backend.closeGate(scope, this.toEpoch(openAt))).catch(() => {
      // In `fail` mode the failure is reported through the status event; the call itself already failed.
    });
  }

  /** Runs a backend operation with a timeout, tracking up/down. */
  private async guard(what: string, op: () => Promise<void>): Promise<void> {
    if (this.closed) return;
    if (!this.up && this.options.clock.now() < this.retryAt) {
      if (this.options.onError === 'fail') throw new BackendUnavailableError(`${this.backend.name} backend is unavailable`);
      return;
    }
    try {
      await withTimeout(op(), this.options.timeoutMs, `${this.backend.name} ${what} timed out after ${this.options.timeoutMs}ms`);
      if (!this.up) {
        this.up = true;
        this.options.onStatus({ backend: this.backend.name, status: 'up' });
      }
    } catch (error) {
      if (this.up) {
        this.up = false;
        this.options.onStatus({ backend: this.backend.name, status: 'down', error });
      }
      this.retryAt = this.options.clock.now() + RETRY_DOWN_BACKEND_MS;
      if (this.options.onError === 'fail') {
        throw new BackendUnavailableError(`${this.backend.name} backend is unavailable: ${(error as Error)?.message ?? String(error)}`, {
          cause: error,
        });
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.backend.close();
  }
}

/** Real-time timeout on purpose: it guards against a real network peer that stopped answering. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
