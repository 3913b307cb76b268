/** `broadcast()`'s options, checked at the boundary: anything unknown or mistyped is a TypeError naming it. */
import { messageFingerprint } from './fingerprint.js';
import type { BroadcastJournal, ChatId } from './journal.js';
import { sqliteJournal } from './sqlite-journal.js';
import type { BroadcastApi, BroadcastOptions, MessageParams } from './types.js';

const WHERE = 'broadcast';
const KNOWN = new Set([
  'api',
  'recipients',
  'message',
  'journal',
  'paid',
  'resendUncertain',
  'retryFailed',
  'signal',
  'onProgress',
  'resilience',
  'maxInFlight',
  'stopGraceMs',
]);
const METHOD = /^[A-Za-z][A-Za-z0-9_]*$/;
const JOURNAL_METHODS = ['open', 'claim', 'record', 'summary', 'close'] as const;

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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(option: string, expected: string): never {
  throw new TypeError(`${WHERE}: option "${option}" must be ${expected}`);
}

function flag(options: Record<string, unknown>, name: string): boolean {
  const value = options[name] ?? false;
  if (typeof value !== 'boolean') fail(name, 'a boolean');
  return value;
}

function positive(options: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(name, `a whole number >= ${min}`);
  return value;
}

function resolveMessage(message: unknown): Pick<ResolvedBroadcast, 'method' | 'paramsFor' | 'fingerprint'> {
  const expected = 'a function (chatId) => params, or { method?, params } with params an object or such a function';
  if (typeof message === 'function') {
    const build = message as (chatId: ChatId) => MessageParams;
    return { method: 'sendMessage', paramsFor: build, fingerprint: messageFingerprint('sendMessage', build) };
  }
  if (!isObject(message)) fail('message', expected);
  for (const key of Object.keys(message)) {
    if (key !== 'method' && key !== 'params') throw new TypeError(`${WHERE}: unknown option "message.${key}"`);
  }
  const method = message.method ?? 'sendMessage';
  if (typeof method !== 'string' || !METHOD.test(method)) fail('message.method', 'a Bot API method name such as "sendMessage"');
  const params = message.params;
  if (typeof params === 'function') {
    const build = params as (chatId: ChatId) => MessageParams;
    return { method, paramsFor: build, fingerprint: messageFingerprint(method, build) };
  }
  if (!isObject(params)) fail('message.params', expected);
  return { method, paramsFor: () => params, fingerprint: messageFingerprint(method, params) };
}

export function resolveOptions(options: BroadcastOptions): ResolvedBroadcast {
  if (!isObject(options)) throw new TypeError(`${WHERE}: options must be an object`);
  const raw = options as unknown as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new TypeError(`${WHERE}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);

  const api = raw.api;
  if (!isObject(api) || typeof api.call !== 'function') fail('api', 'an object with call(method, params, { signal }), such as createBotApi(...)');
  const recipients = raw.recipients;
  const iterable =
    isObject(recipients) || Array.isArray(recipients)
      ? typeof (recipients as Record<symbol, unknown>)[Symbol.iterator] === 'function' ||
        typeof (recipients as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
      : false;
  if (!iterable) fail('recipients', 'an Iterable or AsyncIterable of chat ids (numbers or "@username")');

  let journal: BroadcastJournal;
  if (typeof raw.journal === 'string' && raw.journal !== '') journal = sqliteJournal(raw.journal);
  else if (isObject(raw.journal) && JOURNAL_METHODS.every((m) => typeof (raw.journal as Record<string, unknown>)[m] === 'function')) {
    journal = raw.journal as unknown as BroadcastJournal;
  } else fail('journal', `the path of a SQLite file, or a BroadcastJournal (${JOURNAL_METHODS.join(', ')})`);

  const signal = raw.signal;
  if (signal !== undefined && !(isObject(signal) && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
    fail('signal', 'an AbortSignal');
  }
  if (raw.onProgress !== undefined && typeof raw.onProgress !== 'function') fail('onProgress', 'a function');
  const resilience = raw.resilience;
  if (resilience !== undefined && !(isObject(resilience) && typeof resilience.onFloodWait === 'function')) {
    fail('resilience', 'an engine from createResilience(...) (with onFloodWait)');
  }
  const paid = flag(raw, 'paid');
  return {
    api: api as unknown as BroadcastApi,
    recipients: recipients as ResolvedBroadcast['recipients'],
    ...resolveMessage(raw.message),
    journal,
    paid,
    resendUncertain: flag(raw, 'resendUncertain'),
    retryFailed: flag(raw, 'retryFailed'),
    signal: signal as AbortSignal | undefined,
    onProgress: raw.onProgress as BroadcastOptions['onProgress'],
    resilience: resilience as BroadcastOptions['resilience'],
    maxInFlight: positive(raw, 'maxInFlight', paid ? 500 : 16, 1),
    stopGraceMs: positive(raw, 'stopGraceMs', 2000, 0),
  };
}
