/** Our own Bot API client: `createBotApi({ token })` gives `call` (through the engine) and `raw`. */
export { createBotApi } from './client.js';
export type {
  BotApi,
  BotApiOptions,
  CallOptions,
  FetchLike,
  FetchRequestInit,
  FetchResponseLike,
  RawOptions,
  ResilienceLike,
} from './options.js';
