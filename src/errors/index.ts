/** What went wrong with a Telegram call: the `Failure` shape, our Bot API errors, and `classify`. */
export * from './failure.js';
export * from './telegram-error.js';
export * from './classify.js';
