/**
 * Chats with nothing queued, freed once their limit no longer matters (`idleChatTtlMs` after their
 * last send), so a broadcast to 100,000 chats does not keep 100,000 chats' state. Kept in the order
 * they went idle, which is the order of their last sends: the next to free is always at the head
 * (`head`, no O(n) shift). A timer frees them on time even if no call comes; it is unref'd, so it
 * never keeps a process alive.
 */
import type { Clock } from '../core/clock.js';
import type { ChatState } from './chat-state.js';

export class IdleChats {
  private idle: ChatState[] = [];
  private head = 0;
  private sweeper: AbortController | undefined;
  private closed = false;

  /**
   * @param now scheduler time (the chats' send times count in it).
   * @param free called for each chat whose time is up; it frees the chat if it is still idle.
   */
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly free: (chat: ChatState) => void,
  ) {}

  /** `chat` went idle now (after its last send). */
  add(chat: ChatState): void {
    this.idle.push(chat);
    this.schedule();
  }

  /** Frees every chat idle long enough by `now`. */
  sweep(now: number): void {
    while (this.head < this.idle.length && this.idle[this.head]!.lastSentAt + this.ttlMs <= now) {
      this.free(this.idle[this.head++]!);
    }
    if (this.head > 1024 && this.head * 2 > this.idle.length) {
      this.idle = this.idle.slice(this.head);
      this.head = 0;
    }
  }

  close(): void {
    this.closed = true;
    this.sweeper?.abort();
    this.sweeper = undefined;
  }

  private schedule(): void {
    if (this.sweeper || this.closed || this.head >= this.idle.length) return;
    const controller = (this.sweeper = new AbortController());
    const due = this.idle[this.head]!.lastSentAt + this.ttlMs;
    this.clock.sleep(Math.max(0, due - this.now()), controller.signal, { unref: true }).then(
      () => {
        this.sweeper = undefined;
        this.sweep(this.now());
        this.schedule();
      },
      () => {},
    );
  }
}
