/**
 * The bot's pending updates, as Telegram keeps them: ids that only grow, `allowed_updates` deciding
 * which updates are created at all (updates of other types are never stored, as on Telegram), and
 * updates kept until confirmed (`getUpdates` offset) or delivered (webhook).
 */
import type { SimUpdate, UpdateType } from './update-fill.js';

/** Update types Telegram leaves out unless `allowed_updates` names them. */
export const OPT_IN_UPDATE_TYPES: readonly string[] = ['chat_member', 'message_reaction', 'message_reaction_count'];

export class UpdateQueue {
  private pending: SimUpdate[] = [];
  private lastId = 0;
  /** `null`: Telegram's default (every type but the opt-in ones). */
  private allowed: Set<string> | null = null;
  private readonly listeners = new Set<() => void>();

  /** The id the next update gets when it brings none. */
  get nextId(): number {
    return this.lastId + 1;
  }

  get size(): number {
    return this.pending.length;
  }

  /** The `allowed_updates` setting, as `getWebhookInfo` shows it (undefined: the default). */
  get allowedUpdates(): string[] | undefined {
    return this.allowed ? [...this.allowed] : undefined;
  }

  /** Stores `update` if its type is allowed (and wakes whoever waits); returns whether it was stored. */
  push(update: SimUpdate, type: UpdateType): boolean {
    this.lastId = Math.max(this.lastId, update.update_id);
    const allowed = this.allowed ? this.allowed.has(type) : !OPT_IN_UPDATE_TYPES.includes(type);
    if (!allowed) return false;
    this.pending.push(update);
    for (const listener of [...this.listeners]) listener();
    return true;
  }

  /** `allowed_updates` as given: `undefined` keeps the setting, `[]` restores the default. */
  setAllowed(types: string[] | undefined): void {
    if (types === undefined) return;
    this.allowed = types.length === 0 ? null : new Set(types);
  }

  /**
   * Telegram's `offset`: a positive offset confirms (forgets) every update with a smaller id; a
   * negative one keeps only the last `-offset` updates; 0 confirms nothing.
   */
  confirm(offset: number): void {
    if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.pending = this.pending.slice(offset);
  }

  /** The first `limit` pending updates, not removed. */
  peek(limit: number): SimUpdate[] {
    return this.pending.slice(0, limit);
  }

  /** Forgets one update (a webhook delivered it). */
  remove(updateId: number): void {
    this.pending = this.pending.filter((u) => u.update_id !== updateId);
  }

  /** Calls `listener` after each stored update, until the returned disposer runs. */
  onPush(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets pending updates; ids keep growing, so a running bot's offset stays right. */
  clear(): void {
    this.pending = [];
  }
}
