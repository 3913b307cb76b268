/**
 * Every wait the simulator makes (hang/slow faults, long polls, webhook retries) goes through one
 * `Waits`, on the injected clock, so `close()` can end them all and no timer outlives the server.
 */
import type { ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';

/** Longest delay a Node timer can hold; longer waits are treated as "until close()". */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WaitOptions {
  /** Ends the wait early when this response's connection closes (the client went away). */
  res?: ServerResponse;
  /** Ends the wait early when this aborts. */
  signal?: AbortSignal;
}

export class Waits {
  private readonly controllers = new Set<AbortController>();
  private closing = false;

  constructor(private readonly clock: Clock) {}

  /** True once `closeAll()` ran: nothing new may wait. */
  get closed(): boolean {
    return this.closing;
  }

  /** Waits `ms` on the clock (`Infinity`: until ended). True if the time passed, false if ended early. */
  async sleep(ms: number, options: WaitOptions = {}): Promise<boolean> {
    const controller = new AbortController();
    const end = () => controller.abort();
    this.controllers.add(controller);
    options.res?.on('close', end);
    options.signal?.addEventListener('abort', end, { once: true });
    if (this.closing || options.signal?.aborted || options.res?.destroyed) controller.abort();
    try {
      if (Number.isFinite(ms) && ms <= MAX_TIMER_MS) {
        await this.clock.sleep(ms, controller.signal);
      } else {
        await new Promise<void>((_, reject) => {
          if (controller.signal.aborted) reject(controller.signal.reason);
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
        });
      }
      return !controller.signal.aborted;
    } catch {
      return false;
    } finally {
      this.controllers.delete(controller);
      options.res?.off('close', end);
      options.signal?.removeEventListener('abort', end);
    }
  }

  /** Ends every wait now and refuses new ones (they end at once). */
  closeAll(): void {
    this.closing = true;
    for (const controller of this.controllers) controller.abort();
  }
}
