/**
 * Which fault (if any) the simulator injects into a request: one-shot queued faults first, then
 * standing faults, then a seeded random schedule that gives the same sequence for the same seed.
 */
import { checkOptions } from '../core/check-options.js';
import { string, type Check } from '../core/checks.js';

/**
 * - `'500'`: JSON `{ ok: false, error_code: 500, description: 'Internal Server Error' }`; not delivered.
 * - `'502_html'`: HTTP 502 with nginx's HTML page (`text/html`); not delivered.
 * - `'reset_before'`: the socket is destroyed before processing; not delivered.
 * - `'reset_after'`: processed (a message IS delivered and in the ledger), then the socket is destroyed with no answer.
 * - `'hang'`: no answer until `close()`, or until `hangMs` passes on the clock (then the socket is dropped); not delivered.
 * - `'bad_json'`: processed (delivered), then HTTP 200 with a truncated JSON body.
 * - `'429'`: a forced flood error with `retry_after` from the match/schedule (default 1); not delivered.
 * - `'slow'`: waits `slowMs` on the clock, then processed and answered normally.
 */
export type FaultKind = '500' | '502_html' | 'reset_before' | 'reset_after' | 'hang' | 'bad_json' | '429' | 'slow';

export const FAULT_KINDS: readonly FaultKind[] = [
  '500',
  '502_html',
  'reset_before',
  'reset_after',
  'hang',
  'bad_json',
  '429',
  'slow',
];

/** Kinds a schedule uses when `kinds` is omitted: those that end on their own (no `hang`, no `slow`). */
export const DEFAULT_SCHEDULE_KINDS: readonly FaultKind[] = ['500', '502_html', 'reset_before', 'reset_after', 'bad_json', '429'];

/** Selects requests for a queued or standing fault. Omitted fields match anything. */
export interface FaultMatch {
  /** Bot API method name (case-insensitive, like Telegram). */
  method?: string;
  /** The request's `chat_id` (`-100` and `'-100'` are the same chat). */
  chatId?: number | string;
  /** For `'429'` faults: the `retry_after` to send, in seconds. Default 1. */
  retryAfter?: number;
}

export interface FaultScheduleOptions {
  /** PRNG seed: the same seed (and the same request sequence) gives the same faults. */
  seed: number;
  /** Probability, 0..1, that an eligible request gets a fault. */
  rate: number;
  /** Kinds to choose from, uniformly. Default `DEFAULT_SCHEDULE_KINDS`. */
  kinds?: FaultKind[];
  /** Only these methods are eligible (case-insensitive). Default: every known method. */
  methods?: string[];
  /** `retry_after` for scheduled `'429'` faults, in seconds. Default 1. */
  retryAfter?: number;
}

/** The fault chosen for one request. */
export interface FaultDecision {
  kind: FaultKind;
  /** Only for `'429'`. */
  retryAfter: number;
}

/** mulberry32: a tiny 32-bit PRNG, good enough for test schedules and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Same chat, whether the id came as a number or a string. */
export function sameChat(a: number | string | undefined, b: number | string | undefined): boolean {
  return a !== undefined && b !== undefined && String(a).trim() === String(b).trim();
}

function validKind(kind: FaultKind): FaultKind {
  if (!FAULT_KINDS.includes(kind)) throw new TypeError(`unknown fault kind: ${String(kind)}`);
  return kind;
}

const MATCH_CHECKS = {
  method: string,
  chatId: (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? undefined : 'a number or a string'),
  retryAfter: (v: unknown) => (Number.isSafeInteger(v) && (v as number) > 0 ? undefined : 'a whole number of seconds > 0'),
} satisfies Record<keyof FaultMatch, Check>;

/** A copy of `match`, or a TypeError naming what is wrong with it. */
function validMatch(match: FaultMatch): FaultMatch {
  return { ...checkOptions('fault match', match, MATCH_CHECKS) };
}

function matches(match: FaultMatch, method: string, chatId: number | string | undefined): boolean {
  if (match.method !== undefined && match.method.toLowerCase() !== method.toLowerCase()) return false;
  if (match.chatId !== undefined && !sameChat(match.chatId, chatId)) return false;
  return true;
}

/** A seeded schedule. Each eligible request draws exactly two numbers, so decision n depends only on n. */
export class FaultSchedule {
  private random: () => number;
  private readonly kinds: readonly FaultKind[];
  private readonly methods: Set<string> | undefined;

