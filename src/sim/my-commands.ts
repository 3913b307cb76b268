/**
 * `setMyCommands`, `getMyCommands` and `deleteMyCommands`: the command list per scope and
 * language, checked as Telegram checks it. Kept by `reset()`: it is the bot's configuration.
 */
import { errorAnswer, okAnswer } from './answers.js';
import { Refusal, type BotMethods } from './bot-methods.js';
import { jsonParam, type Params } from './http-body.js';

const SCOPE_TYPES = ['default', 'all_private_chats', 'all_group_chats', 'all_chat_administrators', 'chat', 'chat_administrators', 'chat_member'];

interface BotCommand {
  command: string;
  description: string;
}

/** The key of a (scope, language_code) pair. */
function scopeKey(params: Params): string {
  const scope = jsonParam(params.scope) ?? { type: 'default' };
  if (typeof scope !== 'object' || scope === null || !SCOPE_TYPES.includes(String((scope as { type?: unknown }).type))) {
    throw new Refusal(errorAnswer(400, "Bad Request: can't parse BotCommandScope: unknown type"));
  }
  const { type, chat_id, user_id } = scope as Record<string, unknown>;
  const language = typeof params.language_code === 'string' ? params.language_code : '';
  return JSON.stringify([type, chat_id ?? null, user_id ?? null, language]);
}

function parseCommands(value: unknown): BotCommand[] {
  const commands = jsonParam(value);
  if (!Array.isArray(commands)) throw new Refusal(errorAnswer(400, "Bad Request: can't parse commands JSON array"));
  if (commands.length > 100) throw new Refusal(errorAnswer(400, 'Bad Request: too many commands specified'));
  return commands.map((entry: unknown) => {
    const { command, description } = (entry ?? {}) as Record<string, unknown>;
    if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command)) throw new Refusal(errorAnswer(400, 'Bad Request: BOT_COMMAND_INVALID'));
    if (typeof description !== 'string' || description.trim() === '' || description.length > 256) {
      throw new Refusal(errorAnswer(400, 'Bad Request: command description must be non-empty'));
    }
    return { command, description };
  });
}

export function registerMyCommands(bot: BotMethods): void {
  const lists = new Map<string, BotCommand[]>();
  bot.register({
    setMyCommands: (p) => {
      const commands = parseCommands(p.commands);
      const key = scopeKey(p);
      if (commands.length === 0) lists.delete(key);
      else lists.set(key, commands);
      return okAnswer(true);
    },
    getMyCommands: (p) => okAnswer((lists.get(scopeKey(p)) ?? []).map((c) => ({ ...c }))),
    deleteMyCommands: (p) => {
      lists.delete(scopeKey(p));
      return okAnswer(true);
    },
  });
}
