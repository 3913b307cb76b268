/**
 * Methods bots call around their messages: `getChat`, `getChatMember`, `sendChatAction`,
 * `deleteMessage`, `editMessageReplyMarkup` and `answerCallbackQuery` (each pushed callback query
 * can be answered once, as on Telegram). None of them is rate-limited.
 */
import { chatObject, parseChatId, parseMessageId } from './chats.js';
import { errorAnswer, okAnswer } from './answers.js';
import { Refusal, type BotMethods } from './bot-methods.js';
import { jsonParam } from './http-body.js';

const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const QUERY_TOO_OLD = 'Bad Request: query is too old and response timeout expired or query ID is invalid';

/** Callback query ids pushed and not yet answered. */
export class CallbackQueries {
  private readonly open = new Set<string>();
  private next = 1;

  /** A fresh id for a pushed query that brought none. */
  newId(): string {
    return `sim-callback-${this.next++}`;
  }

  opened(id: string): void {
    this.open.add(id);
  }

  /** True (and closed) if `id` was open. */
  answer(id: string): boolean {
    return this.open.delete(id);
  }

  clear(): void {
    this.open.clear();
  }
}

export function registerInteractions(bot: BotMethods, callbacks: CallbackQueries): void {
  bot.register(
    {
      getChat: (p) => {
        const chatId = bot.targetChat(p.chat_id);
        return okAnswer({ ...chatObject(chatId, bot.typeOf(chatId)), accent_color_id: 0, max_reaction_count: 11 });
      },
      getChatMember: (p) => {
        const chatId = bot.targetChat(p.chat_id);
        const userId = parseChatId(p.user_id);
        if (userId === undefined || userId < 0) throw new Refusal(errorAnswer(400, 'Bad Request: invalid user_id specified'));
        if (userId === bot.botUser.id) return okAnswer({ status: chatId > 0 ? 'member' : 'administrator', user: bot.botUser });
        if (chatId > 0 && userId !== chatId) throw new Refusal(errorAnswer(400, 'Bad Request: user not found'));
        return okAnswer({ status: 'member', user: { id: userId, is_bot: false, first_name: `User ${userId}` } });
      },
      sendChatAction: (p) => {
        bot.reachableChat(p.chat_id);
        if (typeof p.action !== 'string' || p.action === '') {
          throw new Refusal(errorAnswer(400, 'Bad Request: wrong parameter action in request'));
        }
        return okAnswer(true);
      },
      deleteMessage: (p) => {
        const chatId = bot.reachableChat(p.chat_id);
        const messageId = parseMessageId(p.message_id);
        if (messageId === undefined || !bot.store.delete(chatId, messageId)) {
          throw new Refusal(errorAnswer(400, 'Bad Request: message to delete not found'));
        }
        return okAnswer(true);
      },
      editMessageReplyMarkup: (p) => {
        // Inline messages live with the user's client; Telegram answers True for them.
        if (p.inline_message_id !== undefined) return okAnswer(true);
        const chatId = bot.reachableChat(p.chat_id);
        const messageId = parseMessageId(p.message_id);
        const message = messageId === undefined ? undefined : bot.store.get(chatId, messageId);
        if (!message) throw new Refusal(errorAnswer(400, 'Bad Request: message to edit not found'));
        if (!message.fromBot) throw new Refusal(errorAnswer(400, "Bad Request: message can't be edited"));
        const markup = p.reply_markup === undefined ? undefined : JSON.stringify(jsonParam(p.reply_markup));
        if (markup === message.markup) throw new Refusal(errorAnswer(400, NOT_MODIFIED));
        if (markup === undefined) delete message.markup;
        else message.markup = markup;
        const result = { ...bot.messageObject(chatId, messageId!, message.text), edit_date: bot.date() };
        return okAnswer(markup === undefined ? result : { ...result, reply_markup: JSON.parse(markup) });
      },
      answerCallbackQuery: (p) => {
        if (typeof p.callback_query_id !== 'string' || !callbacks.answer(p.callback_query_id)) throw new Refusal(errorAnswer(400, QUERY_TOO_OLD));
        return okAnswer(true);
      },
    },
    () => callbacks.clear(),
  );
}
