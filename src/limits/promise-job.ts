/**
 * The scheduler's job for `acquire()`: it settles a promise, whose reactions keep their own async
 * context. A retry carries its call's ticket: it keeps the call's place in its chat's queue, and
 * its send is written back to the ticket (its answer comes back there).
 */
import type { JobList, PaceJob, PaceTicket } from './job-queue.js';

export class PromiseJob implements PaceJob {
  seq: number;
  sentAt = 0;
  sendNo = -1;
  notBefore: number;
  queuedAt = 0;
  next: PaceJob | undefined = undefined;
  prev: PaceJob | undefined = undefined;
  list: JobList | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    readonly paid: boolean,
    readonly method: string | undefined,
    readonly signal: AbortSignal | undefined,
    readonly ticket: PaceTicket | undefined,
    notBefore: number,
    private readonly resolve: () => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    this.seq = ticket ? ticket.seq : -1;
    this.notBefore = notBefore;
  }

  /** Where this job's send is answered: its call's ticket for a retry, else the job itself. */
  get answeredBy(): PaceTicket {
    return this.ticket ?? this;
  }

  /** Writes this job's send back to its call's ticket (a retry's). */
  writeBack(): void {
    if (!this.ticket) return;
    this.ticket.sentAt = this.sentAt;
    this.ticket.seq = this.seq;
    this.ticket.sendNo = this.sendNo;
  }

  proceed(): void {
    this.writeBack();
    this.resolve();
  }

  refuse(reason: unknown): void {
    this.reject(reason);
  }
}
