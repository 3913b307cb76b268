/**
 * The queues calls wait in for their pacing slot: one per chat, one for calls bound to no chat. A
 * queue is a doubly linked list through the jobs themselves (a broadcast may queue 100,000 calls:
 * no array, node or closure per job), so taking the head, appending and unlinking an aborted job
 * anywhere are each O(1).
 */

/**
 * A call waiting for its slot. The scheduler calls exactly one of `proceed()` (the slot is taken:
 * send now) or `refuse(reason)` (aborted, or the limiter closed), once. An interface, not a base
 * class, so the engine's queued call can extend `AsyncResource` (it must send in its caller's
 * async context, not in the timer's that woke the queue).
 */
/**
 * What a call keeps of its slot across its attempts: its place in its chat's queue, and when its
 * latest attempt was sent (scheduler time), to take exactly that send back when Telegram refuses it
 * and to time its round trip.
 */
export interface PaceTicket {
  /** Arrival order: set when first admitted (start at -1: none yet). A retry after a 429 keeps it. */
  seq: number;
  sentAt: number;
  /**
   * Which send it was: the scheduler's count of its sends (-1: not sent yet). Send times can tie
   * (late answers and stalls move sends to one instant), send order cannot.
   */
  sendNo: number;
}

/** `notBefore` of a job held by nothing (a small integer: no boxed number per queued call). */
export const NOT_HELD = -(2 ** 30);

export interface PaceJob extends PaceTicket {
  /** Not to be sent before this (scheduler time): a retry waits out its flood here, in its place. */
  notBefore: number;
  /** When it was queued (scheduler time; set when queued). */
  queuedAt: number;
  /** Neighbours in its queue. */
  next: PaceJob | undefined;
  prev: PaceJob | undefined;
  /** The queue it waits in (undefined once it left it). */
  list: JobList | undefined;
  onAbort: (() => void) | undefined;
  /** Sent with `allow_paid_broadcast` (the paid bot-wide rate applies). */
  readonly paid: boolean;
  readonly method: string | undefined;
  readonly signal: AbortSignal | undefined;
  proceed(): void;
  refuse(reason: unknown): void;
}

/** Jobs waiting, oldest first: `first` -> `next` -> ... -> `last`; `size` of them. */
export interface JobList {
  first: PaceJob | undefined;
  last: PaceJob | undefined;
  size: number;
}

/**
 * Puts `job` in `list` by its `seq`: at the end for a new job (the usual case, O(1)). A retry after
 * a 429 keeps its place: it was its chat's head when it went, so only other retries can be ahead of
 * it, and it is found from the front in as many steps as there are of them.
 */
export function enqueue(list: JobList, job: PaceJob): void {
  let after = list.last;
  if (after && after.seq > job.seq) {
    after = undefined;
    for (let j = list.first; j && j.seq < job.seq; j = j.next) after = j;
  }
  job.prev = after;
  job.next = after ? after.next : list.first;
  if (job.next) job.next.prev = job;
  else list.last = job;
  if (after) after.next = job;
  else list.first = job;
  job.list = list;
  list.size++;
}

/** Takes the first job off `list` (it must have one). */
export function dequeue(list: JobList): PaceJob {
  const job = list.first!;
  unlink(list, job);
  return job;
}

/** Takes `job` out of `list`, wherever it is; false when it is not in it. */
export function unlink(list: JobList, job: PaceJob): boolean {
  if (job.list !== list) return false;
  if (job.prev) job.prev.next = job.next;
  else list.first = job.next;
  if (job.next) job.next.prev = job.prev;
  else list.last = job.prev;
  job.next = job.prev = job.list = undefined;
  list.size--;
  return true;
}
