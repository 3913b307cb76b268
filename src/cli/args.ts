/**
 * Command-line arguments: `--name value`, `--name=value`, boolean `--name`, `--` to end options,
 * `-h` for `--help`. Strict: an unknown option, a missing value or a repeated option is a usage
 * error, because a mistyped `--polcy` silently ignored would run the wrong policy.
 */

/** Where the CLI writes. `process.stdout`/`process.stderr` fit; tests pass string collectors. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Aborted on Ctrl-C: long-running commands (`sim`, `demo`) stop cleanly when it fires. */
  signal?: AbortSignal;
}

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Option name -> kind. `help` is always accepted. */
export type OptionSpec = Record<string, 'string' | 'boolean'>;

export interface ParsedArgs {
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const kinds: OptionSpec = { help: 'boolean', ...spec };
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      options.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const kind = kinds[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (options[name] !== undefined) throw new UsageError(`option --${name} is given twice`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      options[name] = true;
      continue;
    }
    if (eq >= 0) {
      options[name] = arg.slice(eq + 1);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`option --${name} needs a value`);
    options[name] = value;
    i++;
  }
  return { options, positionals };
}

/** A string option's value, or undefined when absent. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer option within [min, max], or `fallback` when absent. */
export function integerOption(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const text = stringOption(args, name);
  if (text === undefined) return fallback;
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`option --${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Exactly `count` positional arguments (named in `what` for the message). */
export function positionals(args: ParsedArgs, what: string[]): string[] {
  if (args.positionals.length !== what.length) {
    const expected = what.length === 0 ? 'no arguments' : what.map((w) => `<${w}>`).join(' ');
    throw new UsageError(`expected ${expected}, got ${args.positionals.length === 0 ? 'none' : args.positionals.map((p) => JSON.stringify(p)).join(' ')}`);
  }
  return args.positionals;
}
