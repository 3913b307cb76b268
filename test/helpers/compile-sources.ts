/**
 * Compiles some of src/ into `outDir/dist` for tests that run it in child processes (never the
 * repo's own dist/). Type errors elsewhere in the tree do not stop the emit (`noCheck`): it is judged
 * by what was emitted, so a test fails only when one of its `entries` is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `entries` relative to src/ (`'cli/index.ts'`); resolves with the emitted `.js` paths, in order. */
export async function compileSources(outDir: string, entries: readonly string[]): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(root, 'tsconfig.build.json'),
      compilerOptions: { rootDir: join(root, 'src'), outDir: join(outDir, 'dist'), declaration: false, sourceMap: false, noCheck: true },
      files: entries.map((entry) => join(root, 'src', entry)),
      include: [],
    }),
  );
  const output = await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: root }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  const emitted = entries.map((entry) => join(outDir, 'dist', entry.replace(/\.ts$/, '.js')));
  for (const file of emitted) if (!existsSync(file)) throw new Error(`tsc did not emit ${file}: ${output}`);
  return emitted;
}
