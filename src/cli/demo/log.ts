/**
 * The demo's event log. Engine events do not say which message they are about, so each call runs
 * inside an AsyncLocalStorage context naming it (`#12 -> user 1003`); listeners read it back.
 * Every line passes a token filter: the demo must never print the bot token, and if something
 * ever tried to, the line is redacted and the run fails.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Resilience } from '../../engine/resilience.js';
import { formatDelay } from '../../engine/decision-table.js';
import type { CliIo } from '../args.js';
import { shortDescription } from '../describe.js';

/** What the log knows about the call an event belongs to. */
export interface CallContext {
  label: string;
  /** Set by the give-up listener: the engine's reason, in words. */
  giveUpReason?: string;
}

export interface EventCounts {
  floodWaits: number;
  backoffs: number;
  chatMigrations: number;
  dcMigrations: number;
  giveUps: number;
}

export class DemoLog {
  readonly counts: EventCounts = { floodWaits: 0, backoffs: 0, chatMigrations: 0, dcMigrations: 0, giveUps: 0 };
  /** True when a line had to be redacted because it contained the token. */
  tokenLeaked = false;
  private readonly context = new AsyncLocalStorage<CallContext>();
  private readonly secrets: string[];

  constructor(
    private readonly io: CliIo,
    token: string,
    private readonly now: () => number,
    private readonly startedAt: number,
  ) {
    this.secrets = [...new Set([token, encodeURIComponent(token)])].filter((s) => s.length > 0);
  }

  /** Runs `fn` with `context` visible to the event listeners. */
  within<T>(context: CallContext, fn: () => Promise<T>): Promise<T> {
    return this.context.run(context, fn);
  }

  /** A plain line, prefixed with the time since the start. */
  line(text: string): void {
    this.write(`[${((this.now() - this.startedAt) / 1000).toFixed(2).padStart(6)}s] ${text}`);
  }

  /** Writes a line as is (headers, the summary), through the token filter. */
  write(text: string): void {
    let safe = text;
    for (const secret of this.secrets) {
      if (safe.includes(secret)) {
        this.tokenLeaked = true;
        safe = safe.split(secret).join('<token>');
      }
    }
    this.io.stdout.write(`${safe}\n`);
  }

  /** Subscribes to the engine's events; returns a function that unsubscribes. */
  listen(resilience: Resilience): () => void {
    const label = () => this.context.getStore()?.label ?? '(unknown call)';
    const what = (description: string | undefined) => (description ? ` (${description})` : '');
    const disposers = [
      resilience.onFloodWait((e) => {
        this.counts.floodWaits++;
        this.line(`flood wait  ${label()}: ${e.method} was told to wait ${formatDelay(e.retryAfterMs)}; pausing ${formatDelay(e.delayMs)}`);
      }),
      resilience.onRetry((e) => {
        if (e.action !== 'backoff') return; // sleeps and migrations have their own lines
        this.counts.backoffs++;
        this.line(
          `retry       ${label()}: ${e.method} failed with ${e.failure.kind}${what(shortDescription(e.failure, 60))}; ` +
            `backing off ${formatDelay(e.delayMs)}, then attempt ${e.attempt + 1}`,
        );
      }),
      resilience.onChatMigrate((e) => {
        this.counts.chatMigrations++;
        this.line(`migrated    ${label()}: group ${e.fromChatId} is now supergroup ${e.toChatId}; resending there (later calls go straight to it)`);
      }),
      resilience.onDcMigrate((e) => {
        this.counts.dcMigrations++;
        this.line(`DC move     ${label()}: ${e.method} goes to DC ${e.toDc}`);
      }),
      resilience.onGiveUp((e) => {
        this.counts.giveUps++;
        const context = this.context.getStore();
        if (context) context.giveUpReason = e.reason;
        const attempts = `${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`;
        this.line(`gave up     ${label()}: ${e.method} after ${attempts}: ${e.reason}${what(shortDescription(e.failure, 70))}`);
      }),
    ];
    return () => disposers.forEach((dispose) => dispose());
  }
}
