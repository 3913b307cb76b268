/**
 * The failure -> action decision table: what a policy does with each representative failure
 * Telegram (or the network, or the caller's own code) produces. It is computed by running
 * `resilience.explain` over `FAULT_TABLE`, never written by hand, so the README's table
 * (`telegram-resilience table --markdown`) cannot drift from what the engine does.
 */
import type { Explanation, Resilience } from './resilience.js';
import type { Action, CallParams } from '../core/call.js';
import type { FailureKind } from '../errors/failure.js';
import { InvalidServerResponse } from '../errors/telegram-error.js';

/** One representative failure, and the call it happens to. */
export interface FaultCase {
  /** A stable identifier (for tests and tooling). */
  id: string;
  /** What failed, in words: the table's first column. */
  failure: string;
  /** The call it happens to: `sendMessage` and `getChat` differ where the request may have been delivered. */
  method: string;
  params?: CallParams;
  /** Builds a fresh error of the shape a client really throws (or a Bot API answer as sent). */
  error: () => unknown;
}

const botApi = (error_code: number, description: string, parameters?: Record<string, unknown>) => () => ({
  ok: false,
  error_code,
  description,
  ...(parameters && { parameters }),
});
const rpc = (code: number, message: string) => () => ({ code, message });
/** undici's `fetch failed` with the system error in `cause`, as Node's fetch throws it. */
const fetchFailed = (code: string, syscall: string, text: string) => () =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(`${syscall} ${code} ${text}`), { code, syscall }) });
const invalidResponse = (method: string) => () =>
  new InvalidServerResponse(`${method} failed: Invalid server response (HTTP 502 Bad Gateway, body is not JSON)`, {
    method,
    error_code: 502,
    maybeDelivered: true,
  });
const readTimeout = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

const SEND = { chat_id: 12345, text: 'hello' };
const CHAT = { chat_id: 12345 };
const PEER = { peer: { userId: 12345 }, message: 'hello' };