  constructor(private readonly options: FaultScheduleOptions) {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`faults.rate must be within 0..1, got ${options.rate}`);
    this.kinds = (options.kinds ?? DEFAULT_SCHEDULE_KINDS).map(validKind);
    if (this.kinds.length === 0) throw new RangeError('faults.kinds must not be empty');
    this.methods = options.methods ? new Set(options.methods.map((m) => m.toLowerCase())) : undefined;
    this.random = mulberry32(options.seed);
  }

  /** The fault for the next eligible request, or null. Ineligible methods draw nothing. */
  next(method: string): FaultDecision | null {
    if (this.methods && !this.methods.has(method.toLowerCase())) return null;
    const hit = this.random() < this.options.rate;
    const pick = this.random();
    if (!hit) return null;
    const kind = this.kinds[Math.min(this.kinds.length - 1, Math.floor(pick * this.kinds.length))]!;
    return { kind, retryAfter: this.options.retryAfter ?? 1 };
  }

  /** Back to the first decision of the seed. */
  restart(): void {
    this.random = mulberry32(this.options.seed);
  }
}

/** A queued or standing fault: its kind and the requests it applies to. */
export interface PlannedFault {
  kind: FaultKind;
  match: FaultMatch;
}

/**
 * Queued (one-shot), standing and scheduled faults, consulted in that order:
 * - `queue` appends a one-shot fault; queued faults are used in the order queued.
 * - `set` REPLACES every standing fault with one (or with none, for `null`).
 * - `add` appends a standing fault beside the others; the first one added that matches wins.
 * - `setSchedule` replaces the seeded schedule (or removes it, for `null`).
 */
export class FaultPlan {
  private queued: PlannedFault[] = [];
  private standing: PlannedFault[] = [];
  private schedule: FaultSchedule | null;
  private scheduleOptions: FaultScheduleOptions | null;

  constructor(schedule?: FaultScheduleOptions) {
    this.scheduleOptions = schedule ? { ...schedule } : null;
    this.schedule = schedule ? new FaultSchedule(schedule) : null;
  }

  queue(kind: FaultKind, match: FaultMatch = {}): void {
    this.queued.push({ kind: validKind(kind), match: validMatch(match) });
  }

  /** Replaces every standing fault with this one; `null` removes them all. */
  set(kind: FaultKind | null, match: FaultMatch = {}): void {
    this.standing = kind === null ? [] : [{ kind: validKind(kind), match: validMatch(match) }];
  }

  /** Adds a standing fault; faults added earlier are consulted first. */
  add(kind: FaultKind, match: FaultMatch = {}): void {
    this.standing.push({ kind: validKind(kind), match: validMatch(match) });
  }

  /** What is planned now (for `GET /sim/faults`). */
  snapshot(): { queued: PlannedFault[]; standing: PlannedFault[]; schedule: FaultScheduleOptions | null } {
    const copy = (faults: PlannedFault[]) => faults.map((f) => ({ kind: f.kind, match: { ...f.match } }));
    return { queued: copy(this.queued), standing: copy(this.standing), schedule: this.scheduleOptions && { ...this.scheduleOptions } };
  }

  setSchedule(schedule: FaultScheduleOptions | null): void {
    this.schedule = schedule ? new FaultSchedule(schedule) : null;
    this.scheduleOptions = schedule ? { ...schedule } : null;
  }

  /**
   * The fault for a request. The schedule is drawn for every eligible request, even when a queued or
   * standing fault wins, so adding a queued fault does not shift the rest of the seeded sequence.
   */
  pick(method: string, chatId: number | string | undefined): FaultDecision | null {
    const scheduled = this.schedule?.next(method) ?? null;
    const queuedIndex = this.queued.findIndex((f) => matches(f.match, method, chatId));
    if (queuedIndex >= 0) {
      const [fault] = this.queued.splice(queuedIndex, 1);
      return { kind: fault!.kind, retryAfter: fault!.match.retryAfter ?? 1 };
    }
    const standing = this.standing.find((f) => matches(f.match, method, chatId));
    if (standing) return { kind: standing.kind, retryAfter: standing.match.retryAfter ?? 1 };
    return scheduled;
  }

  /** Drops queued and standing faults and restarts the schedule from its seed. */
  reset(): void {
    this.queued = [];
    this.standing = [];
    this.schedule?.restart();
  }
}
