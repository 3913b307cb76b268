/**
 * The Bot API methods the simulator implements, the ledger of delivered messages, and Telegram's
 * own error wording. Flood limits: message deliveries (send*, forwardMessage, copyMessage) count
 * against the chat, group and bot-wide limits; `editMessageText` counts against the chat and group
 * limits only (edits are not new messages, but Telegram does throttle fast edit loops per chat).
 * Other methods are never rate-limited.
 */
import type { Clock } from '../core/clock.js';
import { MessageStore, chatObject, chatType, parseChatId, parseMessageId } from './chats.js';
import { jsonParam, type Params } from './http-body.js';
import { errorAnswer, floodAnswer, okAnswer, type ApiAnswer } from './answers.js';
import type { RateLimitModel } from './limits.js';
import type { LedgerEntry } from './types.js';

export interface BotMethodsConfig {
  token: string;
  clock: Clock;
  /** `null`: no flood limits. */
  limits: RateLimitModel | null;
  migratedGroups: Record<string, number>;
  /** Every basic group became supergroup -(10^12 + |id|). */
  migrateAllGroups: boolean;
  blockedUsers: number[];
}

/** A method's handler: an answer, or a thrown `Refusal`. */
export type MethodHandler = (params: Params) => ApiAnswer;

/** Thrown inside a handler to answer with an error; caught in `call`. */
export class Refusal {
  constructor(readonly answer: ApiAnswer) {}
}

const MAX_TEXT_LENGTH = 4096;

