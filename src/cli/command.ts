/** The shape every CLI command has, and helpers they share. */
import { loadPolicy, type ResilienceOptionsFromFile } from '../engine/policy-file.js';
import { stringOption, type CliIo, type OptionSpec, type ParsedArgs } from './args.js';

export interface Command {
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** The full `--help` text. */
  usage: string;
  options: OptionSpec;
  /** Resolves with the exit code. May throw `UsageError` (exit 2) or `PolicyFileError` (exit 1). */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** The options of `--policy FILE`, or none when it is not given. Throws `PolicyFileError`. */
export async function policyFromArgs(args: ParsedArgs): Promise<ResilienceOptionsFromFile> {
  const path = stringOption(args, 'policy');
  return path === undefined ? {} : loadPolicy(path);
}

/** Writes lines (each ending in a newline). */
export function writeLines(stream: CliIo['stdout'], lines: string[]): void {
  if (lines.length > 0) stream.write(lines.join('\n') + '\n');
}
