/** What went wrong with a Telegram call: the `Failure` shape, our Bot API errors, `classify`, and the errors of a closed or cut-off resilience. */
export * from './failure.js';
export * from './telegram-error.js';
export * from './classify.js';
export * from './closed-error.js';
export * from './backend-unavailable-error.js';
