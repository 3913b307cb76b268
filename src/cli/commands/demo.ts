/** `demo`: the broadcast demo (`npm start`). */
import { integerOption, positionals } from '../args.js';
import { policyFromArgs, type Command } from '../command.js';
import { runDemo } from '../demo/run-demo.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'broadcast to a few hundred simulated chats with 429s, migrations and faults, and check the ledger',
  usage: `Usage: telegram-resilience demo [--compare] [--chats N] [--seed N] [--policy FILE]

Starts the embedded Telegram simulator (a bot-wide limit a little under Telegram's, groups that
became supergroups, users who blocked the bot, seeded faults: 500s, a 502 page, resets before and
after delivery, cut answers), then sends one message to every chat with broadcast(), through
createResilience({ throttle: true, ...policy }), the built-in Bot API client and a SQLite journal.
Shows the progress and the report, then checks the report against the simulator's ledger: exit 0
when nobody got the message twice and every recipient is truthfully listed (sent, blocked, failed
or uncertain), 1 otherwise. Takes about 15 seconds (about 40 with --compare).

Options:
  --compare       first send the same broadcast as a naive loop with plain retries, side by side
  --chats N       how many chats (default 300, at most 1000)
  --seed N        seed of the random faults (default 1): the same seed gives the same faults
  --policy FILE   a policy file (see check-policy); its options go over { throttle: true }`,
  options: { policy: 'string', seed: 'string', chats: 'string', compare: 'boolean' },
  async run(args, io) {
    positionals(args, []);
    const seed = integerOption(args, 'seed', 1, 0, 2 ** 32 - 1);
    const chats = integerOption(args, 'chats', 300, 1, 1000);
    const policy = await policyFromArgs(args);
    return runDemo({ seed, chats, policy, compare: args.options.compare === true }, io);
  },
};
