/**
 * The real-clock broadcast over HTTP (issue 10): 600 messages to 600 private chats through
 * `createBotApi` + `createResilience({ throttle: true })` against the simulator on 127.0.0.1, whose
 * bot-wide limit refuses a 31st message within any 1,000 ms (judged when the request arrives) and
 * whose chats allow no burst (`strict`). Run twice: as is, and with a 400 ms event-loop stall (a
 * busy loop: the simulator, in this process, stalls too) 5 s in. Reported: makespan / 20 s (600 at
 * 30/s), 429s, and the most requests that arrived in any 1,000 ms. Targets: <= 1.05x, at most one
 * 429, never more than 30 in 1,000 ms.
 */
import { loadBuilt, report, round } from './common.mjs';

const { createResilience } = await loadBuilt('index.js');
const { createBotApi } = await loadBuilt('botapi/index.js');
const { startSimulator } = await loadBuilt('sim/index.js');

const MESSAGES = 600;
const BOUND_MS = (MESSAGES / 30) * 1000;

function busyFor(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is stalled
  }
}

async function run(stallMs) {
  const sim = await startSimulator({ strict: true, limits: { globalPerSecond: 30 } });
  const resilience = createResilience({ throttle: true });
  const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience });
  const stall = stallMs > 0 ? setTimeout(() => busyFor(stallMs), 5_000) : undefined;
  const started = Date.now();
  try {
    await Promise.all(Array.from({ length: MESSAGES }, (_, i) => api.call('sendMessage', { chat_id: 10_000 + i, text: `m${i}` })));
  } finally {
    clearTimeout(stall);
  }
  const makespanMs = Date.now() - started;
  const requests = sim.requests({ method: 'sendMessage' });
  const floods = requests.filter((r) => r.outcome === '429').length;
  const arrivals = requests.filter((r) => r.delivered).map((r) => r.at);
  let most = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while (arrivals[j] <= arrivals[i] - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  const delivered = sim.ledger().length;
  await resilience.close();
  await sim.close();
  if (delivered !== MESSAGES) throw new Error(`delivered ${delivered} of ${MESSAGES}`);
  return { ratio: round(makespanMs / BOUND_MS, 3), floods, mostIn1000Ms: most, makespanMs };
}

const plain = await run(0);
const stalled = await run(400);
const met = (r) => r.ratio <= 1.05 && r.floods <= 1 && r.mostIn1000Ms <= 30;
const result = { bench: 'http-broadcast', messages: MESSAGES, boundMs: BOUND_MS, plain, stalled, targetMet: met(plain) && met(stalled) };
report(
  result,
  `HTTP broadcast, ${MESSAGES} chats, strict 30 per 1,000 ms: ${plain.ratio}x, ${plain.floods} 429s, at most ${plain.mostIn1000Ms} in 1 s; ` +
    `with a 400 ms stall ${stalled.ratio}x, ${stalled.floods} 429s, at most ${stalled.mostIn1000Ms} (target <= 1.05x, <= 1 429: ${result.targetMet ? 'met' : 'MISSED'})`,
);
