#!/usr/bin/env node
/**
 * The `telegram-resilience` executable: a thin shim around `runCli` (see run.ts). Ctrl-C (or
 * SIGTERM) aborts the running command, which stops cleanly; a second Ctrl-C exits at once.
 */
import { runCli } from './run.js';

const interrupt = new AbortController();
const onSignal = () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal }).then(
  (code) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`telegram-resilience: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
