/**
 * The `message` option, checked in one place for every part that takes one (`broadcast()`,
 * `enqueueBroadcast()`): a function of the chat id, or `{ method?, params }` with `params` an
 * object or such a function. It comes back resolved, with the fingerprint its journal is bound to.
 */
import { checkOptions, isOptionsObject } from '../core/check-options.js';
import { checkOption, type Check } from '../core/checks.js';
import { messageFingerprint } from './fingerprint.js';
import type { ChatId } from './journal.js';
import type { BroadcastMessage, MessageParams } from './types.js';

/** A Bot API method name: `sendMessage`, `copyMessage`, ... (it becomes part of the request URL). */
const METHOD = /^[A-Za-z][A-Za-z0-9_]*$/;
const DEFAULT_METHOD = 'sendMessage';

type BuildParams = (chatId: ChatId) => MessageParams;
type MessageObject = Exclude<BroadcastMessage, BuildParams>;

/** The message, checked: fixed parameters, or parameters built per chat. */
export type CheckedMessage = { method: string; fingerprint: string } & (
  | { fixed: MessageParams; build?: never }
  | { build: BuildParams; fixed?: never }
);

const paramsOrBuilder = (v: unknown): boolean => typeof v === 'function' || isOptionsObject(v);

/** The `message` option as a whole, for a factory's table of checks (its keys are checked by `checkMessage`). */
export const messageCheck: Check = (v) => (paramsOrBuilder(v) ? undefined : 'a function (chatId) => params, or { method?, params }');

const MESSAGE_CHECKS = {
  method: (v: unknown) => (typeof v === 'string' && METHOD.test(v) ? undefined : 'a Bot API method name such as "sendMessage"'),
  params: (v: unknown) => (paramsOrBuilder(v) ? undefined : 'an object, or a function (chatId) => params'),
} satisfies Record<keyof MessageObject, Check>;

/** Checks the `message` option (a TypeError naming `message` or `message.<key>`) and resolves it. */
export function checkMessage(where: string, message: unknown): CheckedMessage {
  checkOption(where, 'message', message, messageCheck);
  if (typeof message === 'function') {
    const build = message as BuildParams;
    return { method: DEFAULT_METHOD, build, fingerprint: messageFingerprint(DEFAULT_METHOD, build) };
  }
  const checked = checkOptions(where, message, MESSAGE_CHECKS, { prefix: 'message.', required: ['params'] }) as MessageObject;
  const method = checked.method ?? DEFAULT_METHOD;
  const params = checked.params;
  if (typeof params === 'function') return { method, build: params, fingerprint: messageFingerprint(method, params) };
  return { method, fixed: params, fingerprint: messageFingerprint(method, params) };
}
