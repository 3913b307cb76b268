/** `sim [--port N]`: the Bot API simulator in the foreground, until Ctrl-C. */
import { startSimulator } from '../../sim/index.js';
import { integerOption, positionals } from '../args.js';
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

export const simCommand: Command = {
  name: 'sim',
  summary: 'run the Bot API simulator in the foreground until Ctrl-C',
  usage: `Usage: telegram-resilience sim [--port N]

Starts the embedded Telegram Bot API simulator on 127.0.0.1 (Telegram's flood limits, chat
migrations, blocked users) and prints its apiRoot and the token it accepts. Point any bot
library at it, e.g. grammY: new Bot(token, { client: { apiRoot } }). Ctrl-C stops it.

Options:
  --port N   TCP port (default ${DEFAULT_PORT}; 0 picks a free one)`,
  options: { port: 'string' },
  async run(args, io) {
    positionals(args, []);
    const port = integerOption(args, 'port', DEFAULT_PORT, 0, 65_535);
    const sim = await startSimulator({ port });
    writeLines(io.stdout, [
      'Telegram Bot API simulator listening on 127.0.0.1',
      `  apiRoot  ${sim.apiRoot}`,
      `  token    ${sim.token}`,
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
