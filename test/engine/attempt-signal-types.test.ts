/**
 * `attempt.signal` as users with `exactOptionalPropertyTypes: true` pass it on: a type-level test,
 * compiled with the TypeScript compiler under that option (the repository's own tsconfig has it off).
 * The control case (`AbortSignal | undefined`, the type before) must be rejected, so the option is
 * really in force and this test can fail.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const dir = mkdtempSync(path.join(tmpdir(), 'tgr-eopt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function diagnostics(source: string): string[] {
  const file = path.join(dir, 'user.ts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    exactOptionalPropertyTypes: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    typeRoots: [path.join(repo, 'node_modules', '@types')],
    skipLibCheck: true,
    noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const header = `import type { Attempt } from ${JSON.stringify(path.join(repo, 'src', 'core', 'call.js'))};
declare const attempt: Attempt;
declare function sdkCall(options: { signal?: AbortSignal }): Promise<void>;
`;

describe('attempt.signal under exactOptionalPropertyTypes', () => {
  it('goes to fetch and to an SDK option `signal?: AbortSignal` as it is', () => {
    const errors = diagnostics(`${header}
export const response: Promise<Response> = fetch('http://127.0.0.1/', { signal: attempt.signal });
export const done: Promise<void> = sdkCall({ signal: attempt.signal });
`);
    expect(errors).toEqual([]);
  }, 60_000);

  it('the control: a signal typed AbortSignal | undefined is rejected there', () => {
    const errors = diagnostics(`${header}
declare const before: { signal: AbortSignal | undefined };
export const response = fetch('http://127.0.0.1/', { signal: before.signal });
export const done = sdkCall({ signal: before.signal });
`);
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toMatch(/exactOptionalPropertyTypes/);
  }, 60_000);
});