/** The representative failures, in the order the table shows them. */
export const FAULT_TABLE: readonly FaultCase[] = Object.freeze([
  { id: '429-5s', failure: 'Bot API 429, retry_after 5', method: 'sendMessage', params: SEND, error: botApi(429, 'Too Many Requests: retry after 5', { retry_after: 5 }) },
  { id: '429-1h', failure: 'Bot API 429, retry_after 3600', method: 'sendMessage', params: SEND, error: botApi(429, 'Too Many Requests: retry after 3600', { retry_after: 3600 }) },
  { id: '429-bare', failure: 'Bot API 429 without retry_after', method: 'sendMessage', params: SEND, error: botApi(429, 'Too Many Requests') },
  { id: '429-callback', failure: 'Bot API 429, retry_after 30', method: 'answerCallbackQuery', params: { callback_query_id: '1' }, error: botApi(429, 'Too Many Requests: retry after 30', { retry_after: 30 }) },
  {
    id: '400-migrate',
    failure: 'Bot API 400 with migrate_to_chat_id',
    method: 'sendMessage',
    params: { chat_id: -4001, text: 'hello' },
    error: botApi(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 }),
  },
  { id: '400', failure: 'Bot API 400 (chat not found)', method: 'sendMessage', params: SEND, error: botApi(400, 'Bad Request: chat not found') },
  { id: '401', failure: 'Bot API 401 (bad token)', method: 'getMe', error: botApi(401, 'Unauthorized') },
  { id: '403', failure: 'Bot API 403 (blocked by the user)', method: 'sendMessage', params: SEND, error: botApi(403, 'Forbidden: bot was blocked by the user') },
  { id: '404', failure: 'Bot API 404', method: 'sendMessage', params: SEND, error: botApi(404, 'Not Found') },
  {
    id: '409-getUpdates',
    failure: 'Bot API 409',
    method: 'getUpdates',
    params: { offset: 1, timeout: 30 },
    error: botApi(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'),
  },
  { id: '409-other', failure: 'Bot API 409', method: 'setWebhook', params: { url: 'https://example.org/hook' }, error: botApi(409, 'Conflict') },
  { id: '502-send', failure: 'HTTP 502 HTML page (InvalidServerResponse)', method: 'sendMessage', params: SEND, error: invalidResponse('sendMessage') },
  { id: '502-get', failure: 'HTTP 502 HTML page (InvalidServerResponse)', method: 'getChat', params: CHAT, error: invalidResponse('getChat') },
  { id: '500-send', failure: 'Bot API 500 (JSON)', method: 'sendMessage', params: SEND, error: botApi(500, 'Internal Server Error') },
  { id: '500-get', failure: 'Bot API 500 (JSON)', method: 'getChat', params: CHAT, error: botApi(500, 'Internal Server Error') },
  { id: 'refused', failure: 'ECONNREFUSED', method: 'sendMessage', params: SEND, error: fetchFailed('ECONNREFUSED', 'connect', '149.154.167.220:443') },
  { id: 'reset-send', failure: 'ECONNRESET', method: 'sendMessage', params: SEND, error: fetchFailed('ECONNRESET', 'read', '') },
  { id: 'reset-get', failure: 'ECONNRESET', method: 'getChat', params: CHAT, error: fetchFailed('ECONNRESET', 'read', '') },
  { id: 'reset-getUpdates', failure: 'ECONNRESET', method: 'getUpdates', params: { offset: 1, timeout: 30 }, error: fetchFailed('ECONNRESET', 'read', '') },
  { id: 'timeout-send', failure: 'read timeout (TimeoutError)', method: 'sendMessage', params: SEND, error: readTimeout },
  { id: 'timeout-get', failure: 'read timeout (TimeoutError)', method: 'getChat', params: CHAT, error: readTimeout },
  { id: 'flood-wait', failure: 'MTProto 420 FLOOD_WAIT_30', method: 'messages.sendMessage', params: PEER, error: rpc(420, 'FLOOD_WAIT_30') },
  { id: 'slowmode', failure: 'MTProto 420 SLOWMODE_WAIT_10', method: 'messages.sendMessage', params: PEER, error: rpc(420, 'SLOWMODE_WAIT_10') },
  { id: 'file-migrate', failure: 'MTProto 303 FILE_MIGRATE_4', method: 'upload.getFile', error: rpc(303, 'FILE_MIGRATE_4') },
  { id: 'user-migrate', failure: 'MTProto 303 USER_MIGRATE_2', method: 'auth.sendCode', error: rpc(303, 'USER_MIGRATE_2') },
  { id: 'write-forbidden', failure: 'MTProto 403 CHAT_WRITE_FORBIDDEN', method: 'messages.sendMessage', params: PEER, error: rpc(403, 'CHAT_WRITE_FORBIDDEN') },
  { id: 'auth-key-duplicated', failure: 'MTProto 406 AUTH_KEY_DUPLICATED', method: 'updates.getState', error: rpc(406, 'AUTH_KEY_DUPLICATED') },
  { id: 'rpc-call-fail-send', failure: 'MTProto 500 RPC_CALL_FAIL', method: 'messages.sendMessage', params: PEER, error: rpc(500, 'RPC_CALL_FAIL') },
  { id: 'rpc-call-fail-get', failure: 'MTProto 500 RPC_CALL_FAIL', method: 'messages.getHistory', params: { peer: { userId: 12345 } }, error: rpc(500, 'RPC_CALL_FAIL') },
  { id: 'timedout-send', failure: 'MTProto -503 Timedout', method: 'messages.sendMessage', params: PEER, error: rpc(-503, 'Timedout') },
  { id: 'timedout-get', failure: 'MTProto -503 Timedout', method: 'messages.getHistory', params: { peer: { userId: 12345 } }, error: rpc(-503, 'Timedout') },
  {
    id: 'user-error',
    failure: "the caller's own Error (a bug)",
    method: 'sendMessage',
    params: SEND,
    error: () => new TypeError("Cannot read properties of undefined (reading 'chat')"),
  },
]);

