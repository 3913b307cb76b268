/**
 * Which calls may be sent twice without harm. A call that creates something (a message, an invite
 * link, a topic, a payment) must not be resent when the first attempt may already have reached
 * Telegram: the user would see the message twice. Everything else (reads, edits, deletes, settings)
 * converges to the same state when repeated.
 */

/**
 * Method-name prefixes (Bot API, or the part after the namespace for MTProto such as
 * `messages.sendMessage`) of calls that create something each time they run.
 */
export const NON_IDEMPOTENT_PREFIXES: readonly string[] = [
  'send', // sendMessage, sendPhoto, sendPoll, sendInvoice, sendGift, sendMediaGroup, messages.sendMessage, ...
  'forward', // forwardMessage(s), messages.forwardMessages
  'copy', // copyMessage(s)
  'create', // createChatInviteLink, createForumTopic, createInvoiceLink, createNewStickerSet, channels.createChannel
  'post', // postStory
  'export', // exportChatInviteLink: each call revokes the previous primary link and makes a new one
  'upload', // uploadStickerFile: each upload stores a new file
  'add', // addStickerToSet: a second add duplicates the sticker
  'transfer', // transferGift, transferBusinessAccountStars: moves value
  'gift', // giftPremiumSubscription
  'upgrade', // upgradeGift
  'convert', // convertGiftToStars
  'savePrepared', // savePreparedInlineMessage
  'repost', // repostStory
];

/** Exact names that create something but do not fit a prefix. */
export const NON_IDEMPOTENT_METHODS: readonly string[] = ['messages.startBot'];

const exact = new Set(NON_IDEMPOTENT_METHODS);

/**
 * True when resending `method` after an attempt that may have been delivered cannot create a
 * duplicate. A call without a method name is treated as NOT idempotent: the engine cannot know what
 * it does, and a duplicated message is worse than a reported failure.
 */
export function isIdempotentMethod(method: string | undefined): boolean {
  if (method === undefined || method === '') return false;
  if (exact.has(method)) return false;
  const dot = method.lastIndexOf('.');
  const name = dot >= 0 ? method.slice(dot + 1) : method;
  for (const prefix of NON_IDEMPOTENT_PREFIXES) {
    if (name.startsWith(prefix)) {
      // `sendChatAction` only shows "typing…": repeating it is harmless.
      if (name === 'sendChatAction' || name === 'setTyping') return true;
      return false;
    }
  }
  return true;
}
