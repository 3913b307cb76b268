/**
 * `runCli(argv, io)`: the whole command line as a function, so tests run commands in-process with
 * captured output, and `index.ts` stays a thin shim around it.
 */
import { readFileSync } from 'node:fs';
import { formatProblem, isPolicyFileError } from '../policy/policy-file-error.js';
import { parseArgs, UsageError, type CliIo } from './args.js';
import type { Command } from './command.js';
import { broadcastCommand } from './commands/broadcast.js';
import { checkPolicyCommand } from './commands/check-policy.js';
import { demoCommand } from './commands/demo.js';
import { explainCommand } from './commands/explain.js';
import { simCommand } from './commands/sim.js';
import { tableCommand } from './commands/table.js';

export type { CliIo } from './args.js';

const PROGRAM = 'telegram-resilience';
export const COMMANDS: readonly Command[] = [demoCommand, broadcastCommand, explainCommand, checkPolicyCommand, tableCommand, simCommand];

/** The package's version, read from its package.json (two levels up from both src/cli and dist/cli). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${PROGRAM} <command> --help' for a command's options, '${PROGRAM} --version' for the version.`,
  ].join('\n');
}

/**
 * Runs one command. `argv` is what follows the program name (`process.argv.slice(2)`). Resolves
 * with the exit code: 0 success, 1 failure (invalid policy, failed demo), 2 usage error, 130
 * interrupted. Never rejects for expected errors; they are written to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    const text = (topic?.usage ?? overview()) + '\n';
    if (name === undefined) {
      io.stderr.write(text);
      return 2;
    }
    io.stdout.write(text);
    return 0;
  }
  if (name === '--version') {
    if (rest.length > 0) {
      io.stderr.write(`${PROGRAM}: --version takes no arguments\n`);
      return 2;
    }
    io.stdout.write(packageVersion() + '\n');
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`${PROGRAM}: unknown command ${JSON.stringify(name)}\n\n${overview()}\n`);
    return 2;
  }
  try {
    const args = parseArgs(rest, command.options);
    if (args.options.help) {
      io.stdout.write(command.usage + '\n');
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${PROGRAM} ${command.name}: ${error.message}\nRun '${PROGRAM} ${command.name} --help' for usage.\n`);
      return 2;
    }
    if (isPolicyFileError(error)) {
      io.stderr.write(error.problems.map((p) => formatProblem(error.path, p)).join('\n') + '\n');
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${PROGRAM} ${command.name}: ${message}\n`);
    return 1;
  }
}
