/** `demo`: the broadcast demo (`npm start`). */
import { integerOption, positionals } from '../args.js';
import { policyFromArgs, type Command } from '../command.js';
import { runDemo } from '../demo/run-demo.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'broadcast through the simulator with floods, migrations and faults, and check the ledger',
  usage: `Usage: telegram-resilience demo [--policy FILE] [--seed N] [--messages N]

Starts the embedded Telegram simulator with limits stricter than Telegram's, a group that became
a supergroup, a user who blocked the bot and seeded random faults, then broadcasts messages through
createResilience({ throttle: true, ...policy }) and the built-in Bot API client. Prints the flood
waits, migrations, retries and give-ups as they happen, then checks the simulator's ledger: exit 0
when no message was delivered twice and none was lost, 1 otherwise. Takes about 10 seconds.

Options:
  --policy FILE   a policy file (see check-policy); its options go over { throttle: true }
  --seed N        seed of the random faults (default 1): the same seed gives the same faults
  --messages N    how many messages to broadcast (default 40, at most 100)`,
  options: { policy: 'string', seed: 'string', messages: 'string' },
  async run(args, io) {
    positionals(args, []);
    const seed = integerOption(args, 'seed', 1, 0, 2 ** 32 - 1);
    const messages = integerOption(args, 'messages', 40, 1, 100);
    const policy = await policyFromArgs(args);
    return runDemo({ seed, messages, policy }, io);
  },
};