function textParam(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** The supergroup id a basic group gets under `migrateAllGroups` (undefined: not a basic group). */
function upgradedGroupId(chatId: number): number | undefined {
  return chatId < 0 && chatId > -1_000_000_000_000 ? -1_000_000_000_000 + chatId : undefined;
}

/** State of the simulated bot: its messages and the ledger of deliveries. */
export class BotMethods {
  readonly botUser: Record<string, unknown>;
  readonly store = new MessageStore();
  private entries: LedgerEntry[] = [];
  /** State of registered methods that `reset()` also forgets. */
  private readonly resets: Array<() => void> = [];
  private readonly migrated = new Map<number, number>();
  readonly supergroups = new Set<number>();
  private readonly blocked: Set<number>;
  private readonly handlers: Record<string, MethodHandler>;

  constructor(private readonly config: BotMethodsConfig) {
    const botId = Number(/^(\d+):/.exec(config.token)?.[1] ?? 123456789);
    this.botUser = {
      id: botId,
      is_bot: true,
      first_name: 'Resilience Simulator',
      username: 'resilience_sim_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
    for (const [oldId, newId] of Object.entries(config.migratedGroups)) {
      const from = parseChatId(oldId);
      if (from === undefined) throw new TypeError(`migratedGroups: ${oldId} is not a chat id`);
      this.migrated.set(from, newId);
      this.supergroups.add(newId);
    }
    this.blocked = new Set(config.blockedUsers);
    this.handlers = {
      getMe: () => okAnswer(this.botUser),
      sendMessage: (p) => {
        const chatId = this.reachableChat(p.chat_id);
        const text = this.requireText(p.text);
        this.takeSlot(chatId, true, p);
        return this.deliver('sendMessage', chatId, text, {}, p.reply_markup);
      },
      sendPhoto: (p) => this.sendMedia('sendPhoto', p, { photo: [{ file_id: 'sim-photo', file_unique_id: 'simphoto', width: 90, height: 90 }] }),
      sendDocument: (p) => this.sendMedia('sendDocument', p, { document: { file_id: 'sim-document', file_unique_id: 'simdoc' } }),
      forwardMessage: (p) => {
        const { chatId, source } = this.resend(p, 'forward');
        return this.deliver('forwardMessage', chatId, source.text, {
          forward_origin: { type: 'user', sender_user: this.botUser, date: this.date() },
        });
      },
      copyMessage: (p) => {
        const { chatId, source } = this.resend(p, 'copy');
        const answer = this.deliver('copyMessage', chatId, source.text, {});
        // copyMessage answers a MessageId, not a Message.
        return { ...answer, body: { ok: true, result: { message_id: answer.delivered!.messageId } } };
      },
      editMessageText: (p) => {
        const chatId = this.reachableChat(p.chat_id);
        const messageId = parseMessageId(p.message_id);
        const text = this.requireText(p.text);
        const message = messageId === undefined ? undefined : this.store.get(chatId, messageId);
        if (!message) throw new Refusal(errorAnswer(400, 'Bad Request: message to edit not found'));
        if (!message.fromBot) throw new Refusal(errorAnswer(400, "Bad Request: message can't be edited"));
        if (message.text === text && p.reply_markup === undefined) {
          throw new Refusal(
            errorAnswer(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message'),
          );
        }
        this.takeSlot(chatId, false);
        message.text = text;
        if (p.reply_markup !== undefined) message.markup = JSON.stringify(jsonParam(p.reply_markup));
        return okAnswer({ ...this.messageObject(chatId, messageId!, text), edit_date: this.date() });
      },
    };
  }

  /** Adds methods implemented elsewhere (commands, callback queries, webhooks, ...). */
  register(handlers: Record<string, MethodHandler>, reset?: () => void): void {
    Object.assign(this.handlers, handlers);
    if (reset) this.resets.push(reset);
  }

  /** Runs a method (canonical name from `canonicalMethod`). */
  call(method: string, params: Params): ApiAnswer {
    const handler = this.handlers[method];
    if (!handler) return errorAnswer(404, 'Not Found: method not found');
    try {
      return handler(params);
    } catch (error) {
      if (error instanceof Refusal) return error.answer;
      throw error;
    }
  }

  ledger(): readonly LedgerEntry[] {
    return this.entries;
  }

  reset(): void {
    this.entries = [];
    for (const reset of this.resets) reset();
    this.store.clear();
    this.config.limits?.reset();
  }

  date(): number {
    return Math.floor(this.config.clock.now() / 1000);
  }

  typeOf(chatId: number) {
    return chatType(chatId, this.supergroups);
  }

  /** A usable chat id; refuses missing ids and ids of groups that became supergroups. */
  targetChat(value: unknown): number {
    const chatId = parseChatId(value);
    if (chatId === undefined) throw new Refusal(errorAnswer(400, 'Bad Request: chat not found'));
    const newId = this.migrated.get(chatId) ?? (this.config.migrateAllGroups ? upgradedGroupId(chatId) : undefined);
    if (newId !== undefined) {
      throw new Refusal(errorAnswer(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: newId }));
    }
    return chatId;
  }

  /** `targetChat`, and the bot may write there. */
  reachableChat(value: unknown): number {
    const chatId = this.targetChat(value);
    if (this.blocked.has(chatId)) throw new Refusal(errorAnswer(403, 'Forbidden: bot was blocked by the user'));
    return chatId;
  }

  requireText(value: unknown): string {
    const text = textParam(value);
    if (text === undefined || text.trim() === '') throw new Refusal(errorAnswer(400, 'Bad Request: message text is empty'));
    if (text.length > MAX_TEXT_LENGTH) throw new Refusal(errorAnswer(400, 'Bad Request: message is too long'));
    return text;
  }

  /** `params`: a delivery's, whose `allow_paid_broadcast` moves it to the paid rate. */
  private takeSlot(chatId: number, countsGlobally: boolean, params?: Params): void {
    // JSON gives a boolean; a multipart or form body gives the string.
    const paid = params?.allow_paid_broadcast === true || params?.allow_paid_broadcast === 'true';
    const decision = this.config.limits?.take(String(chatId), { group: chatId < 0, global: countsGlobally, paid });
    if (decision !== undefined && decision.allowed === false) {
      throw new Refusal({ ...floodAnswer(decision.retryAfter), limit: decision.scope });
    }
  }

  private sendMedia(method: string, params: Params, media: Record<string, unknown>): ApiAnswer {
    const chatId = this.reachableChat(params.chat_id);
    const field = method === 'sendPhoto' ? 'photo' : 'document';
    if (params[field] === undefined || params[field] === '') throw new Refusal(errorAnswer(400, `Bad Request: there is no ${field} in the request`));
    const caption = textParam(params.caption);
    this.takeSlot(chatId, true, params);
    return this.deliver(method, chatId, caption, caption === undefined ? media : { ...media, caption }, params.reply_markup);
  }

  /** Checks for forwardMessage/copyMessage: destination, source chat and source message. */
  private resend(params: Params, verb: 'forward' | 'copy') {
    const chatId = this.reachableChat(params.chat_id);
    const fromChatId = this.targetChat(params.from_chat_id);
    const messageId = parseMessageId(params.message_id);
    const source = messageId === undefined ? undefined : this.store.get(fromChatId, messageId);
    if (!source) throw new Refusal(errorAnswer(400, `Bad Request: message to ${verb} not found`));
    this.takeSlot(chatId, true, params);
    return { chatId, source };
  }

  messageObject(chatId: number, messageId: number, text: string | undefined): Record<string, unknown> {
    const message: Record<string, unknown> = {
      message_id: messageId,
      from: this.botUser,
      chat: chatObject(chatId, this.typeOf(chatId)),
      date: this.date(),
    };
    if (text !== undefined) message.text = text;
    return message;
  }

  private deliver(method: string, chatId: number, text: string | undefined, extra: Record<string, unknown>, markup?: unknown): ApiAnswer {
    const messageId = this.store.add(chatId, text);
    if (markup !== undefined) this.store.get(chatId, messageId)!.markup = JSON.stringify(jsonParam(markup));
    const entry: LedgerEntry = { chatId, messageId, method, text, at: this.config.clock.now() };
    this.entries.push(entry);
    const isMedia = method === 'sendPhoto' || method === 'sendDocument';
    const message = { ...this.messageObject(chatId, messageId, isMedia ? undefined : text), ...extra };
    return { ...okAnswer(message), delivered: entry };
  }
}
