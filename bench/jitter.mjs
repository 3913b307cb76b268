/**
 * The jitter sweep (issue 10): the reference broadcast (3,000 private chats, 60 messages to one
 * group, 20 to one busy private chat; Telegram's limits make 120 s the lower bound) in virtual time
 * at one-way latency 20 ms + U[0, J) ms each way, J = 0, 5, 10, 25, 50, three seeds each, and once
 * more at J = 50 with a 400 ms event-loop stall every 10 s. Every strategy is a real grammY `Bot`
 * whose api transformer chain ends in the virtual Telegram (`runVirtualBroadcast`, which judges
 * every limit when a request ARRIVES):
 *  - this library: `grammyTransformer(createResilience({ throttle: true }))`;
 *  - `@grammyjs/auto-retry` alone;
 *  - `@grammyjs/transformer-throttler` + `@grammyjs/auto-retry` (the plugins' documented stack).
 * The peers use the global timers and `Date.now()`: virtual-timers.mjs drives them by the same
 * manual clock. Targets: this library <= 1.05x the bound and at most one 429 per run, no message out
 * of order in its chat.
 */
import { createRequire } from 'node:module';
import { loadBuilt, report, round } from './common.mjs';
import { installVirtualTimers } from './virtual-timers.mjs';

const require = createRequire(import.meta.url);
const { Bot } = require('grammy');
const { autoRetry } = require('@grammyjs/auto-retry');
const { apiThrottler } = require('@grammyjs/transformer-throttler');
const { createResilience, createManualClock } = await loadBuilt('index.js');
const { grammyTransformer } = await loadBuilt('adapters/grammy.js');
const { runVirtualBroadcast, referenceBroadcast } = await loadBuilt('sim/index.js');

const JITTERS = (process.env.BENCH_JITTERS ?? '0,5,10,25,50').split(',').map(Number);
const SEEDS = [1, 2, 3];
const PEERS = process.env.BENCH_JITTER_PEERS !== '0';
const BOT_INFO = { id: 1, is_bot: true, first_name: 'bench', username: 'bench_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false };

/** A grammY bot whose requests go to the virtual Telegram (the first transformer never calls prev). */
function virtualBot(send) {
  const bot = new Bot('1:bench', { botInfo: BOT_INFO });
  bot.api.config.use(async (_prev, _method, payload) => {
    try {
      return { ok: true, result: await send(payload) };
    } catch (answer) {
      return answer;
    }
  });
  return bot;
}

const strategies = {
  library: (clock) => {
    const resilience = createResilience({ clock, throttle: true });
    return { use: (bot) => bot.api.config.use(grammyTransformer(resilience)), close: () => resilience.close() };
  },
  autoRetry: () => ({ use: (bot) => bot.api.config.use(autoRetry()) }),
  throttlerAutoRetry: () => ({ use: (bot) => bot.api.config.use(apiThrottler(), autoRetry()) }),
};

async function run(name, jitterMs, seed, stalls) {
  const base = createManualClock();
  const { messages, lowerBoundMs } = referenceBroadcast();
  const restore = name === 'library' ? () => {} : installVirtualTimers(base);
  let close;
  try {
    const result = await runVirtualBroadcast({
      clock: base,
      messages,
      latencyMs: 20,
      jitterMs,
      seed,
      stalls,
      strategy: (send, list, clock) => {
        const bot = virtualBot(send);
        const s = strategies[name](clock);
        close = s.close;
        s.use(bot);
        return Promise.all(list.map((m) => bot.api.sendMessage(m.chatId, m.text)));
      },
    });
    if (result.delivered !== messages.length) throw new Error(`${name}: delivered ${result.delivered} of ${messages.length}`);
    return { ratio: round(result.makespanMs / lowerBoundMs, 3), floods: result.floods, outOfOrder: result.outOfOrder, duplicates: result.duplicates };
  } finally {
    await close?.();
    restore();
  }
}

const rows = [];
const cases = [...JITTERS.map((j) => ({ jitterMs: j })), { jitterMs: 50, stalls: { ms: 400, everyMs: 10_000 } }];
for (const { jitterMs, stalls } of cases) {
  for (const seed of SEEDS) {
    const row = { jitterMs, stallMs: stalls?.ms ?? 0, seed };
    for (const name of PEERS ? Object.keys(strategies) : ['library']) {
      const started = Date.now();
      row[name] = await run(name, jitterMs, seed, stalls);
      row[name].realMs = Date.now() - started;
    }
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
const ours = rows.map((r) => r.library);
const worst = {
  ratio: Math.max(...ours.map((r) => r.ratio)),
  floods: Math.max(...ours.map((r) => r.floods)),
  outOfOrder: Math.max(...ours.map((r) => r.outOfOrder)),
};
const peerRange = (name) => {
  if (!PEERS) return undefined;
  const ratios = rows.filter((r) => r.jitterMs > 0).map((r) => r[name].ratio);
  return `${Math.min(...ratios)}-${Math.max(...ratios)}`;
};
const result = {
  bench: 'jitter',
  rows,
  worstRatio: worst.ratio,
  worstFloods: worst.floods,
  worstOutOfOrder: worst.outOfOrder,
  autoRetryRatioWithJitter: peerRange('autoRetry'),
  throttlerAutoRetryRatioWithJitter: peerRange('throttlerAutoRetry'),
  targetMet: worst.ratio <= 1.05 && worst.floods <= 1 && worst.outOfOrder === 0,
};
report(
  result,
  `jitter sweep (J = ${JITTERS.join(', ')} ms and J = 50 + 400 ms stalls, seeds ${SEEDS.join(', ')}): this library at worst ${worst.ratio}x, ` +
    `${worst.floods} 429s, ${worst.outOfOrder} out of order (target <= 1.05x, <= 1 429, in order: ${result.targetMet ? 'met' : 'MISSED'}); ` +
    `auto-retry ${result.autoRetryRatioWithJitter}x, throttler + auto-retry ${result.throttlerAutoRetryRatioWithJitter}x with jitter`,
);
