/** Pushed updates and getUpdates long polling, on a manual clock, over real HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { callForm, callJson, type HttpResult } from './helpers.js';

let sim: Simulator | undefined;
let clock: ManualClock;

async function start(): Promise<Simulator> {
  clock = createManualClock(1_700_000_000_000);
  sim = await startSimulator({ clock, limits: false });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(condition()).toBe(true);
}

/** Resolves once the simulator holds a getUpdates (a sleep on the clock). */
const polling = () => waitFor(() => clock.pending() === 1);

describe('pushUpdate', () => {
  it('returns growing update_ids and fills message_id (shared with the bot per chat), date, chat, from, command entities', async () => {
    const s = await start();
    await callJson(s, 'sendMessage', { chat_id: 42, text: 'bot first' });
    expect(s.pushUpdate({ message: { chat: { id: 42 }, text: '/start now' } })).toBe(1);
    expect(s.pushUpdate({ message: { chat: { id: -7 }, text: 'in a group', from: { id: 42, is_bot: false, first_name: 'Ann' } } })).toBe(2);
    const { json } = await callJson(s, 'getUpdates');
    expect(json.result[0]).toEqual({
      update_id: 1,
      message: {
        message_id: 2,
        date: 1_700_000_000,
        chat: { id: 42, type: 'private', first_name: 'User 42' },
        from: { id: 42, is_bot: false, first_name: 'User 42' },
        text: '/start now',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    });
    expect(json.result[1].message).toMatchObject({ message_id: 1, chat: { id: -7, type: 'group' }, from: { first_name: 'Ann' } });
    expect(json.result[1].message.entities).toBeUndefined();
    // The bot's next message in chat 42 comes after the user's.
    expect((await callJson(s, 'sendMessage', { chat_id: 42, text: 'reply' })).json.result.message_id).toBe(3);
  });

  it('keeps given ids and fields, and refuses malformed updates with a TypeError naming the field', async () => {
    const s = await start();
    expect(s.pushUpdate({ update_id: 500, message: { message_id: 9, date: 1, chat: { id: 5, type: 'private' }, text: 'x' } })).toBe(500);
    expect(s.pushUpdate({ callback_query: { from: { id: 5, is_bot: false, first_name: 'A' }, data: 'up' } })).toBe(501);
    expect(() => s.pushUpdate({ update_id: 3, message: { chat: { id: 5 } } })).toThrow(/update_id must be a whole number >= 502/);
    expect(() => s.pushUpdate({ mesage: { chat: { id: 5 } } })).toThrow(/unknown update field "mesage"/);
    expect(() => s.pushUpdate({ message: { text: 'no chat' } })).toThrow(/message\.chat\.id/);
    expect(() => s.pushUpdate({ message: { chat: { id: 1 } }, callback_query: {} })).toThrow(/exactly one update field/);
    expect(() => s.pushUpdate({ callback_query: { data: 'x' } })).toThrow(/callback_query\.from/);
    const [first, second] = (await callJson(s, 'getUpdates')).json.result;
    expect(first.message).toMatchObject({ message_id: 9, date: 1 });
    expect(second.callback_query).toMatchObject({ id: expect.any(String), data: 'up', chat_instance: '5' });
    // A pushed callback query can be answered once.
    const answer = (id: string) => callJson(s, 'answerCallbackQuery', { callback_query_id: id, text: 'ok' });
    expect((await answer(second.callback_query.id)).json).toEqual({ ok: true, result: true });
    expect((await answer(second.callback_query.id)).json.description).toMatch(/query is too old/);
    expect((await callJson(s, 'sendMessage', { chat_id: 5, text: 'after id 9' })).json.result.message_id).toBe(10);
  });
});

describe('getUpdates', () => {
  it('confirms by offset, caps by limit, keeps the last -offset updates for a negative offset', async () => {
    const s = await start();
    for (let i = 0; i < 5; i++) s.pushUpdate({ message: { chat: { id: 1 }, text: `m${i}` } });
    const ids = (r: HttpResult) => r.json.result.map((u: { update_id: number }) => u.update_id);
    expect(ids(await callJson(s, 'getUpdates', { limit: 2 }))).toEqual([1, 2]);
    expect(ids(await callJson(s, 'getUpdates', { limit: 2 }))).toEqual([1, 2]);
    expect(ids(await callForm(s, 'getUpdates', { offset: '3', limit: '2' }))).toEqual([3, 4]);
    expect(ids(await callJson(s, 'getUpdates', { offset: -1 }))).toEqual([5]);
    expect(ids(await callJson(s, 'getUpdates', { offset: 0 }))).toEqual([5]);
    expect(ids(await callJson(s, 'getUpdates', { offset: 6 }))).toEqual([]);
    expect((await callJson(s, 'getWebhookInfo')).json.result).toEqual({ url: '', has_custom_certificate: false, pending_update_count: 0 });
  });

  it('holds the request until an update is pushed', async () => {
    const s = await start();
    let answer: HttpResult | undefined;
    const pending = callJson(s, 'getUpdates', { timeout: 30 }).then((r) => (answer = r));
    await polling();
    await clock.advance(29_000);
    expect(answer).toBeUndefined();
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'wake up' } });
    await pending;
    expect(answer!.json.result.map((u: any) => u.message.text)).toEqual(['wake up']);
    expect(clock.pending()).toBe(0);
  });

  it('answers [] once the timeout passes on the clock', async () => {
    const s = await start();
    let answer: HttpResult | undefined;
    const pending = callJson(s, 'getUpdates', { timeout: 10 }).then((r) => (answer = r));
    await polling();
    await clock.advance(9_999);
    await new Promise((r) => setTimeout(r, 20));
    expect(answer).toBeUndefined();
    await clock.advance(1);
    await pending;
    expect(answer!.json).toEqual({ ok: true, result: [] });
  });

  it('a second poller ends the waiting one with 409', async () => {
    const s = await start();
    const first = callJson(s, 'getUpdates', { timeout: 30 });
    await polling();
    const second = callJson(s, 'getUpdates', { timeout: 30 });
    const conflict = await first;
    expect([conflict.status, conflict.json]).toEqual([
      409,
      { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' },
    ]);
    await polling();
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'to the second' } });
    expect((await second).json.result).toHaveLength(1);
    expect(s.requests({ method: 'getUpdates' }).map((r) => r.outcome)).toEqual(['409', 'ok']);
  });

  it('allowed_updates decides which updates are created from then on; chat_member is opt-in by default', async () => {
    const s = await start();
    const member = { chat: { id: -5, type: 'group', title: 'G' }, from: { id: 1, is_bot: false, first_name: 'A' }, date: 1 };
    s.pushUpdate({ chat_member: member });
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'kept' } });
    const types = (r: HttpResult) => r.json.result.map((u: Record<string, unknown>) => Object.keys(u).find((k) => k !== 'update_id'));
    expect(types(await callJson(s, 'getUpdates', { offset: 1 }))).toEqual(['message']);
    expect(types(await callForm(s, 'getUpdates', { offset: '3', allowed_updates: JSON.stringify(['chat_member']) }))).toEqual([]);
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'dropped' } });
    s.pushUpdate({ chat_member: member });
    expect(types(await callJson(s, 'getUpdates'))).toEqual(['chat_member']);
    expect((await callJson(s, 'getUpdates', { allowed_updates: 'nope' })).status).toBe(400);
  });

  it('close() ends a waiting poll at once and leaves no timer', async () => {
    const s = await start();
    const pending = callJson(s, 'getUpdates', { timeout: 50 }).catch((error: unknown) => error);
    await polling();
    await s.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(clock.pending()).toBe(0);
  });
});
