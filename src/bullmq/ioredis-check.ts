/** The check for an ioredis connection option (`client`, `connection`): the journal defines its Lua scripts on it. */
import { hasMethods } from '../core/checks.js';

export const ioredisClientCheck = hasMethods('an ioredis client (new Redis(...))', 'defineCommand');
