/**
 * The TypeScript examples of docs/bullmq.md compile under strict nodenext, with the package's
 * subpaths mapped to the sources (the packed-package test does the same for docs/broadcast.md
 * against the tarball; bullmq and ioredis are optional peers it does not install).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

it('the examples of docs/bullmq.md type-check', { timeout: 60_000 }, async () => {
  const doc = readFileSync(join(root, 'docs', 'bullmq.md'), 'utf8');
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThanOrEqual(1);
  const dir = join(root, '.tmp', `docs-bullmq-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const files = blocks.map((code, i) => {
      const file = join(dir, `example-${i}.ts`);
      writeFileSync(file, code);
      return file;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: {
          noEmit: true,
          baseUrl: root,
          paths: {
            'telegram-resilience': ['src/index.ts'],
            'telegram-resilience/bullmq': ['src/bullmq/index.ts'],
            'telegram-resilience/redis': ['src/limits/redis/index.ts'],
            'telegram-resilience/broadcast': ['src/broadcast/index.ts'],
          },
        },
        files,
        include: [],
      }),
    );
    const result = await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: root }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