/** One line of the decision table. */
export interface DecisionRow {
  id: string;
  failure: string;
  method: string;
  /** How `classify` saw the failure. */
  kind: FailureKind;
  /** Whether the request may have reached Telegram (it then is resent only if idempotent). */
  maybeDelivered: boolean;
  action: Action;
  /** For sleep: the wait; for backoff: the top of the first jitter window. */
  delayMs?: number;
  dc?: number;
  chatId?: number;
  reason: string;
  /** The rule that applied, if any (a user rule or a built-in one). */
  rule?: string;
}

/** Runs `explain` over `cases` (default `FAULT_TABLE`): what this policy does with each failure. */
export function decisionTable(resilience: Pick<Resilience, 'explain'>, cases: readonly FaultCase[] = FAULT_TABLE): DecisionRow[] {
  return cases.map((c) => rowFrom(c, resilience.explain(c.error(), { method: c.method, ...(c.params && { params: c.params }) })));
}

function rowFrom(c: FaultCase, e: Explanation): DecisionRow {
  const row: DecisionRow = {
    id: c.id,
    failure: c.failure,
    method: c.method,
    kind: e.failure.kind,
    maybeDelivered: e.failure.maybeDelivered,
    action: e.action,
    reason: e.reason,
  };
  if (e.delayMs !== undefined) row.delayMs = e.delayMs;
  if (e.dc !== undefined) row.dc = e.dc;
  if (e.chatId !== undefined) row.chatId = e.chatId;
  if (e.rule !== undefined) row.rule = e.rule;
  return row;
}

/** `1.5s`, `500 ms`. */
export function formatDelay(ms: number): string {
  if (ms === Number.POSITIVE_INFINITY) return 'forever';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10}s`;
}

/** The action in words: `sleep 5s, then retry`, `fail`. */
export function describeAction(row: Pick<DecisionRow, 'action' | 'delayMs' | 'dc' | 'chatId'>): string {
  switch (row.action) {
    case 'sleep':
      return `sleep ${formatDelay(row.delayMs ?? 0)}, then retry`;
    case 'backoff':
      return `back off (up to ${formatDelay(row.delayMs ?? 0)}), then retry`;
    case 'reroute':
      return `retry on DC ${row.dc}`;
    case 'rewrite':
      return `retry in chat ${row.chatId}`;
    case 'fail':
      return 'fail';
  }
}

function seenAs(row: DecisionRow): string {
  return row.maybeDelivered ? `${row.kind} (may have been delivered)` : row.kind;
}

const HEADERS = ['Failure', 'Method', 'Seen as', 'Action', 'Rule', 'Why'];
const cellsOf = (row: DecisionRow) => [row.failure, row.method, seenAs(row), describeAction(row), row.rule ?? '-', row.reason];

/** The table in GitHub Markdown (what the README holds between the decision-table markers). */
export function renderMarkdownTable(rows: readonly DecisionRow[]): string {
  // Backslashes, pipes and emphasis markers (rule names hold `send*`) are escaped; the method is code.
  const escape = (text: string) => text.replace(/[\\|*`]/g, '\\$&').replace(/\r?\n/g, ' ');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const body = rows.map((row) => line(cellsOf(row).map((cell, i) => (i === 1 ? `\`${cell.replace(/[`|]/g, '')}\`` : escape(cell)))));
  return [line(HEADERS.map(escape)), `|${HEADERS.map(() => '---').join('|')}|`, ...body].join('\n') + '\n';
}

/** The table as aligned plain text, for a terminal. */
export function renderTextTable(rows: readonly DecisionRow[]): string {
  const table = [HEADERS, ...rows.map(cellsOf)];
  // The last column (the reason) is left unpadded: it is long and wraps anyway.
  const widths = HEADERS.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...rows.map((row) => line(cellsOf(row)))].join('\n') + '\n';
}
