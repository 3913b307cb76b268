/**
 * Failing fast on a connection that is down. ioredis keeps commands sent while it reconnects in an
 * offline queue and runs them once it is back; for a reservation or a gate that would be stale
 * (a gate closed "for 30 s" thirty seconds late). So the backend sends nothing while the user's
 * client is known to be down, and rejects at once instead: the limiter falls back to local limits.
 * (A connection that hangs without closing is caught by the limiter's own timeout.)
 */

/** The part of an ioredis client the backend reads. */
export interface ConnectionState {
  status: string;
}

/** Statuses in which ioredis would queue a command rather than send it. */
const DOWN = new Set(['reconnecting', 'close', 'end']);

export class RedisDownError extends Error {
  override name = 'RedisDownError';
}

export function isDown(client: ConnectionState): boolean {
  return DOWN.has(client.status);
}

/** Throws when the connection is down (`wait`/`connecting`: a first connect is under way, commands may queue). */
export function assertUp(client: ConnectionState): void {
  if (isDown(client)) throw new RedisDownError(`redis connection is ${client.status}`);
}

/** Rejects after `ms` (real time: it guards against a peer that stopped answering); the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref?.();
  });
  // The loser must not become an unhandled rejection.
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
