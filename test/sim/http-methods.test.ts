import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/core/clock.js';
import { DEFAULT_SIM_TOKEN, startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { callForm, callJson, request } from './helpers.js';

let sim: Simulator | undefined;
let clock: ManualClock;

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  clock = createManualClock(1_700_000_000_000);
  sim = await startSimulator({ clock, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('simulator: routing and auth', () => {
  it('listens on 127.0.0.1 with an ephemeral port and a realistic default token', async () => {
    const s = await start();
    expect(s.port).toBeGreaterThan(0);
    expect(s.apiRoot).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.token).toBe(DEFAULT_SIM_TOKEN);
    expect(s.token).toMatch(/^\d+:[A-Za-z0-9_-]{35}$/);
  });

  it('answers getMe with a bot User whose id is the token prefix, via POST and GET', async () => {
    const s = await start({ token: '987654:XYZ-custom' });
    const post = await callJson(s, 'getMe');
    expect(post.status).toBe(200);
    expect(post.json).toEqual({ ok: true, result: expect.objectContaining({ id: 987654, is_bot: true, username: expect.any(String) }) });
    const get = await request(s.methodUrl('getMe'));
    expect(get.json.result.id).toBe(987654);
  });

  it('answers 401 Unauthorized for a wrong token, and never logs any token', async () => {
    const s = await start();
    const wrong = '111:not-the-token';
    const result = await request(`${s.apiRoot}/bot${wrong}/getMe`, { method: 'POST' });
    expect(result.status).toBe(401);
    expect(result.json).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    await callJson(s, 'sendMessage', { chat_id: 1, text: 'x' });
    expect(s.requests().map((r) => r.outcome)).toEqual(['401', 'ok']);
    const logged = JSON.stringify([s.requests(), s.ledger()]);
    expect(logged).not.toContain(s.token);
    expect(logged).not.toContain(s.token.split(':')[1]);
    expect(logged).not.toContain('not-the-token');
  });

  it('answers 404 method not found for unknown methods, and matches method names case-insensitively', async () => {
    const s = await start();
    const unknown = await callJson(s, 'sendTelepathy', { chat_id: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
    expect((await callJson(s, 'SENDMESSAGE', { chat_id: 1, text: 'x' })).json.ok).toBe(true);
    expect((await request(`${s.apiRoot}/nothing-here`)).status).toBe(404);
    expect(s.requests().map((r) => [r.method, r.outcome])).toEqual([
      ['sendTelepathy', '404'],
      ['sendMessage', 'ok'],
      [undefined, '404'],
    ]);
  });
});

describe('simulator: parameters in every encoding', () => {
  it('reads JSON, url-encoded, multipart and query-string parameters', async () => {
    const s = await start({ limits: false });
    await callJson(s, 'sendMessage', { chat_id: 1, text: 'json ✓' });
    await callForm(s, 'sendMessage', { chat_id: '2', text: 'form é' });
    const form = new FormData();
    form.set('chat_id', '3');
    form.set('caption', 'multipart ü');
    form.set('document', new Blob([Buffer.from([0, 1, 2, 255])]), 'bytes.bin');
    expect((await request(s.methodUrl('sendDocument'), { method: 'POST', body: form })).json.ok).toBe(true);
    const query = await request(`${s.methodUrl('sendMessage')}?chat_id=-4&text=${encodeURIComponent('query ß')}`);
    expect(query.json.result.chat).toEqual(expect.objectContaining({ id: -4, type: 'group' }));
    expect(s.ledger().map((e) => [e.chatId, e.method, e.text])).toEqual([
      [1, 'sendMessage', 'json ✓'],
      [2, 'sendMessage', 'form é'],
      [3, 'sendDocument', 'multipart ü'],
      [-4, 'sendMessage', 'query ß'],
    ]);
  });

  it("answers 400 for a body that is not JSON, in Telegram's wording", async () => {
    const s = await start();
    const result = await request(s.methodUrl('sendMessage'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"chat_id":' });
    expect(result.status).toBe(400);
    expect(result.json.description).toMatch(/^Bad Request: /);
  });
});

describe('simulator: methods', () => {
  it('sendMessage returns a Message; ids increment per chat; the ledger records deliveries', async () => {
    const s = await start();
    const first = await callJson(s, 'sendMessage', { chat_id: 10, text: 'one' });
    expect(first.json).toEqual({
      ok: true,
      result: expect.objectContaining({ message_id: 1, chat: expect.objectContaining({ id: 10, type: 'private' }), date: 1_700_000_000, text: 'one' }),
    });
    await clock.advance(1500);
    expect((await callJson(s, 'sendMessage', { chat_id: 10, text: 'two' })).json.result.message_id).toBe(2);
    expect((await callJson(s, 'sendMessage', { chat_id: -1001234567890, text: 'sg' })).json.result).toMatchObject({ message_id: 1, chat: { type: 'supergroup' } });
    expect(s.ledger()).toEqual([
      { chatId: 10, messageId: 1, method: 'sendMessage', text: 'one', at: 1_700_000_000_000 },
      { chatId: 10, messageId: 2, method: 'sendMessage', text: 'two', at: 1_700_000_001_500 },
      { chatId: -1001234567890, messageId: 1, method: 'sendMessage', text: 'sg', at: 1_700_000_001_500 },
    ]);
    expect(s.deliveredTo('10').map((e) => e.text)).toEqual(['one', 'two']);
    expect(s.ledger({ chatId: -1001234567890 })).toHaveLength(1);
  });

  it("refuses a missing chat_id or text in Telegram's words", async () => {
    const s = await start();
    const noChat = await callJson(s, 'sendMessage', { text: 'x' });
    expect([noChat.status, noChat.json]).toEqual([400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }]);
    const noText = await callJson(s, 'sendMessage', { chat_id: 1 });
    expect([noText.status, noText.json.description]).toEqual([400, 'Bad Request: message text is empty']);
    expect((await callJson(s, 'sendMessage', { chat_id: 1, text: '   ' })).json.description).toBe('Bad Request: message text is empty');
    expect((await callJson(s, 'sendMessage', { chat_id: 1, text: 'x'.repeat(4097) })).json.description).toBe('Bad Request: message is too long');
    expect(s.ledger()).toEqual([]);
  });

  it('forwardMessage and copyMessage resend a known message; unknown sources are refused', async () => {
    const s = await start({ limits: false });
    await callJson(s, 'sendMessage', { chat_id: 1, text: 'original' });
    const forward = await callJson(s, 'forwardMessage', { chat_id: 2, from_chat_id: 1, message_id: 1 });
    expect(forward.json.result).toMatchObject({ message_id: 1, chat: { id: 2 }, text: 'original', forward_origin: expect.any(Object) });
    const copy = await callJson(s, 'copyMessage', { chat_id: 2, from_chat_id: 1, message_id: 1 });
    expect(copy.json).toEqual({ ok: true, result: { message_id: 2 } });
    expect((await callJson(s, 'forwardMessage', { chat_id: 2, from_chat_id: 1, message_id: 99 })).json.description).toBe(
      'Bad Request: message to forward not found',
    );
    expect((await callJson(s, 'copyMessage', { chat_id: 2, from_chat_id: 3, message_id: 1 })).json.description).toBe('Bad Request: message to copy not found');
    expect(s.deliveredTo(2).map((e) => [e.method, e.text])).toEqual([
      ['forwardMessage', 'original'],
      ['copyMessage', 'original'],
    ]);
  });

  it('editMessageText edits (not a new delivery), refuses unknown and unchanged messages', async () => {
    const s = await start({ limits: false });
    await callJson(s, 'sendMessage', { chat_id: 5, text: 'v1' });
    const edit = await callJson(s, 'editMessageText', { chat_id: 5, message_id: 1, text: 'v2' });
    expect(edit.json.result).toMatchObject({ message_id: 1, text: 'v2', edit_date: expect.any(Number) });
    const same = await callJson(s, 'editMessageText', { chat_id: 5, message_id: 1, text: 'v2' });
    expect([same.status, same.json.description]).toEqual([400, expect.stringMatching(/^Bad Request: message is not modified/)]);
    expect((await callJson(s, 'editMessageText', { chat_id: 5, message_id: 7, text: 'v3' })).json.description).toBe('Bad Request: message to edit not found');
    // The forward carries the edited text: the edit really changed the stored message.
    expect((await callJson(s, 'forwardMessage', { chat_id: 6, from_chat_id: 5, message_id: 1 })).json.result.text).toBe('v2');
    expect(s.ledger().map((e) => e.method)).toEqual(['sendMessage', 'forwardMessage']);
  });

  it('deleteMessage deletes once', async () => {
    const s = await start();
    await callJson(s, 'sendMessage', { chat_id: 5, text: 'bye' });
    expect((await callJson(s, 'deleteMessage', { chat_id: 5, message_id: 1 })).json).toEqual({ ok: true, result: true });
    const again = await callJson(s, 'deleteMessage', { chat_id: 5, message_id: 1 });
    expect([again.status, again.json.description]).toEqual([400, 'Bad Request: message to delete not found']);
  });

  it('getChat, sendChatAction, getUpdates without timeout, sendPhoto', async () => {
    const s = await start();
    expect((await callJson(s, 'getChat', { chat_id: -42 })).json.result).toMatchObject({ id: -42, type: 'group' });
    expect((await callJson(s, 'getChat', { chat_id: 42 })).json.result).toMatchObject({ id: 42, type: 'private' });
    expect((await callJson(s, 'sendChatAction', { chat_id: 42, action: 'typing' })).json).toEqual({ ok: true, result: true });
    expect((await callJson(s, 'sendChatAction', { chat_id: 42 })).status).toBe(400);
    // With a timeout it would hold the request (long polling: test/sim/updates.test.ts).
    expect((await callJson(s, 'getUpdates', {})).json).toEqual({ ok: true, result: [] });
    const photo = await callJson(s, 'sendPhoto', { chat_id: 42, photo: 'AgACAgIAAxk', caption: 'pic' });
    expect(photo.json.result).toMatchObject({ message_id: 1, caption: 'pic', photo: expect.any(Array) });
    expect(s.ledger()).toEqual([expect.objectContaining({ chatId: 42, method: 'sendPhoto', text: 'pic' })]);
  });
});

describe('simulator: Telegram behaviours', () => {
  it('answers 429 with retry_after once a private chat exceeds its burst, and accepts again after it', async () => {
    const s = await start();
    for (let i = 0; i < 3; i++) expect((await callJson(s, 'sendMessage', { chat_id: 8, text: `m${i}` })).status).toBe(200);
    const flooded = await callJson(s, 'sendMessage', { chat_id: 8, text: 'm3' });
    expect(flooded.status).toBe(429);
    expect(flooded.json).toEqual({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    expect(s.requests().at(-1)).toMatchObject({ outcome: '429', limit: 'chat', retryAfter: 1, delivered: false });
    await clock.advance(1000);
    expect((await callJson(s, 'sendMessage', { chat_id: 8, text: 'm3' })).status).toBe(200);
    expect(s.deliveredTo(8).map((e) => e.text)).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('limits groups per minute, and can be made stricter or switched off', async () => {
    const s = await start({ limits: { chatPerSecond: Infinity, groupPerMinute: 2 } });
    await callJson(s, 'sendMessage', { chat_id: -7, text: 'a' });
    await clock.advance(10_000);
    await callJson(s, 'sendMessage', { chat_id: -7, text: 'b' });
    const third = await callJson(s, 'sendMessage', { chat_id: -7, text: 'c' });
    expect([third.status, third.json.parameters]).toEqual([429, { retry_after: 50 }]);
    await s.close();

    const strict = await start({ strict: true });
    await callJson(strict, 'sendMessage', { chat_id: 1, text: 'a' });
    expect((await callJson(strict, 'sendMessage', { chat_id: 1, text: 'b' })).status).toBe(429);
    await strict.close();

    const unlimited = await start({ limits: false });
    for (let i = 0; i < 40; i++) expect((await callJson(unlimited, 'sendMessage', { chat_id: -7, text: `${i}` })).status).toBe(200);
  });

  it('refuses calls to a migrated group with migrate_to_chat_id; the new id is a working supergroup', async () => {
    const s = await start({ migratedGroups: { '-123': -100123 } });
    const old = await callJson(s, 'sendMessage', { chat_id: -123, text: 'hi' });
    expect(old.status).toBe(400);
    expect(old.json).toEqual({
      ok: false,
      error_code: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: -100123 },
    });
    expect((await callForm(s, 'getChat', { chat_id: '-123' })).json.parameters).toEqual({ migrate_to_chat_id: -100123 });
    const moved = await callJson(s, 'sendMessage', { chat_id: -100123, text: 'hi' });
    expect(moved.json.result.chat).toMatchObject({ id: -100123, type: 'supergroup' });
    expect(s.ledger().map((e) => e.chatId)).toEqual([-100123]);
  });

  it('answers 403 for users who blocked the bot', async () => {
    const s = await start({ blockedUsers: [66] });
    const blocked = await callJson(s, 'sendMessage', { chat_id: 66, text: 'hi' });
    expect([blocked.status, blocked.json]).toEqual([403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }]);
    expect((await callJson(s, 'sendMessage', { chat_id: 67, text: 'hi' })).status).toBe(200);
    expect(s.deliveredTo(66)).toEqual([]);
    expect(s.requests({ chatId: 66 })[0]?.outcome).toBe('403');
  });

  it('reset() forgets ledger, log, limits and message ids', async () => {
    const s = await start();
    for (let i = 0; i < 4; i++) await callJson(s, 'sendMessage', { chat_id: 3, text: 'x' });
    s.reset();
    expect([s.ledger(), s.requests()]).toEqual([[], []]);
    const again = await callJson(s, 'sendMessage', { chat_id: 3, text: 'y' });
    expect(again.json.result.message_id).toBe(1);
    expect(s.requests()[0]?.seq).toBe(1);
  });
});
