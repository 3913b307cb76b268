/** broadcast() against the simulator over real HTTP, with a real SQLite journal. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBotApi } from '../../src/botapi/index.js';
import { broadcast, isJournalMismatchError, openJournal, type BroadcastReport } from '../../src/broadcast/index.js';
import { createResilience, type Resilience } from '../../src/engine/resilience.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

const BLOCKED = 666;
const OLD_GROUP = -4001;
const SUPERGROUP = -1004001;

let dir: string;
let sim: Simulator;
let engines: Resilience[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tgr-broadcast-'));
  sim = await startSimulator({ limits: false, blockedUsers: [BLOCKED], migratedGroups: { [OLD_GROUP]: SUPERGROUP } });
  engines = [];
});
afterEach(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function client(options: Parameters<typeof createResilience>[0] = {}) {
  const resilience = createResilience({ throttle: true, baseDelayMs: 5, maxDelayMs: 20, ...options });
  engines.push(resilience);
  return { api: createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience, timeoutMs: 2_000 }), resilience };
}

const users = (n: number, from = 1001) => Array.from({ length: n }, (_, i) => from + i);
const accounted = (r: BroadcastReport) => r.sent + r.skipped + r.blocked.length + r.failed.length + r.uncertain.length;

describe('broadcast', () => {
  it('sends once to each recipient, reports blocked and migrated chats, and a rerun sends nothing', async () => {
    const journal = join(dir, 'news.sqlite');
    const recipients = [...users(40), BLOCKED, OLD_GROUP, 1001, '@channel_news'];
    const { api, resilience } = client();
    const message = { params: { text: 'news' } };
    const report = await broadcast({ api, resilience, recipients, message, journal, paid: true });
    expect(report).toMatchObject({ total: 43, sent: 42, skipped: 0, blocked: [BLOCKED], failed: [], uncertain: [] });
    expect(report.migrated).toEqual([{ from: OLD_GROUP, to: SUPERGROUP }]);
    expect(accounted(report)).toBe(report.total);
    for (const chat of users(40)) expect(sim.deliveredTo(chat)).toHaveLength(1);
    expect(sim.deliveredTo(SUPERGROUP)).toHaveLength(1);
    expect(sim.deliveredTo('@channel_news')).toHaveLength(1);
    expect(sim.ledger()).toHaveLength(42);

    const requests = sim.requests().length;
    const again = await broadcast({ api, recipients, message, journal, paid: true });
    expect(again).toMatchObject({ total: 43, sent: 0, skipped: 42, blocked: [BLOCKED], migrated: [{ from: OLD_GROUP, to: SUPERGROUP }] });
    expect(sim.requests().length).toBe(requests);

    const state = await openJournal(journal);
    expect(state.counts).toMatchObject({ sent: 42, blocked: 1, pending: 0, sending: 0, uncertain: 0 });
    expect(state.runs).toBe(2);
  });

  it('follows a migration itself when the api does not', async () => {
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot });
    const report = await broadcast({ api, recipients: [OLD_GROUP, 1001], message: { params: { text: 'x' } }, journal: join(dir, 'j.sqlite') });
    expect(report).toMatchObject({ total: 2, sent: 2, migrated: [{ from: OLD_GROUP, to: SUPERGROUP }] });
    expect(sim.deliveredTo(SUPERGROUP)).toHaveLength(1);
  });

  it('an answer lost after delivery is uncertain, never resent unasked; resendUncertain resends exactly it', async () => {
    const journal = join(dir, 'j.sqlite');
    const { api } = client();
    sim.queueFault('reset_after', { method: 'sendMessage', chatId: 1003 });
    const recipients = users(6);
    const message = { params: { text: 'hello' } };
    const first = await broadcast({ api, recipients, message, journal, paid: true });
    expect(first).toMatchObject({ total: 6, sent: 5, uncertain: [1003] });
    expect(sim.deliveredTo(1003)).toHaveLength(1);

    const rerun = await broadcast({ api, recipients, message, journal, paid: true });
    expect(rerun).toMatchObject({ sent: 0, skipped: 5, uncertain: [1003] });
    expect(sim.deliveredTo(1003)).toHaveLength(1);

    const resent = await broadcast({ api, recipients, message, journal, paid: true, resendUncertain: true });
    expect(resent).toMatchObject({ sent: 1, skipped: 5, uncertain: [] });
    expect(sim.deliveredTo(1003)).toHaveLength(2); // the user asked for it: the one possible duplicate
    for (const chat of [1001, 1002, 1004, 1005, 1006]) expect(sim.deliveredTo(chat)).toHaveLength(1);
  });

  it('a failure that surely never reached Telegram is retried by a rerun; a permanent one only with retryFailed', async () => {
    const journal = join(dir, 'j.sqlite');
    // Each run is a new engine, as each CLI run is a new process: the 429's 30 s gate does not carry over.
    const api = () => client({ floodSleepThreshold: 1 }).api;
    sim.queueFault('429', { method: 'sendMessage', chatId: 1002, retryAfter: 30 });
    let empty = true;
    const message = { params: (chat: number | string) => ({ text: chat === 1003 && empty ? '' : 'hi' }) };
    const first = await broadcast({ api: api(), recipients: users(3), message, journal });
    expect(first.sent).toBe(1);
    expect(first.failed).toEqual([
      { chatId: 1002, kind: 'flood', description: expect.stringMatching(/Too Many Requests/) },
      { chatId: 1003, kind: 'bad_request', description: 'Bad Request: message text is empty' },
    ]);
    const second = await broadcast({ api: api(), recipients: users(3), message, journal });
    expect(second).toMatchObject({ sent: 1, skipped: 1, failed: [{ chatId: 1003, kind: 'bad_request' }] });
    empty = false;
    const third = await broadcast({ api: api(), recipients: users(3), message, journal, retryFailed: true });
    expect(third).toMatchObject({ sent: 1, skipped: 2, failed: [] });
    for (const chat of users(3)) expect(sim.deliveredTo(chat)).toHaveLength(1);
  });

  it('reads an async stream, repeated recipients once, and builds the message per chat', async () => {
    async function* stream() {
      for (const chat of [1001, 1002, 1001, '@Some_User', '@some_user']) yield chat;
    }
    const { api } = client();
    const report = await broadcast({
      api,
      recipients: stream(),
      message: { method: 'sendMessage', params: (chat) => ({ text: `hi ${chat}` }) },
      journal: join(dir, 'j.sqlite'),
    });
    expect(report).toMatchObject({ total: 3, sent: 3 });
    expect(sim.deliveredTo(1001).map((e) => e.text)).toEqual(['hi 1001']);
    expect(sim.deliveredTo('@some_user')).toHaveLength(1);
  });

  it('a journal belongs to one message: another text is refused before anything is sent', async () => {
    const journal = join(dir, 'j.sqlite');
    const { api } = client();
    await broadcast({ api, recipients: [1001], message: { params: { text: 'one' } }, journal });
    const other = broadcast({ api, recipients: [1002], message: { params: { text: 'two' } }, journal });
    await expect(other).rejects.toSatisfy(isJournalMismatchError);
    expect(sim.deliveredTo(1002)).toHaveLength(0);
    // paying does not change the message
    await expect(broadcast({ api, recipients: [1002], message: { params: { text: 'one' } }, journal, paid: true })).resolves.toMatchObject({ sent: 1 });
  });

  it('a stop returns the report; a rerun finishes the rest, each delivered once', async () => {
    const journal = join(dir, 'j.sqlite');
    const { api } = client();
    const stop = new AbortController();
    const recipients = users(90);
    const message = { params: { text: 'x' } };
    let progressCalls = 0;
    // 30/s (not paid): about 3 s for all, stopped after 1 s.
    setTimeout(() => stop.abort(), 1_000);
    const started = Date.now();
    const first = await broadcast({ api, recipients, message, journal, signal: stop.signal, stopGraceMs: 1_000, onProgress: () => progressCalls++ });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(first.total).toBeLessThan(90);
    expect(accounted(first)).toBe(first.total);
    expect(progressCalls).toBeGreaterThan(1);
    const rest = await broadcast({ api, recipients, message, journal, paid: true });
    expect(rest.sent + rest.skipped + rest.uncertain.length).toBe(90);
    for (const chat of recipients) expect(sim.deliveredTo(chat).length).toBe(rest.uncertain.includes(chat) ? expect.any(Number) : 1);
    expect(rest.skipped).toBe(first.sent);
  });
});

describe('broadcast: bad input', () => {
  const api = { call: async () => ({ message_id: 1 }) };
  const base = () => ({ api, recipients: [1], message: { params: { text: 'x' } }, journal: join(dir, 'j.sqlite') });

  it.each([
    ['recipent', 'unknown option `recipent` (did you mean `recipients`?)'],
    ['maxInflight', 'unknown option `maxInflight` (did you mean `maxInFlight`?)'],
    ['pied', 'unknown option `pied` (did you mean `paid`?)'],
    ['resendUncertian', 'unknown option `resendUncertian` (did you mean `resendUncertain`?)'],
  ])('names the unknown option %s with the one it was probably meant to be', async (key, words) => {
    await expect(broadcast({ ...base(), [key]: true } as never)).rejects.toThrow(new TypeError(`broadcast: ${words}`));
  });

  it.each([
    ['api', {}, 'an object with call(method, params, { signal }), such as createBotApi(...)', 'an object'],
    ['recipients', 5, 'an Iterable or AsyncIterable of chat ids (numbers or "@username")', '5'],
    ['recipients', '1001', 'an Iterable or AsyncIterable of chat ids (numbers or "@username")', '"1001"'],
    ['message', 'hi', 'a function (chatId) => params, or { method?, params }', '"hi"'],
    ['journal', 3, 'the path of a SQLite file, or a BroadcastJournal (open, claim, record, summary, close)', '3'],
    ['journal', '', 'the path of a SQLite file, or a BroadcastJournal (open, claim, record, summary, close)', '""'],
    ['paid', 'yes', 'a boolean', '"yes"'],
    ['resendUncertain', 1, 'a boolean', '1'],
    ['retryFailed', null, 'a boolean', 'null'],
    ['signal', {}, 'an AbortSignal', 'an object'],
    ['onProgress', 'log', 'a function', '"log"'],
    ['resilience', {}, 'an engine from createResilience(...) (with onFloodWait)', 'an object'],
    ['maxInFlight', 0, 'a whole number >= 1', '0'],
    ['maxInFlight', 1.5, 'a whole number >= 1', '1.5'],
    ['stopGraceMs', -1, 'a whole number >= 0', '-1'],
    ['stopGraceMs', Infinity, 'a whole number >= 0', 'Infinity'],
  ])('rejects option %s = %j, saying what it must be', async (key, value, expected, given) => {
    await expect(broadcast({ ...base(), [key]: value } as never)).rejects.toThrow(
      new TypeError(`broadcast: option \`${key}\` must be ${expected}, got ${given}`),
    );
  });

  it.each([
    [{ text: 'x' }, 'unknown option `message.text` (known: message.method, message.params)'],
    [{ parms: { text: 'x' } }, 'unknown option `message.parms` (did you mean `message.params`?)'],
    [{ method: 'sendMessage' }, 'option `message.params` is required: an object, or a function (chatId) => params'],
    [{ method: 'send message', params: {} }, 'option `message.method` must be a Bot API method name such as "sendMessage", got "send message"'],
    [{ method: 7, params: {} }, 'option `message.method` must be a Bot API method name such as "sendMessage", got 7'],
    [{ params: 'x' }, 'option `message.params` must be an object, or a function (chatId) => params, got "x"'],
    [{ params: [] }, 'option `message.params` must be an object, or a function (chatId) => params, got an array'],
  ])('checks the keys of message %j', async (message, words) => {
    await expect(broadcast({ ...base(), message } as never)).rejects.toThrow(new TypeError(`broadcast: ${words}`));
  });

  it.each(['api', 'recipients', 'message', 'journal'])('requires option %s', async (key) => {
    const options: Record<string, unknown> = base();
    delete options[key];
    await expect(broadcast(options as never)).rejects.toThrow(new RegExp(`^broadcast: option \`${key}\` is required: `));
  });

  it('accepts every option given, valid, and sends', async () => {
    const { api, resilience } = client();
    let progressCalls = 0;
    const report = await broadcast({
      api,
      resilience,
      recipients: (async function* () {
        yield* [1001, 1002];
      })(),
      message: { method: 'sendMessage', params: (chat) => ({ text: `hi ${chat}` }) },
      journal: join(dir, 'full.sqlite'),
      paid: true,
      resendUncertain: false,
      retryFailed: true,
      signal: new AbortController().signal,
      onProgress: () => void progressCalls++,
      maxInFlight: 4,
      stopGraceMs: 0,
    });
    expect(report).toMatchObject({ total: 2, sent: 2, failed: [], uncertain: [] });
    expect(sim.deliveredTo(1002)).toHaveLength(1);
    expect(progressCalls).toBeGreaterThan(0);
  });

  it('an invalid recipient in the stream stops the run; the ones read with it stay pending', async () => {
    const journal = join(dir, 'j.sqlite');
    await expect(broadcast({ ...base(), recipients: [1, 2, 'not a chat', 3], journal })).rejects.toThrow(/recipient #3 is not a chat id/);
    const state = await openJournal(journal);
    expect(state.counts).toMatchObject({ pending: 2, sending: 0, sent: 0 });
  });
});
