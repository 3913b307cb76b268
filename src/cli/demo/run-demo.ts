/**
 * The demo: a broadcast through the real engine and Bot API client to the embedded simulator,
 * with flood limits stricter than Telegram's, a group that became a supergroup, a user who
 * blocked the bot and seeded network faults, on the real clock. It proves the library's promise
 * on the simulator's ledger: no message delivered twice, none lost.
 */
import { setMaxListeners } from 'node:events';
import { createBotApi } from '../../botapi/index.js';
import { systemClock } from '../../core/clock.js';
import { createResilience } from '../../engine/resilience.js';
import { classify } from '../../errors/classify.js';
import type { ResilienceOptionsFromFile } from '../../engine/policy-file.js';
import { startSimulator } from '../../sim/index.js';
import type { CliIo } from '../args.js';
import { DemoLog, type CallContext } from './log.js';
import { checkDeliveries, passed, renderSummary, type MessageOutcome } from './report.js';
import {
  BLOCKED_USER,
  CLIENT_TIMEOUT_MS,
  DEMO_CHATS,
  deadlineFor,
  FAULT_RATE,
  MIGRATED_GROUP,
  SIM_GLOBAL_PER_SECOND,
  SCRIPTED_FAULTS,
  SUPERGROUP,
  messageFor,
  simulatorOptions,
} from './scenario.js';

export interface DemoOptions {
  seed: number;
  messages: number;
  /** Options from `--policy FILE`, spread over `{ throttle: true }`. */
  policy: ResilienceOptionsFromFile;
  /** Default `deadlineFor(messages)`: 25 s, longer for big runs. */
  deadlineMs?: number;
}

/** Exit codes: 0 all promises kept, 1 a duplicate / lost message / token leak, 130 interrupted. */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const clock = systemClock;
  const startedAt = clock.now();
  const sim = await startSimulator(simulatorOptions(options.seed));
  for (const { kind, match } of SCRIPTED_FAULTS) sim.queueFault(kind, match);
  const resilience = createResilience({ throttle: true, ...options.policy });
  const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot, resilience, timeoutMs: CLIENT_TIMEOUT_MS });
  const log = new DemoLog(io, sim.token, () => clock.now(), startedAt);
  const unlisten = log.listen(resilience);

  // One signal ends everything still running: the deadline, or Ctrl-C.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every call of the broadcast listens to it
  const deadline = setTimeout(() => stop.abort(new Error('demo deadline passed')), options.deadlineMs ?? deadlineFor(options.messages));
  const onInterrupt = () => stop.abort(new Error('interrupted'));
  io.signal?.addEventListener('abort', onInterrupt, { once: true });

  try {
    log.write(`Simulated Telegram Bot API at ${sim.apiRoot} (seed ${options.seed})`);
    log.write(
      `  stricter than Telegram: ${SIM_GLOBAL_PER_SECOND} messages/s per bot, 1/s per chat with no burst; ` +
        `random faults on ${Math.round(FAULT_RATE * 100)}% of requests (500, 502 page, resets, bad JSON, hangs)`,
    );
    log.write(`  group ${MIGRATED_GROUP} became supergroup ${SUPERGROUP}; user ${BLOCKED_USER} blocked the bot`);
    log.write(`  client: throttle on (Telegram's published limits), request timeout ${CLIENT_TIMEOUT_MS} ms`);
    log.write('');

    log.line(`looking up ${DEMO_CHATS.length} chats (getChat is idempotent: network faults are retried)`);
    await Promise.all(
      DEMO_CHATS.map((chat) =>
        log.within({ label: `getChat ${chat.label}` }, () => api.call('getChat', { chat_id: chat.id }, { signal: stop.signal })).catch(() => undefined),
      ),
    );

    log.line(`broadcasting ${options.messages} messages (sendMessage is not idempotent: never resent after it may have been delivered)`);
    const outcomes: MessageOutcome[] = [];
    let settled = 0;
    const progressEvery = Math.max(5, Math.ceil(options.messages / 4));
    await Promise.all(
      Array.from({ length: options.messages }, (_, i) => {
        const { chat, text } = messageFor(i + 1, options.messages);
        const outcome: MessageOutcome = { index: i + 1, chat, text, status: 'pending' };
        outcomes.push(outcome);
        const context: CallContext = { label: `#${outcome.index} -> ${chat.label}` };
        return log
          .within(context, () => api.call('sendMessage', { chat_id: chat.id, text }, { signal: stop.signal }))
          .then(
            () => {
              outcome.status = 'sent';
            },
            (error: unknown) => {
              if (stop.signal.aborted) {
                outcome.status = 'unfinished';
                return;
              }
              outcome.status = 'failed';
              outcome.failure = classify(error);
              if (context.giveUpReason !== undefined) outcome.reason = context.giveUpReason;
            },
          )
          .finally(() => {
            settled++;
            if (settled % progressEvery === 0 || settled === options.messages) {
              const sent = outcomes.filter((o) => o.status === 'sent').length;
              log.line(`progress    ${settled}/${options.messages} done (${sent} sent)`);
            }
          });
      }),
    );

    const ledger = sim.ledger();
    const check = checkDeliveries(outcomes, ledger);
    const lines = renderSummary(check, {
      seed: options.seed,
      chats: new Set(outcomes.map((o) => o.chat.id)).size,
      elapsedMs: clock.now() - startedAt,
      ledgerSize: ledger.length,
      events: log.counts,
    });
    for (const line of lines) log.write(line);
    if (io.signal?.aborted) {
      log.write('Interrupted.');
      return 130;
    }
    const ok = passed(check) && !log.tokenLeaked;
    if (log.tokenLeaked) log.write('FAILED: the bot token appeared in the output (redacted above).');
    log.write(ok ? 'OK: no message was delivered twice and none was lost.' : 'FAILED: see above.');
    return ok ? 0 : 1;
  } finally {
    clearTimeout(deadline);
    io.signal?.removeEventListener('abort', onInterrupt);
    unlisten();
    await resilience.close();
    await sim.close();
  }
}
