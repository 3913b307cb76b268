/**
 * The options of `createErrorReporter`, documented once here, and their checking: anything wrong
 * or unknown is a `TypeError` naming the option, thrown by the factory before anything runs.
 */
import { systemClock, type Clock } from '../core/clock.js';

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

const KNOWN = new Set(['send', 'api', 'chatIds', 'windowMs', 'maxPerWindow', 'token', 'include', 'clock']);
const INCLUDE_KEYS = new Set(['update', 'stack', 'params']);
const MAX_TIMER_MS = 2 ** 31 - 1;

const fail = (message: string): never => {
  throw new TypeError(`createErrorReporter: ${message}`);
};

function isChatId(value: unknown): value is ChatId {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value !== 0;
  return typeof value === 'string' && value.trim() !== '';
}

function checkChatIds(value: unknown): ChatId[] {
  const list = Array.isArray(value) ? [...(value as unknown[])] : [value];
  if (value === undefined || list.length === 0) fail('option `chatIds` is required: one chat id or a non-empty array of them');
  list.forEach((id) => isChatId(id) || fail('option `chatIds` must hold non-zero integer chat ids or non-empty strings'));
  return [...new Set(list as ChatId[])];
}

function checkInclude(value: unknown): Required<ReportInclude> {
  if (value === undefined) return { update: true, stack: true, params: true };
  if (typeof value !== 'object' || value === null) return fail('option `include` must be an object such as { stack: false }');
  const include = value as Record<string, unknown>;
  for (const key of Object.keys(include)) {
    if (!INCLUDE_KEYS.has(key)) fail(`unknown option \`include.${key}\` (known: update, stack, params)`);
    if (typeof include[key] !== 'boolean') fail(`option \`include.${key}\` must be a boolean`);
  }
  return { update: include.update !== false, stack: include.stack !== false, params: include.params !== false };
}

function senderOf(options: Record<string, unknown>): ResolvedReporterOptions['send'] {
  const { send, api } = options;
  if (send !== undefined && api !== undefined) fail('give either option `send` or option `api`, not both');
  if (send !== undefined) {
    if (typeof send !== 'function') fail('option `send` must be a function (chatId, text, extra)');
    return async (chatId, text, extra) => (send as ReportSend)(chatId, text, extra);
  }
  if (api === undefined) fail('option `send` or option `api` is required');
  const client = api as Partial<ReporterCallApi & ReporterSendMessageApi> | null;
  if (typeof client?.sendMessage === 'function') return async (chatId, text, extra) => client.sendMessage!(chatId, text, extra);
  if (typeof client?.call === 'function') {
    return async (chatId, text, extra) => client.call!('sendMessage', { chat_id: chatId, text, ...extra });
  }
  return fail('option `api` must have `sendMessage(chatId, text, extra)` (grammY, telegraf) or `call(method, params)` (createBotApi)');
}

function positive(options: Record<string, unknown>, key: string, fallback: number, integer: boolean): number {
  const value = options[key] ?? fallback;
  const ok = typeof value === 'number' && value > 0 && value <= MAX_TIMER_MS && (integer ? Number.isInteger(value) : Number.isFinite(value));
  if (!ok) fail(`option \`${key}\` must be a positive ${integer ? 'integer' : 'number'} up to ${MAX_TIMER_MS}`);
  return value as number;
}

export function resolveOptions(options: unknown): ResolvedReporterOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object with `chatIds` and `send` or `api`');
  const raw = options as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) fail(`unknown option \`${key}\``);
  const chatIds = checkChatIds(raw.chatIds);
  const send = senderOf(raw);
  const apiToken = (raw.api as { token?: unknown } | undefined)?.token;
  const token = raw.token ?? (typeof apiToken === 'string' && apiToken !== '' ? apiToken : undefined);
  if (token !== undefined && (typeof token !== 'string' || token === '')) fail('option `token` must be a non-empty string');
  const clock = (raw.clock ?? systemClock) as Clock;
  if (typeof clock?.now !== 'function' || typeof clock.sleep !== 'function') fail('option `clock` must have `now()` and `sleep(ms, signal, options)`');
  return {
    send,
    chatIds,
    windowMs: positive(raw, 'windowMs', 60_000, false),
    maxPerWindow: positive(raw, 'maxPerWindow', 6, true),
    token: token as string | undefined,
    include: checkInclude(raw.include),
    clock,
  };
}
