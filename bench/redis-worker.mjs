/**
 * One process of a bot for redis.mjs: sends paced sendMessage calls to distinct chats through
 * `throttle: { globalPerSecond }` and `redisBackend({ client })`, keeping `concurrency` calls in
 * flight, and records the epoch ms of every send. The process told to flood makes one extra call
 * whose first attempt fails with a bot-wide Bot API 429 (`retry_after` seconds), which closes the
 * whole bot's flood gate, shared through Redis.
 *
 * Protocol (IPC): parent -> { type: 'config', ... }; worker -> { type: 'ready' };
 * parent -> { type: 'go', startAt }; worker -> { type: 'report', sends, floodAt, backendEvents }.
 */
import { Redis } from 'ioredis';
import { loadBuilt, sleep } from './common.mjs';

const { createResilience } = await loadBuilt('index.js');
const { redisBackend } = await loadBuilt('limits/redis/index.js');

const nextMessage = (type) =>
  new Promise((resolve) => {
    const listener = (message) => {
      if (message?.type !== type) return;
      process.off('message', listener);
      resolve(message);
    };
    process.on('message', listener);
  });

const config = await nextMessage('config');
const client = new Redis({ host: '127.0.0.1', port: config.port, lazyConnect: true });
client.on('error', () => {});
await client.connect();
const resilience = createResilience({
  throttle: { globalPerSecond: config.globalPerSecond },
  backend: redisBackend({ client }),
  // Time for the bench's Redis to answer on a loaded 2-core machine; a fallback would void the run.
  backendTimeoutMs: 2_000,
});
const backendEvents = [];
resilience.on('backend', (event) => backendEvents.push({ status: event.status, at: Date.now(), error: String(event.error ?? '') }));
// An unpaced call starts the backend (subscription, open gates) before the clock starts.
await resilience.call(() => 'ok', { method: 'getMe' });
process.send({ type: 'ready' });

const { startAt } = await nextMessage('go');
const stopAt = startAt + config.runMs;
const sends = [];
let floodAt;
let chat = (config.index + 1) * 1_000_000;

const send = async () => {
  sends.push(Date.now());
  return { message_id: sends.length };
};

async function lane() {
  while (Date.now() < stopAt) {
    await resilience.call(send, { method: 'sendMessage', params: { chat_id: chat++, text: 'bench' } });
  }
}

/** A paced call that names no chat: its 429 is about the whole bot, so it closes the `bot` gate. */
async function floodOnce() {
  await sleep(Math.max(0, startAt + config.floodAfterMs - Date.now()));
  let failed = false;
  await resilience.call(
    () => {
      if (failed) return send();
      failed = true;
      floodAt = Date.now();
      throw {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${config.retryAfter}`,
        parameters: { retry_after: config.retryAfter },
      };
    },
    { method: 'sendMessage', params: { text: 'flood probe' } },
  );
}

await sleep(Math.max(0, startAt - Date.now()));
const work = Array.from({ length: config.concurrency }, lane);
if (config.flood) work.push(floodOnce());
await Promise.all(work);
process.send({ type: 'report', sends, floodAt, backendEvents });
await resilience.close();
client.disconnect();
process.disconnect();
