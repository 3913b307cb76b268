/** Runs the CLI in-process with captured output. */
import { runCli } from '../../src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], signal?: AbortSignal, onOutput?: (stdout: string) => void): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
        onOutput?.(stdout);
        return true;
      },
    },
    stderr: { write: (text: string) => ((stderr += text), true) },
    ...(signal && { signal }),
  });
  return { code, stdout, stderr };
}
