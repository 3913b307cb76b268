/**
 * What `pushUpdate` accepts and fills in. An update is a Bot API `Update` with exactly one update
 * field; what a test would otherwise have to invent is filled in as Telegram would have sent it:
 * `update_id`; for messages `message_id` (per chat, shared with the bot's own messages), `date`,
 * `chat.type`, `from` in private chats and `bot_command` entities for `/commands`; for callback
 * queries `id` and `chat_instance`. Anything malformed is a TypeError naming the field.
 */
import { chatType, type MessageStore } from './chats.js';

/** Every update field of the Bot API's `Update` object. */
export const UPDATE_TYPES = [
  'message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_connection', 'business_message',
  'edited_business_message', 'deleted_business_messages', 'message_reaction', 'message_reaction_count', 'inline_query',
  'chosen_inline_result', 'callback_query', 'shipping_query', 'pre_checkout_query', 'purchased_paid_media', 'poll',
  'poll_answer', 'my_chat_member', 'chat_member', 'chat_join_request', 'chat_boost', 'removed_chat_boost',
] as const;

export type UpdateType = (typeof UPDATE_TYPES)[number];

/** Update fields that hold a `Message`. */
const MESSAGE_TYPES = new Set<string>(['message', 'edited_message', 'channel_post', 'edited_channel_post', 'business_message', 'edited_business_message']);

/** A Bot API `Update` as the simulator queues it. */
export interface SimUpdate {
  update_id: number;
  [field: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface FillContext {
  store: MessageStore;
  supergroups: ReadonlySet<number>;
  /** Unix seconds now. */
  date: number;
  /** The id this update gets when it brings none. */
  nextUpdateId: number;
  /** The next callback query id, for queries that bring none. */
  nextCallbackId: () => string;
}

function fillMessage(type: string, raw: Record<string, unknown>, ctx: FillContext): Record<string, unknown> {
  const message = { ...raw };
  const chat = message.chat;
  if (!isObject(chat) || !Number.isSafeInteger(chat.id) || chat.id === 0) {
    throw new TypeError(`pushUpdate: ${type}.chat.id must be a chat id (a whole number), e.g. { chat: { id: 42 } }`);
  }
  const chatId = chat.id as number;
  const kind = chatType(chatId, ctx.supergroups);
  message.chat = { ...(kind === 'private' ? { first_name: `User ${chatId}` } : { title: `Chat ${chatId}` }), type: kind, ...chat };
  if (message.from === undefined && kind === 'private') message.from = { id: chatId, is_bot: false, first_name: `User ${chatId}` };
  message.date ??= ctx.date;
  const text = typeof message.text === 'string' ? message.text : typeof message.caption === 'string' ? message.caption : undefined;
  if (message.message_id === undefined) {
    message.message_id = ctx.store.add(chatId, text, false);
  } else if (Number.isSafeInteger(message.message_id) && (message.message_id as number) > 0) {
    ctx.store.reserve(chatId, message.message_id as number, text);
  } else {
    throw new TypeError(`pushUpdate: ${type}.message_id must be a whole number > 0`);
  }
  const command = typeof message.text === 'string' ? /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?/.exec(message.text) : null;
  if (command && message.entities === undefined) message.entities = [{ type: 'bot_command', offset: 0, length: command[0].length }];
  return message;
}

/** Checks and completes one pushed update. `type` is its update field. */
export function fillUpdate(raw: unknown, ctx: FillContext): { update: SimUpdate; type: UpdateType } {
  if (!isObject(raw)) throw new TypeError('pushUpdate: the update must be an object like { message: { chat: { id: 42 }, text: "hi" } }');
  const fields = Object.keys(raw).filter((key) => key !== 'update_id');
  const unknown = fields.filter((key) => !(UPDATE_TYPES as readonly string[]).includes(key));
  if (unknown.length > 0) throw new TypeError(`pushUpdate: unknown update field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
  if (fields.length !== 1) throw new TypeError(`pushUpdate: an update has exactly one update field (message, callback_query, ...), got ${fields.length}`);
  const type = fields[0] as UpdateType;
  const payload = raw[type];
  if (!isObject(payload)) throw new TypeError(`pushUpdate: "${type}" must be an object`);

  const updateId = raw.update_id ?? ctx.nextUpdateId;
  if (!Number.isSafeInteger(updateId) || (updateId as number) < ctx.nextUpdateId) {
    throw new TypeError(`pushUpdate: update_id must be a whole number >= ${ctx.nextUpdateId} (ids only grow), got ${String(raw.update_id)}`);
  }
  let filled: Record<string, unknown> = payload;
  if (MESSAGE_TYPES.has(type)) filled = fillMessage(type, payload, ctx);
  if (type === 'callback_query') {
    if (!isObject(payload.from)) throw new TypeError('pushUpdate: callback_query.from must be a User, e.g. { id: 42, is_bot: false, first_name: "Ann" }');
    if (payload.id !== undefined && typeof payload.id !== 'string') throw new TypeError('pushUpdate: callback_query.id must be a string');
    filled = { chat_instance: String(payload.from.id), ...payload, id: payload.id ?? ctx.nextCallbackId() };
  }
  return { update: { update_id: updateId as number, [type]: filled }, type };
}
