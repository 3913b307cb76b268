/**
 * `createErrorReporter`: the "good error handler" that sends errors to the developers' chat, made
 * storm-proof. Each error becomes a Telegram HTML report (split when over 4,096 characters); errors
 * of one fingerprint within a window are sent once and counted, with a cap on messages per window,
 * and one summary when the window ends. The token never leaves; a failing send never throws.
 *
 * @example
 * const reporter = createErrorReporter({ api: bot.api, chatIds: -1001234567890 });
 * bot.catch((err) => reporter.report(err.error, { update: err.ctx.update }));
 */
import { createDelivery, warn } from './delivery.js';
import { errorFacts, fingerprintOf } from './fingerprint.js';
import { createFoldWindow } from './fold-window.js';
import { formatReport, formatSummary, type ReportContext } from './format.js';
import { splitTelegramHtml } from './html.js';
import { resolveOptions, type ErrorReporterOptions } from './options.js';
import { createScrub } from './scrub.js';
import { safeGet } from '../errors/shapes.js';

export interface ErrorReporter {
  /**
   * Reports `error` (anything thrown; a grammY `BotError` is unwrapped, its `ctx.update` used).
   * Returns at once: the message goes out in the background, in order. Never throws. Ignored after
   * `close()`.
   */
  report(error: unknown, context?: ReportContext): void;
  /** Ends the current window (sending its summary) and resolves once everything queued went out. Never rejects. */
  flush(): Promise<void>;
  /** `flush()`, then stops the window timer; nothing is sent afterwards. Idempotent; never rejects. */
  close(): Promise<void>;
}

/** grammY's `BotError` wraps what the middleware threw and carries `ctx`: report the inner error with its update. */
function unwrap(error: unknown, context: ReportContext | undefined): [unknown, ReportContext] {
  // Copied field by field: the context may be a framework object whose getters throw.
  const given: ReportContext = {
    update: safeGet(context, 'update'),
    method: typeof safeGet(context, 'method') === 'string' ? (safeGet(context, 'method') as string) : undefined,
    params: safeGet(context, 'params'),
    extra: safeGet(context, 'extra'),
  };
  const ctx = safeGet(error, 'ctx');
  if (safeGet(error, 'name') !== 'BotError' || ctx === undefined || safeGet(error, 'error') === undefined) return [error, given];
  return [safeGet(error, 'error'), { ...given, update: given.update ?? safeGet(ctx, 'update') }];
}

/**
 * Creates an error reporter. Throws a `TypeError` naming the option when an option is missing,
 * mistyped or unknown; nothing else it returns ever throws.
 */
export function createErrorReporter(options: ErrorReporterOptions): ErrorReporter {
  const { send, chatIds, windowMs, maxPerWindow, token, include, clock } = resolveOptions(options);
  const scrub = createScrub(token);
  const window = createFoldWindow(maxPerWindow, windowMs);
  const delivery = createDelivery(send, chatIds, scrub);
  let timer: AbortController | undefined;
  let closing: Promise<void> | undefined;
  let internalWarned = false;

  const endWindow = () => {
    timer?.abort();
    timer = undefined;
    const summary = window.close(clock.now());
    if (summary) delivery.enqueue(splitTelegramHtml(formatSummary(summary, scrub)));
  };

  const startTimer = () => {
    const controller = new AbortController();
    timer = controller;
    // Unref'd: a pending summary must not keep the process alive (close() sends it on shutdown).
    clock.sleep(windowMs, controller.signal, { unref: true }).then(
      () => {
        if (timer === controller) endWindow();
      },
      () => {},
    );
  };

  const guarded = (what: string, action: () => void) => {
    try {
      action();
    } catch (error) {
      // A bug of ours must not take the bot down from inside its error handler: say it once.
      if (internalWarned) return;
      internalWarned = true;
      warn(scrub(`error reporter: ${what} failed: ${String(error instanceof Error ? error.message : error)}`));
    }
  };

  return {
    report(error, context) {
      if (closing) return;
      guarded('report', () => {
        const [inner, ctx] = unwrap(error, context);
        const facts = errorFacts(inner);
        const opensWindow = !window.isOpen;
        let parts: string[] = [];
        const countParts = () => (parts = splitTelegramHtml(formatReport(inner, ctx, include, scrub))).length;
        const verdict = window.admit(fingerprintOf(facts), facts, clock.now(), countParts);
        if (opensWindow) startTimer();
        if (verdict === 'send') delivery.enqueue(parts);
      });
    },
    flush() {
      if (!closing) guarded('flush', endWindow);
      return delivery.idle();
    },
    close() {
      closing ??= (async () => {
        guarded('close', endWindow);
        await delivery.idle();
      })();
      return closing;
    },
  };
}
