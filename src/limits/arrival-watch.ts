/**
 * When sends reach Telegram. A send counts in our windows at its send time; it reaches Telegram one
 * latency later, and the margin on every window (learned here from round trips, see round-trips.ts)
 * covers how much latencies vary. Two things show a send that arrived later
 * than that, and move it (and the sends after it) to when it may have arrived, so the windows after
 * it hold at Telegram's side:
 *  - an answer that came later than the shortest round trip plus the margin (`answered`);
 *  - a timer that fired much later than due (`afterStall`): the event loop stalled, and sends made
 *    just before may have left only after it.
 * It remembers the latest sends (their tickets, chats and rates) for that: the ones a stall or a
 * late answer may concern.
 */
import type { BotRate } from './bot-rate.js';
import { NEVER, restampSends } from './chat-limit.js';
import type { ChatState } from './chat-state.js';
import type { PaceTicket } from './job-queue.js';
import { RoundTrips } from './round-trips.js';

/**
 * Sends made this close before the event loop was last seen alive may have left only after a stall
 * (or been read only then by a simulator in the process): they are counted at the stall's end.
 */
const STALL_RESTAMP_MS = 5;
/** How many of the latest sends are remembered. */
const RECENT_SENDS = 16;

export class ArrivalWatch {
  private readonly roundTrips = new RoundTrips();
  private margin = this.roundTrips.marginMs;
  /**
   * When the scheduler last ran, or an answer to a paced send last came (scheduler time): the event
   * loop was alive then, so a timer much later than due shows a stall since.
   */
  private lastRunAt = 0;
  /** The latest sends, a ring: their tickets, chats and rates. */
  private readonly tickets = new Array<PaceTicket | undefined>(RECENT_SENDS);
  private readonly chats = new Array<ChatState | undefined>(RECENT_SENDS);
  private readonly paid = new Array<boolean>(RECENT_SENDS).fill(false);
  private head = 0;
  /** The latest send time of a send whose answer came: it surely reached Telegram before now. */
  private latestAnsweredSentAt = NEVER;
  /** When the latest stall was seen: round trips in flight then were stretched by it. */
  private stallSeenAt = NEVER;

  /**
   * @param now scheduler time.
   * @param replace puts a chat whose sends moved back in its place (its limit may allow it later).
   */
  constructor(
    private readonly free: BotRate,
    private readonly paidRate: BotRate,
    private readonly now: () => number,
    private readonly replace: (chat: ChatState, now: number) => void,
  ) {
    this.setMargin(this.margin);
  }

  /** The margin on every window in force, in ms. */
  get marginMs(): number {
    return this.margin;
  }

  /** The event loop is alive `now` (scheduler time). */
  alive(now: number): void {
    this.lastRunAt = now;
  }

  /** A send was made for `ticket` (to `chat`, if any, at the paid rate or not). */
  sent(ticket: PaceTicket, chat: ChatState | undefined, paid: boolean): void {
    this.tickets[this.head] = ticket;
    this.chats[this.head] = chat;
    this.paid[this.head] = paid;
    this.head = (this.head + 1) % RECENT_SENDS;
  }

  /**
   * Telegram answered the send of `ticket` now: a round trip. An answer later than the shortest
   * round trip plus the margin shows a send that may have arrived that much later than the margin
   * allows for (it left late, or the network held it): it counts as sent that much later. The cost
   * is only the excess, and only for such sends.
   */
  answered(ticket: PaceTicket): void {
    const now = this.now();
    this.lastRunAt = now;
    const { sentAt } = ticket;
    if (sentAt > this.latestAnsweredSentAt) this.latestAnsweredSentAt = sentAt;
    const late = now - sentAt - this.roundTrips.minMs - this.margin;
    if (late > 0) this.arrivedLate(ticket, sentAt + late);
    // A round trip that a seen stall stretched says nothing about the network.
    if (sentAt >= this.stallSeenAt) this.learnRoundTrip(now - sentAt);
  }

  /** A round trip of `ms`: it teaches the margin on every window. */
  learnRoundTrip(ms: number): void {
    if (this.roundTrips.record(ms)) this.setMargin(this.roundTrips.marginMs);
  }

  /** The margin in force, on both bot-wide rates too. */
  private setMargin(marginMs: number): void {
    this.margin = marginMs;
    this.free.setMargin(marginMs);
    this.paidRate.setMargin(marginMs);
  }

  /**
   * A timer due at `dueAt` fired now. Much later (more than the margin): the event loop stalled
   * since it last ran, and sends made just before may have left, or been read by a simulator in this
   * process, only now; arriving together with the sends after the stall they would crowd a window.
   * So they count as sent now (the bot's window, their chats'), and the spacing after them is normal.
   */
  afterStall(dueAt: number): void {
    const now = this.now();
    if (now - dueAt <= Math.max(this.margin, STALL_RESTAMP_MS)) return;
    this.stallSeenAt = now;
    // A send whose answer already came reached Telegram before the stall: it stays where it is.
    const since = Math.max(this.lastRunAt - STALL_RESTAMP_MS, this.latestAnsweredSentAt + 1);
    if (this.free.restamp(since, now) + this.paidRate.restamp(since, now) === 0) return;
    this.retimeTickets(since, now);
    for (const chat of this.chats) {
      if (!chat || chat.lastSentAt < since) continue;
      restampSends(chat, since, now);
      if (chat.size > 0) this.replace(chat, now);
    }
  }

  /**
   * Sends made at or after `since` now count at `at`: their tickets too, so that a 429 for one of
   * them finds its send in our windows (to take it back, and to learn from the sends before it).
   */
  private retimeTickets(since: number, at: number): void {
    for (const ticket of this.tickets) if (ticket && ticket.sentAt >= since && ticket.sentAt < at) ticket.sentAt = at;
  }

  /** `ticket`'s latest send counts at `at` (scheduler time), in the bot's window and its chat's. */
  private arrivedLate(ticket: PaceTicket, at: number): void {
    const { sentAt } = ticket;
    this.retimeTickets(sentAt, at);
    for (let k = 0; k < RECENT_SENDS; k++) {
      if (this.tickets[k] !== ticket) continue;
      (this.paid[k] === true ? this.paidRate : this.free).delay(sentAt, at);
      const chat = this.chats[k];
      if (chat && chat.lastSentAt >= sentAt) {
        restampSends(chat, sentAt, at);
        if (chat.size > 0) this.replace(chat, this.now());
      }
      return;
    }
    // Older than the sends remembered (paid rates): its rate is not known, both hold it.
    this.free.delay(sentAt, at);
    this.paidRate.delay(sentAt, at);
  }
}
