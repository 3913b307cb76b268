/** `explain`: what a policy would do with one error, without running anything. */
import { createResilience } from '../../engine/resilience.js';
import type { CallInfo, CallParams } from '../../core/call.js';
import { describeAction } from '../../engine/decision-table.js';
import { stringOption, UsageError } from '../args.js';
import { policyFromArgs, writeLines, type Command } from '../command.js';
import { describeFailure } from '../describe.js';

function parseJsonOption(name: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--${name} must be JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'show what the policy would do with one error',
  usage: `Usage: telegram-resilience explain --error JSON [--method M] [--params JSON] [--idempotent] [--policy FILE] [--json]

Prints what the policy does with one failure of a call: sleep, reroute, rewrite, back off or fail,
how long, and why. The error is JSON, e.g.
  a Bot API answer:   '{"ok":false,"error_code":429,"parameters":{"retry_after":5}}'
  an MTProto error:   '{"code":420,"message":"FLOOD_WAIT_30"}'
  a network error:    '{"code":"ECONNRESET"}'

Options:
  --error JSON     the error (required)
  --method M       the method called, e.g. sendMessage (idempotency and rules depend on it)
  --params JSON    the call's parameters, e.g. '{"chat_id":-4001}' (a chat migration rewrites chat_id)
  --idempotent     the call may be resent even if it may have been delivered
  --policy FILE    use this policy file instead of the defaults
  --json           print the explanation as JSON`,
  options: { error: 'string', method: 'string', params: 'string', idempotent: 'boolean', policy: 'string', json: 'boolean' },
  async run(args, io) {
    const errorText = stringOption(args, 'error');
    if (errorText === undefined) throw new UsageError('--error is required');
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
    const error = parseJsonOption('error', errorText);
    const paramsText = stringOption(args, 'params');
    const params = paramsText === undefined ? undefined : parseJsonOption('params', paramsText);
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      throw new UsageError('--params must be a JSON object');
    }
    const info: CallInfo = {};
    const method = stringOption(args, 'method');
    if (method !== undefined) info.method = method;
    if (params !== undefined) info.params = params as CallParams;
    if (args.options.idempotent) info.idempotent = true;

    const resilience = createResilience({ ...(await policyFromArgs(args)) });
    try {
      const e = resilience.explain(error, info);
      if (args.options.json) {
        const { failure, ...decision } = e;
        const { cause: _cause, ...failureFields } = failure;
        io.stdout.write(JSON.stringify({ method: info.method ?? null, ...decision, failure: failureFields }, null, 2) + '\n');
        return 0;
      }
      const lines = [
        `method   ${info.method ?? '(not given)'}`,
        `failure  ${describeFailure(e.failure)}`,
        `action   ${describeAction(e)}`,
        `reason   ${e.reason}`,
        `rule     ${e.rule ?? '(none)'}`,
      ];
      if (e.failure.kind === 'chat_migrated' && params === undefined) {
        lines.push(`note     pass --params '{"chat_id":<old id>}' to see the chat id rewritten`);
      }
      writeLines(io.stdout, lines);
      return 0;
    } finally {
      await resilience.close();
    }
  },
};
