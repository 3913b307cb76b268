/**
 * `createErrorReporter` is strict: an unknown key is a TypeError with the near name, each wrong value
 * says what it must be and what it got (never the token), and a full valid set is accepted and used.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createErrorReporter } from '../../src/reporter/index.js';
import type { ErrorReporterOptions } from '../../src/reporter/options.js';
import { recordingSend } from './helpers.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const MAX = 2 ** 31 - 1;
const send = () => {};
const CHAT_IDS = 'a chat id (a non-zero integer or a non-empty string) or a non-empty array of them';

describe('createErrorReporter options', () => {
  it.each<[string, unknown, string]>([
    ['a typo', { send, chatIds: 1, windowMS: 5 }, 'unknown option `windowMS` (did you mean `windowMs`?)'],
    ['a typo of chatIds', { send, chatId: 1 }, 'unknown option `chatId` (did you mean `chatIds`?)'],
    ['an unknown key', { send, chatIds: 1, parseMode: 'HTML' }, 'unknown option `parseMode` (known: send, api, chatIds, windowMs, maxPerWindow, token, include, clock)'],
    ['a typo inside include', { send, chatIds: 1, include: { stacks: false } }, 'unknown option `include.stacks` (did you mean `include.stack`?)'],
    ['no options', undefined, `option \`chatIds\` is required: ${CHAT_IDS}`],
    ['not an object', 'x', 'options must be an object, got a string'],
    ['no chatIds', { send }, `option \`chatIds\` is required: ${CHAT_IDS}`],
    ['no chat ids in the array', { send, chatIds: [] }, `option \`chatIds\` must be ${CHAT_IDS}, got an array`],
    ['a zero chat id', { send, chatIds: 0 }, `option \`chatIds\` must be ${CHAT_IDS}, got 0`],
    ['a zero chat id in the array', { send, chatIds: [1, 0] }, `option \`chatIds\` must be ${CHAT_IDS}, got an array`],
    ['neither send nor api', { chatIds: 1 }, 'option `send` or option `api` is required'],
    ['both send and api', { send, api: { call: async () => {} }, chatIds: 1 }, 'give either option `send` or option `api`, not both'],
    ['send not a function', { send: 'no', chatIds: 1 }, 'option `send` must be a function (chatId, text, extra), got "no"'],
    ['api without a method', { api: {}, chatIds: 1 }, 'option `api` must be a client with sendMessage(chatId, text, extra) (grammY, telegraf) or call(method, params) (createBotApi), got an object'],
    ['windowMs zero', { send, chatIds: 1, windowMs: 0 }, `option \`windowMs\` must be a number of milliseconds > 0 and <= ${MAX}, got 0`],
    ['windowMs too long for a timer', { send, chatIds: 1, windowMs: 2 ** 31 }, `option \`windowMs\` must be a number of milliseconds > 0 and <= ${MAX}, got ${2 ** 31}`],
    ['maxPerWindow fractional', { send, chatIds: 1, maxPerWindow: 1.5 }, `option \`maxPerWindow\` must be a whole number >= 1 and <= ${MAX}, got 1.5`],
    ['an empty token', { send, chatIds: 1, token: '' }, 'option `token` must be a non-empty string, got a string'],
    ['a token that is not a string', { send, chatIds: 1, token: 7 }, 'option `token` must be a non-empty string, got a number'],
    ['include not an object', { send, chatIds: 1, include: false }, 'option `include` must be an object such as { stack: false }, got false'],
    ['an include that is not a boolean', { send, chatIds: 1, include: { stack: 'no' } }, 'option `include.stack` must be a boolean, got "no"'],
    ['a clock without sleep', { send, chatIds: 1, clock: { now: () => 0 } }, 'option `clock` must be an object with now() and sleep(ms, signal), got an object'],
  ])('%s: a TypeError naming it', (_, options, words) => {
    expect(() => createErrorReporter(options as ErrorReporterOptions)).toThrow(new TypeError(`createErrorReporter: ${words}`));
  });

  it('never shows the token, even pasted where a number goes', () => {
    let thrown: unknown;
    try {
      createErrorReporter({ send, chatIds: 1, token: TOKEN, windowMs: TOKEN } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toEqual(new TypeError(`createErrorReporter: option \`windowMs\` must be a number of milliseconds > 0 and <= ${MAX}, got "<secret>"`));
    expect(`${(thrown as Error).message}\n${(thrown as Error).stack}`).not.toContain(TOKEN.split(':')[1]!.slice(0, 20));
  });

  it('accepts a full valid set, and uses it', async () => {
    const clock = createManualClock(1_700_000_000_000);
    const chat = recordingSend();
    const reporter = createErrorReporter({
      send: chat.send,
      chatIds: [-1001234567890, '@devs', -1001234567890],
      windowMs: 1_000,
      maxPerWindow: 2,
      token: TOKEN,
      include: { update: false, stack: false, params: true },
      clock,
    } satisfies Required<Omit<Extract<ErrorReporterOptions, { send: unknown }>, 'api'>>);
    reporter.report(new Error(`failed with ${TOKEN}`));
    await reporter.flush();
    expect(chat.sent.map((m) => m.chatId)).toEqual([-1001234567890, '@devs']);
    expect(chat.sent[0]!.text).not.toContain(TOKEN);
    await reporter.close();
    const api = { call: async () => true };
    await createErrorReporter({ api, chatIds: 1 }).close();
  });
});
