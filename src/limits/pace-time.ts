/**
 * Scheduler time: milliseconds since the scheduler started. Times kept in its objects stay small
 * integers that way (V8 boxes every other number held in an object field: 16 bytes per time per
 * chat). With when flood gates open, read in it.
 */
import type { Clock } from '../core/clock.js';
import { NEVER } from './chat-limit.js';
import type { FloodGates } from './flood-gates.js';

export class PaceTime {
  /** Clock time the scheduler's own times count from. */
  readonly epoch: number;

  constructor(
    private readonly clock: Clock,
    private readonly gates: FloodGates,
  ) {
    this.epoch = clock.now();
  }

  /** Scheduler time now. */
  now(): number {
    return this.clock.now() - this.epoch;
  }

  /** When the gate of `scope` opens, in scheduler time (in the past when it is open). */
  gateAt(scope: string): number {
    const at = this.gates.openAt(scope);
    return at === 0 ? NEVER : at - this.epoch;
  }

  /** When the gate of `method` opens (MTProto FLOOD_WAIT is per method), in scheduler time. */
  methodGateAt(method: string | undefined): number {
    return method ? this.gateAt(`method:${method}`) : NEVER;
  }
}
