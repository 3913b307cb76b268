/**
 * The fenced code blocks of the user docs (README.md and docs/**\/*.md), as the examples test
 * checks them. A block's info string is its language, then optional marks:
 *   ```ts              compiled on its own, imports included (the default)
 *   ```ts runnable     also run with node against the simulator (must exit 0 on its own)
 *   ```ts fragment     not compiled: deliberately part of something (keep rare; see CONTRIBUTING.md)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type BlockMark = 'check' | 'runnable' | 'fragment';

export interface CodeBlock {
  /** Repository-relative path of the Markdown file. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  mark: BlockMark;
  code: string;
}

const TS_LANGS = new Set(['ts', 'typescript']);
const MARKS = new Set(['runnable', 'fragment']);

/** README.md and every Markdown file under docs/, in a stable order. */
export function userDocs(repo: string): string[] {
  const docsDir = path.join(repo, 'docs');
  let docs: string[] = [];
  try {
    docs = readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md'))
      .map((f) => path.join('docs', f).split(path.sep).join('/'))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return ['README.md', ...docs];
}

/** The TypeScript blocks of one Markdown text. An unknown mark is an error, not silently a check. */
export function typescriptBlocks(file: string, markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', lang = '', rest = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[j]!)) {
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!);
      j++;
    }
    if (TS_LANGS.has(lang.toLowerCase())) {
      const words = rest.trim().split(/\s+/).filter(Boolean);
      for (const word of words) {
        if (!MARKS.has(word)) throw new Error(`${file}:${i + 1}: unknown code block mark ${JSON.stringify(word)}`);
      }
      const mark: BlockMark = words.includes('fragment') ? 'fragment' : words.includes('runnable') ? 'runnable' : 'check';
      blocks.push({ file, line: i + 1, mark, code: body.join('\n') + '\n' });
    }
    i = j;
  }
  return blocks;
}

export function allTypescriptBlocks(repo: string): CodeBlock[] {
  return userDocs(repo).flatMap((file) => typescriptBlocks(file, readFileSync(path.join(repo, file), 'utf8')));
}
