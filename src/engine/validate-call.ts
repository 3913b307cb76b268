import type { CallInfo } from '../core/call.js';

/** Rejects malformed arguments to `call`/`wrap` with a TypeError that says which one. */
export function validateCall(where: string, fn: unknown, info: unknown): asserts info is CallInfo | undefined {
  if (typeof fn !== 'function') throw new TypeError(`${where}: fn must be a function, got ${typeof fn}`);
  if (info === undefined) return;
  if (typeof info !== 'object' || info === null || Array.isArray(info)) {
    throw new TypeError(`${where}: info must be an object like { method, params }, got ${info === null ? 'null' : typeof info}`);
  }
  const { method, params, dc, signal, idempotent } = info as Record<string, unknown>;
  if (method !== undefined && typeof method !== 'string') throw new TypeError(`${where}: info.method must be a string`);
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    throw new TypeError(`${where}: info.params must be an object`);
  }
  if (dc !== undefined && !(typeof dc === 'number' && Number.isInteger(dc) && dc > 0)) {
    throw new TypeError(`${where}: info.dc must be a positive integer`);
  }
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal && 'addEventListener' in signal)) {
    throw new TypeError(`${where}: info.signal must be an AbortSignal`);
  }
  if (idempotent !== undefined && typeof idempotent !== 'boolean') throw new TypeError(`${where}: info.idempotent must be a boolean`);
}
