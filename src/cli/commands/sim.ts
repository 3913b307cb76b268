/** `sim [--port N] [--faults PROFILE|FILE] [--seed N] [--strict]`: the Bot API simulator in the foreground, until Ctrl-C. */
import { applyFaultPlan, FAULT_PROFILES, loadFaultSetup, startSimulator, type FaultSetup } from '../../sim/index.js';
import { integerOption, positionals, stringOption, UsageError } from '../args.js';
import { writeLines, type Command } from '../command.js';

/** The port Telegram's own local Bot API server uses by default. */
const DEFAULT_PORT = 8081;

/** Resolves when `signal` aborts (never, without one). */
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

const profileLines = Object.entries(FAULT_PROFILES).map(([name, { summary }]) => `  ${name.padEnd(11)}${summary}`);

export const simCommand: Command = {
  name: 'sim',
  summary: 'run the Bot API simulator in the foreground until Ctrl-C',
  usage: `Usage: telegram-resilience sim [--port N] [--faults PROFILE|FILE] [--seed N] [--strict]

Starts the embedded Telegram Bot API simulator on 127.0.0.1 (Telegram's flood limits, long
polling, webhooks, chat migrations, blocked users, injected faults) and prints its apiRoot and
the token it accepts. Point any bot at it, e.g. grammY: new Bot(token, { client: { apiRoot } }).
Drive it over HTTP on the same port: POST /sim/updates, GET /sim/ledger, GET /sim/requests,
POST /sim/faults, POST /sim/reset (see docs/simulator.md). Ctrl-C stops it.

Options:
  --port N            TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --faults PROFILE    one of the profiles below, or the path of a JSON fault file
  --seed N            seed of the fault schedule (default 1; needs --faults)
  --strict            no per-chat burst: catches client throttles that allow short bursts

Fault profiles:
${profileLines.join('\n')}`,
  options: { port: 'string', faults: 'string', seed: 'string', strict: 'boolean' },
  async run(args, io) {
    positionals(args, []);
    const port = integerOption(args, 'port', DEFAULT_PORT, 0, 65_535);
    const seed = integerOption(args, 'seed', 1, 0, 2 ** 32 - 1);
    const faultsArg = stringOption(args, 'faults');
    if (faultsArg === undefined && stringOption(args, 'seed') !== undefined) throw new UsageError('option --seed needs --faults (it seeds their schedule)');
    const setup: FaultSetup = faultsArg === undefined ? { options: {}, plan: {} } : await loadFaultSetup(faultsArg, seed);
    const strict = args.options.strict === true || setup.options.strict === true;
    const sim = await startSimulator({ ...setup.options, port, ...(strict && { strict }) });
    applyFaultPlan(sim, setup.plan, seed);
    writeLines(io.stdout, [
      'Telegram Bot API simulator listening on 127.0.0.1',
      `  apiRoot  ${sim.apiRoot}`,
      `  token    ${sim.token}`,
      `  control  ${sim.apiRoot}/sim/ (updates, ledger, requests, faults, reset)`,
      `  faults   ${faultsArg === undefined ? 'none' : `${faultsArg}${setup.options.faults ? ` (seed ${seed})` : ''}`}${strict ? ', strict limits' : ''}`,
      'Press Ctrl-C to stop.',
    ]);
    await untilAborted(io.signal);
    await sim.close();
    const requests = sim.requests().length;
    const delivered = sim.ledger().length;
    io.stdout.write(`Stopped after ${requests} request${requests === 1 ? '' : 's'} (${delivered} message${delivered === 1 ? '' : 's'} delivered).\n`);
    return 0;
  },
};
