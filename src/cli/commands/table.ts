/** `table [--policy FILE] [--markdown]`: the failure -> action decision table of a policy. */
import { createResilience } from '../../engine/resilience.js';
import { decisionTable, renderMarkdownTable, renderTextTable } from '../../engine/decision-table.js';
import { policyFromArgs, type Command } from '../command.js';

export const tableCommand: Command = {
  name: 'table',
  summary: 'print what the policy does with each representative failure',
  usage: `Usage: telegram-resilience table [--policy FILE] [--markdown]

Prints the failure -> action decision table: for each representative failure (429 with and
without retry_after, chat migration, 4xx, 5xx, network faults, timeouts, MTProto FLOOD_WAIT,
*_MIGRATE, ...) what the policy does, computed with resilience.explain.

Options:
  --policy FILE   use this policy file instead of the defaults
  --markdown      print a GitHub Markdown table (the README's table is this output)`,
  options: { policy: 'string', markdown: 'boolean' },
  async run(args, io) {
    const resilience = createResilience({ ...(await policyFromArgs(args)) });
    try {
      const rows = decisionTable(resilience);
      io.stdout.write(args.options.markdown ? renderMarkdownTable(rows) : renderTextTable(rows));
      return 0;
    } finally {
      await resilience.close();
    }
  },
};
