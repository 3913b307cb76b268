/**
 * Every TypeScript block of the user docs (README.md, docs/**\/*.md) compiles on its own, imports
 * included, as a user's file would: strict, `module`/`moduleResolution: nodenext` and the rest of
 * what `tsc --init` (TypeScript 5.9) turns on, against the real SDK packages, with
 * `telegram-resilience` and its subpaths resolved to this package's build (through its `exports`).
 * Blocks marked `runnable` are also run with node (against the simulator) and must exit 0.
 *
 * One compiler run checks all blocks, each in its own file. A block that default-imports
 * `node-telegram-bot-api` is the 0.x API (2.x has no default export): it is checked against 0.x's
 * typings (`@types/node-telegram-bot-api`), the others against 2.x.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTypescriptBlocks, typescriptBlocks, type CodeBlock } from './code-blocks.js';

const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const blocks = allTypescriptBlocks(repo);
const checked = blocks.filter((b) => b.mark !== 'fragment');

/** A control file (not from the docs): proves nodenext semantics and the real typings are in force. */
const CONTROL = `import Redis from 'ioredis';\nexport const redis = new Redis();\n`;

let work: string;
let outDir: string;
const sourceOf = new Map<CodeBlock | 'control', string>();
const problems = new Map<string, string[]>();

const NTBA0 = /^\s*import\s+\w+\s+from\s+['"]node-telegram-bot-api['"]/m;
const slug = (b: CodeBlock) => `${b.file.replace(/\.md$/, '').replace(/[^\w]+/g, '_')}_L${b.line}.ts`;
const node = (...args: string[]) => execFileSync(process.execPath, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  mkdirSync(path.join(repo, '.tmp'), { recursive: true });
  // Inside the repository (.tmp/ is ignored): the SDKs resolve from its node_modules, as installed.
  work = mkdtempSync(path.join(repo, '.tmp', 'examples-'));
  outDir = path.join(work, 'out');
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'docs-examples', private: true, type: 'module' }));
  const pkg = path.join(work, 'node_modules', 'telegram-resilience');
  mkdirSync(pkg, { recursive: true });
  copyFileSync(path.join(repo, 'package.json'), path.join(pkg, 'package.json'));
  node(path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(repo, 'tsconfig.build.json'), '--outDir', path.join(pkg, 'dist'));
  // node-telegram-bot-api 0.x with its DefinitelyTyped typings, for the 0.x blocks only.
  const ntba0 = path.join(work, 'ntba0', 'node_modules');
  mkdirSync(path.join(ntba0, '@types'), { recursive: true });
  symlinkSync(path.join(repo, 'node_modules', 'node-telegram-bot-api-0'), path.join(ntba0, 'node-telegram-bot-api'), 'dir');
  symlinkSync(path.join(repo, 'node_modules', '@types', 'node-telegram-bot-api'), path.join(ntba0, '@types', 'node-telegram-bot-api'), 'dir');

  for (const block of checked) {
    const file = path.join(work, NTBA0.test(block.code) ? 'ntba0' : 'blocks', slug(block));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, block.code);
    sourceOf.set(block, file);
  }
  const control = path.join(work, 'control', 'control.ts');
  mkdirSync(path.dirname(control), { recursive: true });
  writeFileSync(control, CONTROL);
  sourceOf.set('control', control);

  const program = ts.createProgram([...sourceOf.values()], {
    // What `tsc --init` (TypeScript 5.9) writes, without declaration output and JSX.
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noUncheckedSideEffectImports: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
    skipLibCheck: true,
    rootDir: work,
    outDir,
  });
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const key = d.file ? path.resolve(d.file.fileName) : '(global)';
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const text = `${where ? `+${where.line + 1}:${where.character + 1} ` : ''}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    problems.set(key, [...(problems.get(key) ?? []), text]);
  }
  program.emit();
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Problems in `block`'s file, with the Markdown line each one is on. */
function problemsOf(block: CodeBlock | 'control'): string[] {
  const file = path.resolve(sourceOf.get(block)!);
  const list = problems.get(file) ?? [];
  if (block === 'control') return list;
  return list.map((p) => p.replace(/^\+(\d+):(\d+)/, (_m, l: string, c: string) => `${block.file}:${block.line + Number(l)}:${c}`));
}

describe('the docs code blocks', () => {
  it('are found in README.md (and docs/ when there), with their marks', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(5);
    expect(checked.length).toBeGreaterThan(blocks.length / 2);
    expect(typescriptBlocks('x.md', '# t\n```ts runnable\nconst a = 1;\n```\n```typescript fragment\nb;\n```\n```js\nno\n```\n')).toEqual([
      { file: 'x.md', line: 2, mark: 'runnable', code: 'const a = 1;\n' },
      { file: 'x.md', line: 5, mark: 'fragment', code: 'b;\n' },
    ]);
    expect(() => typescriptBlocks('x.md', '```ts runable\n```\n')).toThrow(/x\.md:1: unknown code block mark "runable"/);
  });

  it('the check is strict nodenext with the real typings: a default-imported ioredis is not constructable', () => {
    expect(problemsOf('control')).toEqual([expect.stringMatching(/TS2351: This expression is not constructable/)]);
  });

  it.each(checked.map((b) => [`${b.file}:${b.line}`, b] as const))('%s compiles on its own', (_name, block) => {
    expect(problemsOf(block)).toEqual([]);
  });

  const runnable = checked.filter((b) => b.mark === 'runnable');
  it('at least one block runs against the simulator', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });
  it.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs against the simulator and exits 0', (_name, block) => {
    const js = path.join(outDir, path.relative(work, sourceOf.get(block)!)).replace(/\.ts$/, '.js');
    expect(() => execFileSync(process.execPath, [js], { cwd: work, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] })).not.toThrow();
  }, 40_000);
});
