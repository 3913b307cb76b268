/**
 * `telegram-resilience/redis`: share limits, flood gates and chat migrations across the processes of
 * one bot through Redis (ioredis 5/6).
 *
 * ```ts
 * import Redis from 'ioredis';
 * import { createResilience } from 'telegram-resilience';
 * import { redisBackend } from 'telegram-resilience/redis';
 * const resilience = createResilience({ throttle: true, backend: redisBackend({ client: new Redis() }) });
 * ```
 */
export { redisBackend } from './backend.js';
export type { RedisBackend } from './backend.js';
export type { RedisBackendOptions } from './options.js';
export { BackendUnavailableError, isBackendUnavailableError } from '../../errors/backend-unavailable-error.js';
