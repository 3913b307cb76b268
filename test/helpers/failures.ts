/** Small builders for the failures Telegram produces, as plain objects (no SDK needed). */
export const botApiError = (error_code: number, description: string, parameters?: Record<string, unknown>) => ({
  ok: false as const,
  error_code,
  description,
  ...(parameters ? { parameters } : {}),
});

export const tooManyRequests = (retryAfter: number) =>
  botApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

export const chatMigrated = (newId: number) =>
  botApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: newId });

export const rpcError = (code: number, message: string) => ({ _: 'rpc_error', code, message });

export function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

export function fetchFailed(code: string): TypeError {
  return new TypeError('fetch failed', { cause: networkError(code) });
}
