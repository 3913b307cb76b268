export type Listener<T> = (event: T) => void;
/** Calling it removes the listener. Calling it again does nothing. */
export type Disposer = () => void;

/**
 * A tiny typed event hub. `on` returns a disposer (cockatiel style). A listener that throws is
 * reported to `onListenerError` and never breaks the call that emitted the event: a logging bug must
 * not turn a delivered message into a failed one.
 */
export class EventHub<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): Disposer {
    if (typeof listener !== 'function') throw new TypeError(`on("${String(name)}"): the listener must be a function`);
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    // Wrap so that adding the same function twice gives two independent subscriptions.
    const entry = ((event: Events[K]) => listener(event)) as Listener<never>;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** True when somebody listens: lets callers skip building event objects nobody reads. */
  has(name: keyof Events): boolean {
    const set = this.listeners.get(name);
    return set !== undefined && set.size > 0;
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(event);
      } catch (error) {
        try {
          this.onListenerError(error);
        } catch {
          // Nothing sensible left to do; the call must still settle.
        }
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
