/**
 * The CLI as a user runs it: compiled once into a temp dir (.tmp/, never the repo's dist/), then
 * started as a child process with its own environment, killed with real signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSources } from '../../helpers/compile-sources.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CompiledCli {
  entry: string;
  remove(): void;
}

/** Compiles src/cli into .tmp/ (see compileSources). */
export async function compileCli(name: string): Promise<CompiledCli> {
  const outDir = join(root, '.tmp', `${name}-${process.pid}`);
  const [entry] = await compileSources(outDir, ['cli/index.ts']);
  return { entry: entry!, remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

export interface CliRun {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process exits: its code (null when killed) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startCli(entry: string, args: string[], env: Record<string, string | undefined>, options: { cwd?: string; stdin?: string } = {}): CliRun {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) childEnv[k] = v;
  const child = spawn(process.execPath, [entry, ...args], { env: childEnv, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  else child.stdin!.end();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.once('close', (code, signal) => done({ code, signal, stdout: out, stderr: err })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The `--json` report: the last line of stdout. */
export function reportOf(stdout: string): {
  total: number;
  sent: number;
  skipped: number;
  blocked: Array<number | string>;
  migrated: Array<{ from: number | string; to: number | string }>;
  failed: Array<{ chatId: number | string; kind: string; description: string }>;
  uncertain: Array<number | string>;
  floodWaits: number;
  elapsedMs: number;
  lowerBoundMs: number;
} {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}
