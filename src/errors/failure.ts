/**
 * The normalized description of one failed Telegram call, produced by `classify`.
 * Every decision the policy takes is made from this shape only, never from SDK types.
 */

/** What went wrong, in the terms the policy cares about. Exactly one per failure. */
export type FailureKind =
  | 'flood'
  | 'dc_migrate'
  | 'chat_migrated'
  | 'network'
  | 'timeout'
  | 'server'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'not_acceptable'
  | 'conflict'
  | 'unknown';

export const FAILURE_KINDS: readonly FailureKind[] = [
  'flood',
  'dc_migrate',
  'chat_migrated',
  'network',
  'timeout',
  'server',
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'not_acceptable',
  'conflict',
  'unknown',
];

export interface Failure {
  kind: FailureKind;
  /** Bot API `error_code`, MTProto rpc_error code or HTTP status, when known. */
  code?: number;
  /** The raw error name, e.g. `FLOOD_WAIT_30`, `ECONNRESET`, when known. */
  type?: string;
  /** For `flood`: how long Telegram asked us to wait, in milliseconds (never negative, finite). */
  retryAfterMs?: number;
  /** For `dc_migrate`: the data center the call must be repeated on. */
  dc?: number;
  /** For `chat_migrated`: the supergroup id the group became. */
  migrateToChatId?: number;
  /** A human-readable description (Telegram's text or the error message). Never contains the bot token. */
  description?: string;
  /**
   * True when the request may have reached Telegram and been acted on (a reset after the request was
   * written, a read timeout, a 5xx). False only where it surely never left or Telegram surely refused it.
   */
  maybeDelivered: boolean;
  /** The original value that was thrown or returned. */
  cause: unknown;
}
