/**
 * Getting the reporter's messages out: one at a time, in order, to every developer chat.
 *
 * A send that fails is not retried here (the `api`'s resilience engine, when there is one, already
 * retried what deserved it). The rest of that report is dropped for that chat, and the first failure
 * per chat is told once through `process.emitWarning`. A chat that refuses for good (the bot was
 * removed: 403; a bad token: 401; no such chat) gets nothing more. Nothing here ever rejects.
 */
import { classify } from '../errors/classify.js';
import type { FailureKind } from '../errors/failure.js';
import type { ChatId, ReportSendExtra, ResolvedReporterOptions } from './options.js';
import type { Scrub } from './scrub.js';

/** Failures that will not go away by sending again to that chat. */
const FOR_GOOD: ReadonlySet<FailureKind> = new Set(['forbidden', 'unauthorized', 'not_found', 'chat_migrated']);

/** The `code` of the reporter's warnings, for `process.on('warning', ...)` filters. */
export const REPORTER_WARNING_CODE = 'TELEGRAM_RESILIENCE_REPORTER';

const EXTRA: ReportSendExtra = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } };

export interface Delivery {
  /** Queues the parts of one message (a report or a summary) for every chat. */
  enqueue(parts: readonly string[]): void;
  /** Resolves once everything queued so far went out (or failed). Never rejects. */
  idle(): Promise<void>;
}

/** Tells a problem through `process.emitWarning`, which must not throw into the caller either. */
export function warn(message: string): void {
  try {
    process.emitWarning(message, { code: REPORTER_WARNING_CODE });
  } catch {
    // Nowhere left to tell it.
  }
}

export function createDelivery(send: ResolvedReporterOptions['send'], chatIds: readonly ChatId[], scrub: Scrub): Delivery {
  const warned = new Set<ChatId>();
  const gone = new Set<ChatId>();
  let tail: Promise<void> = Promise.resolve();

  const failed = (chatId: ChatId, error: unknown) => {
    const failure = classify(error);
    const forGood = FOR_GOOD.has(failure.kind);
    if (forGood) gone.add(chatId);
    if (warned.has(chatId)) return;
    warned.add(chatId);
    const code = failure.code === undefined ? '' : ` ${failure.code}`;
    const what = forGood ? 'nothing more is sent there' : 'that report is dropped there; later ones are still tried';
    const description = failure.description ?? 'no description';
    warn(scrub(`error reporter: sending to chat ${chatId} failed (${failure.kind}${code}: ${description}); ${what}`));
  };

  const deliver = async (parts: readonly string[]) => {
    for (const chatId of chatIds) {
      for (const text of parts) {
        if (gone.has(chatId)) break;
        try {
          await send(chatId, text, EXTRA);
        } catch (error) {
          failed(chatId, error);
          break;
        }
      }
    }
  };

  return {
    enqueue(parts) {
      if (parts.length === 0) return;
      tail = tail.then(() => deliver(parts)).catch(() => {});
    },
    idle: () => tail,
  };
}
