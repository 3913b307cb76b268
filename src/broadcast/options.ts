/** `broadcast()`'s options, checked at the boundary: anything unknown or mistyped is a TypeError naming it. */
import { checkOptions } from '../core/check-options.js';
import { boolean, func, hasMethods, wholePositive, type Check } from '../core/checks.js';
import type { BroadcastJournal, ChatId } from './journal.js';
import { checkMessage, messageCheck } from './message-option.js';
import { recipientsCheck } from './recipients-option.js';
import { sqliteJournal } from './sqlite-journal.js';
import type { BroadcastApi, BroadcastOptions, MessageParams } from './types.js';

const WHERE = 'broadcast';
const JOURNAL_METHODS = ['open', 'claim', 'record', 'summary', 'close'] as const;
const isJournal = hasMethods('a BroadcastJournal', ...JOURNAL_METHODS);

/** How each option is checked (`message`'s own keys by `checkMessage`). */
const OPTION_CHECKS = {
  api: hasMethods('an object with call(method, params, { signal }), such as createBotApi(...)', 'call'),
  recipients: recipientsCheck,
  message: messageCheck,
  journal: (v: unknown) =>
    (typeof v === 'string' && v !== '') || isJournal(v) === undefined
      ? undefined
      : `the path of a SQLite file, or a BroadcastJournal (${JOURNAL_METHODS.join(', ')})`,
  paid: boolean,
  resendUncertain: boolean,
  retryFailed: boolean,
  // Duck-typed rather than instanceof: a signal from another realm or polyfill works as well.
  signal: (v: unknown) =>
    typeof v === 'object' && v !== null && typeof (v as AbortSignal).aborted === 'boolean' && typeof (v as AbortSignal).addEventListener === 'function'
      ? undefined
      : 'an AbortSignal',
  onProgress: func,
  resilience: hasMethods('an engine from createResilience(...) (with onFloodWait)', 'onFloodWait'),
  maxInFlight: wholePositive,
  stopGraceMs: (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'a whole number >= 0'),
} satisfies Record<keyof BroadcastOptions, Check>;

export interface ResolvedBroadcast {
  api: BroadcastApi;
  recipients: Iterable<ChatId> | AsyncIterable<ChatId>;
  method: string;
  paramsFor: (chatId: ChatId) => MessageParams;
  fingerprint: string;
  journal: BroadcastJournal;
  paid: boolean;
  resendUncertain: boolean;
  retryFailed: boolean;
  signal: AbortSignal | undefined;
  onProgress: BroadcastOptions['onProgress'];
  resilience: BroadcastOptions['resilience'];
  maxInFlight: number;
  stopGraceMs: number;
}

export function resolveOptions(options: BroadcastOptions): ResolvedBroadcast {
  const raw = checkOptions(WHERE, options, OPTION_CHECKS, { required: ['api', 'recipients', 'message', 'journal'] }) as unknown as BroadcastOptions;
  const message = checkMessage(WHERE, raw.message);
  const paid = raw.paid ?? false;
  return {
    api: raw.api,
    recipients: raw.recipients,
    method: message.method,
    paramsFor: message.build ?? constant(message.fixed),
    fingerprint: message.fingerprint,
    journal: typeof raw.journal === 'string' ? sqliteJournal(raw.journal) : raw.journal,
    paid,
    resendUncertain: raw.resendUncertain ?? false,
    retryFailed: raw.retryFailed ?? false,
    signal: raw.signal,
    onProgress: raw.onProgress,
    resilience: raw.resilience,
    maxInFlight: raw.maxInFlight ?? (paid ? 500 : 16),
    stopGraceMs: raw.stopGraceMs ?? 2000,
  };
}

const constant =
  (params: MessageParams): ((chatId: ChatId) => MessageParams) =>
  () =>
    params;
