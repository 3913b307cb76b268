/**
 * Which calls count against Telegram's sending limits (about 30 messages/s per bot, 1/s per chat,
 * 20/min per group). Those are paced; everything else (getMe, getChat, answerCallbackQuery,
 * getUpdates, ...) goes out at once, because Telegram does not count it and delaying it only makes
 * a bot feel slow.
 */

/** Prefixes (of the Bot API name, or of the MTProto name after its namespace) of paced methods. */
export const PACED_PREFIXES: readonly string[] = ['send', 'forward', 'copy', 'edit'];

/** Exact names that are paced although no prefix covers them. */
export const PACED_METHODS: readonly string[] = ['stopPoll', 'stopMessageLiveLocation', 'messages.sendMedia'];

/** Names a prefix covers that are not paced: they deliver nothing a user sees as a message. */
export const UNPACED_METHODS: readonly string[] = ['sendChatAction', 'messages.setTyping'];

const paced = new Set(PACED_METHODS);
const unpaced = new Set(UNPACED_METHODS);

export function isPacedMethod(method: string | undefined): boolean {
  if (!method) return false;
  if (unpaced.has(method)) return false;
  if (paced.has(method)) return true;
  const dot = method.lastIndexOf('.');
  const name = dot >= 0 ? method.slice(dot + 1) : method;
  for (const prefix of PACED_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}
