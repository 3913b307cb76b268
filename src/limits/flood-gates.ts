/**
 * Flood gates: when Telegram says "wait", the scope it said it for is closed until the wait is
 * over, so no other call sends a request that would only earn another 429. Scopes are strings:
 * `bot` (the whole bot), `chat:<id>` (one chat), `method:<name>` (an MTProto method).
 * A gate is an absolute time, so it opens on time by itself: nobody has to be alive to open it.
 */
import type { Clock } from '../engine/clock.js';

export type GateListener = (scope: string, openAt: number) => void;

export class FloodGates {
  private readonly gates = new Map<string, number>();
  private readonly listeners = new Set<GateListener>();

  constructor(private readonly clock: Clock) {}

  /** Closes `scope` until `openAt` (clock time). A gate only ever moves later, never earlier. */
  close(scope: string, openAt: number): boolean {
    const current = this.gates.get(scope) ?? 0;
    if (openAt <= current || openAt <= this.clock.now()) return false;
    this.gates.set(scope, openAt);
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

  /** False when no gate can be closed: lets the common case skip building scope names. */
  get anyClosed(): boolean {
    return this.gates.size > 0;
  }

  /** The gates still closed (scope -> when it opens), for diagnostics. */
  snapshot(): Record<string, number> {
    const now = this.clock.now();
    const out: Record<string, number> = {};
    for (const [scope, at] of this.gates) if (at > now) out[scope] = at;
    return out;
  }
}
