/** `check-policy FILE`: validates a policy file; prints OK or every problem with its line (exit 0/1). */
import { formatProblem, isPolicyFileError } from '../../policy/policy-file-error.js';
import { loadPolicy } from '../../engine/policy-file.js';
import { positionals } from '../args.js';
import { writeLines, type Command } from '../command.js';

export const checkPolicyCommand: Command = {
  name: 'check-policy',
  summary: 'validate a policy file (exit 0 when valid, 1 with every problem and its line)',
  usage: `Usage: telegram-resilience check-policy FILE

Validates a JSON policy file: the createResilience options that can be written as JSON
(floodSleepThreshold, maxAttempts, ..., "Infinity" for no limit), throttle, builtinRules and
rules [{ "match": "send*" | "sendMessage" | { "regex": "^get", "flags": "i" }, ...options }].
Unknown keys and wrong types are errors. Prints OK, or each problem as FILE:LINE:COLUMN: message.`,
  options: {},
  async run(args, io) {
    const [file] = positionals(args, ['FILE']);
    try {
      const options = await loadPolicy(file!);
      const rules = options.rules?.length ?? 0;
      const set = Object.keys(options).filter((k) => k !== 'rules').length;
      io.stdout.write(`OK: ${file} (${set} option${set === 1 ? '' : 's'}, ${rules} rule${rules === 1 ? '' : 's'})\n`);
      return 0;
    } catch (error) {
      if (!isPolicyFileError(error)) throw error;
      writeLines(io.stderr, error.problems.map((p) => formatProblem(error.path, p)));
      const n = error.problems.length;
      io.stderr.write(`${file}: ${n} problem${n === 1 ? '' : 's'}\n`);
      return 1;
    }
  },
};
