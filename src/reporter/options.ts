/**
 * The options of `createErrorReporter`, documented once here, and their checking: anything wrong
 * or unknown is a `TypeError` naming the option, thrown by the factory before anything runs.
 */
import { checkOptions, isOptionsObject } from '../core/check-options.js';
import { boolean, hasMethods, nonEmptyString, type Check } from '../core/checks.js';
import { systemClock, type Clock } from '../core/clock.js';
import { tokenSpellings } from '../errors/scrub-token.js';

/** A chat to report to: its numeric id, or `@channelusername`. */
export type ChatId = number | string;

/** What every `sendMessage` of the reporter carries besides the chat and the text. */
export interface ReportSendExtra {
  parse_mode: 'HTML';
  link_preview_options: { is_disabled: true };
}

/** Sends one message. May return a promise; a rejection counts as a failed send. */
export type ReportSend = (chatId: ChatId, text: string, extra: ReportSendExtra) => unknown;

/** This package's client (`createBotApi`): `call('sendMessage', { chat_id, text, ...extra })`. */
export interface ReporterCallApi {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
}

/** grammY's `bot.api`, telegraf's `bot.telegram`: `sendMessage(chatId, text, extra)`. */
export interface ReporterSendMessageApi {
  sendMessage(chatId: number | string, text: string, other?: ReportSendExtra): Promise<unknown>;
  /** grammY and telegraf keep the token here; it is then scrubbed without being passed again. */
  readonly token?: string;
}

/** Which sections of a report are shown. All on by default. */
export interface ReportInclude {
  /** The update being handled. @default true */
  update?: boolean;
  /** The error's stack frames. @default true */
  stack?: boolean;
  /** The failed call's parameters (secret-named ones are always hidden). @default true */
  params?: boolean;
}

interface CommonOptions {
  /** One or more developer chats (user ids, group ids, `@channel`); every report goes to each. */
  chatIds: ChatId | readonly ChatId[];
  /**
   * How long a folding window lasts, in milliseconds: repeats within it are counted, not sent, and
   * one summary is sent when it ends.
   * @default 60_000
   */
  windowMs?: number;
  /**
   * Messages per window, in all (a report split in three counts three; summaries do not count).
   * Errors past it are counted in the summary. The first report of a window is always sent.
   * @default 6
   */
  maxPerWindow?: number;
  /**
   * The bot token, removed from everything sent in every spelling (as is, URL-encoded, in
   * `bot<token>` URLs). Read from `api.token` when that exists (grammY, telegraf); give it for a
   * `createBotApi` client, which keeps its token to itself. Token-shaped text is removed in any case.
   * @default api.token, else undefined
   */
  token?: string | undefined;
  /** Sections to show or leave out. @default all shown */
  include?: ReportInclude;
  /** Where time comes from (windows and their timers). @default systemClock */
  clock?: Clock;
}

/**
 * Options of `createErrorReporter`: how messages go out (`send`, or an `api` to call), where to,
 * and how hard to fold.
 */
export type ErrorReporterOptions = CommonOptions &
  (
    | {
        /** How a message goes out. `extra` carries `parse_mode: 'HTML'`. */
        send: ReportSend;
        api?: never;
      }
    | {
        /**
         * A client to send with: `createBotApi(...)` (its `call` goes through the resilience engine
         * when it has one: paced and flood-aware), or grammY's `bot.api`, or telegraf's `bot.telegram`.
         */
        api: ReporterCallApi | ReporterSendMessageApi;
        send?: never;
      }
  );

/** The options, checked, with defaults applied. */
export interface ResolvedReporterOptions {
  send: (chatId: ChatId, text: string, extra: ReportSendExtra) => Promise<unknown>;
  chatIds: readonly ChatId[];
  windowMs: number;
  maxPerWindow: number;
  token: string | undefined;
  include: Required<ReportInclude>;
  clock: Clock;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const WHERE = 'createErrorReporter';

function isChatId(value: unknown): value is ChatId {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value !== 0;
  return typeof value === 'string' && value.trim() !== '';
}

function hasMethod(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[name] === 'function';
}

/** How each option is checked; that exactly one of `send` and `api` is given is checked after. */
const OPTION_CHECKS = {
  send: (v: unknown) => (typeof v === 'function' ? undefined : 'a function (chatId, text, extra)'),
  api: (v: unknown) =>
    hasMethod(v, 'sendMessage') || hasMethod(v, 'call')
      ? undefined
      : 'a client with sendMessage(chatId, text, extra) (grammY, telegraf) or call(method, params) (createBotApi)',
  chatIds: (v: unknown) =>
    (Array.isArray(v) ? v.length > 0 && v.every(isChatId) : isChatId(v))
      ? undefined
      : 'a chat id (a non-zero integer or a non-empty string) or a non-empty array of them',
  windowMs: (v: unknown) =>
    typeof v === 'number' && v > 0 && v <= MAX_TIMER_MS ? undefined : `a number of milliseconds > 0 and <= ${MAX_TIMER_MS}`,
  maxPerWindow: (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_TIMER_MS ? undefined : `a whole number >= 1 and <= ${MAX_TIMER_MS}`,
  token: nonEmptyString,
  include: (v: unknown) => (isOptionsObject(v) ? undefined : 'an object such as { stack: false }'),
  clock: hasMethods('an object with now() and sleep(ms, signal)', 'now', 'sleep'),
} satisfies Record<keyof CommonOptions | 'send' | 'api', Check>;

const INCLUDE_CHECKS = { update: boolean, stack: boolean, params: boolean } satisfies Record<keyof ReportInclude, Check>;

function senderOf(send: unknown, api: unknown): ResolvedReporterOptions['send'] {
  if (send !== undefined && api !== undefined) throw new TypeError(`${WHERE}: give either option \`send\` or option \`api\`, not both`);
  if (send !== undefined) return async (chatId, text, extra) => (send as ReportSend)(chatId, text, extra);
  if (api === undefined) throw new TypeError(`${WHERE}: option \`send\` or option \`api\` is required`);
  const client = api as Partial<ReporterCallApi & ReporterSendMessageApi>;
  if (typeof client.sendMessage === 'function') return async (chatId, text, extra) => client.sendMessage!(chatId, text, extra);
  return async (chatId, text, extra) => client.call!('sendMessage', { chat_id: chatId, text, ...extra });
}

export function resolveOptions(options: unknown): ResolvedReporterOptions {
  const raw = checkOptions(WHERE, options, OPTION_CHECKS, { required: ['chatIds'], secrets: ['token'], spellings: tokenSpellings });
  const include = checkOptions(WHERE, raw.include, INCLUDE_CHECKS, { prefix: 'include.' });
  const send = senderOf(raw.send, raw.api);
  const apiToken = (raw.api as { token?: unknown } | undefined)?.token;
  const token = (raw.token as string | undefined) ?? (typeof apiToken === 'string' && apiToken !== '' ? apiToken : undefined);
  const chatIds = Array.isArray(raw.chatIds) ? (raw.chatIds as ChatId[]) : [raw.chatIds as ChatId];
  return {
    send,
    chatIds: [...new Set(chatIds)],
    windowMs: (raw.windowMs as number | undefined) ?? 60_000,
    maxPerWindow: (raw.maxPerWindow as number | undefined) ?? 6,
    token,
    include: { update: include.update !== false, stack: include.stack !== false, params: include.params !== false },
    clock: (raw.clock as Clock | undefined) ?? systemClock,
  };
}
