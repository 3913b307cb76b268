/**
 * The peer of bench/bullmq.mjs: a bare BullMQ worker, as a user would write one without this
 * library. Each job is one JSON POST of `sendMessage` over a keep-alive `node:http` agent: no
 * journal, no limits, no retries, no error handling. What BullMQ plus one HTTP request per job
 * costs on this machine, to compare our per-message CPU with.
 * argv: redis URL, queue name, api root, token.
 */
import http from 'node:http';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [url, name, apiRoot, token] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true });
const connection = new Redis(url, { maxRetriesPerRequest: null });
const post = (body) =>
  new Promise((resolve, reject) => {
    const request = http.request(`${apiRoot}/bot${token}/sendMessage`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
const queue = new Queue(name, { connection });
// The same lock and stall settings as broadcastWorkerOptions({ paid: true }).
const worker = new Worker(name, (job) => post({ chat_id: job.data.chatId, text: job.data.text, allow_paid_broadcast: true }), {
  connection,
  concurrency: 100,
  lockDuration: 4_000,
  stalledInterval: 1_000,
});
worker.on('error', () => {});
for (let empty = 0; empty < 2; ) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
  empty = Object.values(counts).every((n) => n === 0) ? empty + 1 : 0;
}
await worker.close();
await queue.close();
connection.disconnect();
agent.destroy();
