/**
 * Flood gates: when Telegram says "wait", the scope it said it for is closed until the wait is
 * over, so no other call sends a request that would only earn another 429. Scopes are strings:
 * `bot` (the whole bot), `chat:<id>` (one chat), `method:<name>` (an MTProto method).
 * A gate is an absolute time, so it opens on time by itself: nobody has to be alive to open it.
 */
import type { Clock } from '../core/clock.js';

export type GateListener = (scope: string, openAt: number) => void;

/** Expired gates are swept when the map reaches this size (then twice what was left). */
const MIN_SWEEP_SIZE = 64;

export class FloodGates {
  private readonly gates = new Map<string, number>();
  private readonly listeners = new Set<GateListener>();
  /** When the last gate to open opens: once past it, every gate is open and the map is cleared. */
  private latestOpenAt = 0;
  private sweepAt = MIN_SWEEP_SIZE;

  constructor(private readonly clock: Clock) {}

  /** Closes `scope` until `openAt` (clock time). A gate only ever moves later, never earlier. */
  close(scope: string, openAt: number): boolean {
    const current = this.gates.get(scope) ?? 0;
    const now = this.clock.now();
    if (openAt <= current || openAt <= now) return false;
    // Gates of chats that are never asked about again would otherwise stay forever (a broadcast can
    // hit 429 on thousands of chats).
    if (this.gates.size >= this.sweepAt) this.sweep(now);
    this.gates.set(scope, openAt);
    this.latestOpenAt = Math.max(this.latestOpenAt, openAt);
    for (const listener of this.listeners) listener(scope, openAt);
    return true;
  }

  /** When `scope` opens (0 when it is open now). Forgets gates that have opened. */
  openAt(scope: string): number {
    const at = this.gates.get(scope);
    if (at === undefined) return 0;
    if (at <= this.clock.now()) {
      this.gates.delete(scope);
      return 0;
    }
    return at;
  }

  /** Called whenever a gate closes or moves later (the scheduler re-plans; Redis publishes). */
  onClose(listener: GateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** False when no gate is closed: lets the common case skip building scope names. */
  get anyClosed(): boolean {
    if (this.gates.size === 0) return false;
    if (this.latestOpenAt > this.clock.now()) return true;
    this.gates.clear();
    this.sweepAt = MIN_SWEEP_SIZE;
    return false;
  }

  /** Number of gates held (closed, or open but not yet forgotten); for tests. */
  get size(): number {
    return this.gates.size;
  }

  private sweep(now: number): void {
    for (const [scope, at] of this.gates) if (at <= now) this.gates.delete(scope);
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * this.gates.size);
  }

  /** The gates still closed (scope -> when it opens), for diagnostics. */
  snapshot(): Record<string, number> {
    const now = this.clock.now();
    const out: Record<string, number> = {};
    for (const [scope, at] of this.gates) if (at > now) out[scope] = at;
    return out;
  }
}
