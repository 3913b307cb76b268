/**
 * docs/error-reporter.md: every TypeScript example compiles under strict nodenext, importing
 * 'telegram-resilience' (and its subpaths) as a user would, with the real SDK types. The package
 * names are mapped to this repository's sources, the way package.json's `exports` map them to dist.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

it('every TypeScript example of docs/error-reporter.md compiles', () => {
  const markdown = readFileSync(path.join(repo, 'docs', 'error-reporter.md'), 'utf8');
  const examples = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(examples.length).toBeGreaterThanOrEqual(4);
  expect(examples[0]).toContain("from 'grammy'"); // grammY first

  const exportsMap = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> }).exports;
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (!target.types) continue;
    const source = path.join(repo, target.types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
    paths[subpath === '.' ? 'telegram-resilience' : `telegram-resilience/${subpath.slice(2)}`] = [source];
  }
  // Inside node_modules, so 'grammy' and 'telegraf' resolve from the repository's own install.
  const dir = path.join(repo, 'node_modules', '.cache', `docs-check-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const files = examples.map((code, i) => {
      const file = `example-${i + 1}.ts`;
      writeFileSync(path.join(dir, file), code);
      return file;
    });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2023'],
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [path.join(repo, 'node_modules', '@types')],
          paths,
        },
        files,
      }),
    );
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync('node', [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      throw new Error(`the examples do not compile:\n${(error as { stdout?: string }).stdout ?? error}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
