/** The start-up and everyday methods bots call besides sending: commands, markup edits, members, files. */
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { callForm, callJson, request } from './helpers.js';

let sim: Simulator | undefined;

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ clock: createManualClock(1_700_000_000_000), limits: false, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('bot methods', () => {
  it('setMyCommands / getMyCommands / deleteMyCommands per scope and language, checked like Telegram', async () => {
    const s = await start();
    const commands = [{ command: 'start', description: 'Start' }];
    expect((await callJson(s, 'setMyCommands', { commands })).json).toEqual({ ok: true, result: true });
    expect((await callForm(s, 'setMyCommands', { commands: JSON.stringify([{ command: 'help', description: 'Help' }]), language_code: 'de' })).json.ok).toBe(true);
    expect((await callJson(s, 'getMyCommands')).json.result).toEqual(commands);
    expect((await callJson(s, 'getMyCommands', { language_code: 'de' })).json.result).toEqual([{ command: 'help', description: 'Help' }]);
    expect((await callJson(s, 'getMyCommands', { scope: { type: 'all_group_chats' } })).json.result).toEqual([]);
    expect((await callJson(s, 'setMyCommands', { commands: [{ command: 'Bad Name', description: 'x' }] })).json.description).toBe('Bad Request: BOT_COMMAND_INVALID');
    expect((await callJson(s, 'setMyCommands', { commands, scope: { type: 'planet' } })).status).toBe(400);
    expect((await callJson(s, 'deleteMyCommands')).json.result).toBe(true);
    expect((await callJson(s, 'getMyCommands')).json.result).toEqual([]);
  });

  it('editMessageReplyMarkup changes the markup, refuses "not modified" and users\' messages', async () => {
    const s = await start();
    const markup = { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] };
    await callJson(s, 'sendMessage', { chat_id: 5, text: 'pick', reply_markup: markup });
    const same = await callJson(s, 'editMessageReplyMarkup', { chat_id: 5, message_id: 1, reply_markup: markup });
    expect(same.json.description).toMatch(/^Bad Request: message is not modified/);
    const next = { inline_keyboard: [[{ text: 'B', callback_data: 'b' }]] };
    const edited = await callForm(s, 'editMessageReplyMarkup', { chat_id: '5', message_id: '1', reply_markup: JSON.stringify(next) });
    expect(edited.json.result).toMatchObject({ message_id: 1, text: 'pick', reply_markup: next, edit_date: 1_700_000_000 });
    s.pushUpdate({ message: { chat: { id: 5 }, text: 'from the user' } });
    expect((await callJson(s, 'editMessageText', { chat_id: 5, message_id: 2, text: 'hijack' })).json.description).toBe("Bad Request: message can't be edited");
    expect((await callJson(s, 'editMessageReplyMarkup', { chat_id: 5, message_id: 9 })).json.description).toBe('Bad Request: message to edit not found');
  });

  it('getChatMember, sendPhoto/sendDocument without a file, unknown methods, migrateAllGroups', async () => {
    const s = await start({ migrateAllGroups: true });
    expect((await callJson(s, 'getChatMember', { chat_id: -1000000000042, user_id: 7 })).json.result).toMatchObject({ status: 'member', user: { id: 7 } });
    expect((await callJson(s, 'getChatMember', { chat_id: 5, user_id: 123456789 })).json.result.user.is_bot).toBe(true);
    expect((await callJson(s, 'getChatMember', { chat_id: 5 })).status).toBe(400);
    expect((await callJson(s, 'sendPhoto', { chat_id: 5 })).json.description).toBe('Bad Request: there is no photo in the request');
    const form = new FormData();
    form.set('chat_id', '5');
    form.set('document', new Blob(['data']), 'a.txt');
    expect((await request(s.methodUrl('sendDocument'), { method: 'POST', body: form })).json.ok).toBe(true);
    expect((await callJson(s, 'logOutEverywhere')).json).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
    const migrated = await callJson(s, 'sendMessage', { chat_id: -42, text: 'x' });
    expect(migrated.json.parameters).toEqual({ migrate_to_chat_id: -1000000000042 });
    expect((await callJson(s, 'sendMessage', { chat_id: -1000000000042, text: 'x' })).json.result.chat.type).toBe('supergroup');
  });

  it('reset() keeps the webhook and commands (bot configuration) but forgets pending updates', async () => {
    const s = await start();
    await callJson(s, 'setMyCommands', { commands: [{ command: 'start', description: 'Start' }] });
    s.pushUpdate({ message: { chat: { id: 1 }, text: 'x' } });
    s.reset();
    expect((await callJson(s, 'getMyCommands')).json.result).toHaveLength(1);
    expect((await callJson(s, 'getUpdates')).json.result).toEqual([]);
    expect(s.pushUpdate({ message: { chat: { id: 1 }, text: 'y' } })).toBe(2);
  });
});
