/**
 * The README's decision table must be exactly what the default policy renders now
 * (`telegram-resilience table --markdown`), so the documentation cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createResilience } from '../../src/engine/resilience.js';
import { decisionTable, renderMarkdownTable } from '../../src/engine/decision-table.js';

const START = '<!-- decision-table:start -->';
const END = '<!-- decision-table:end -->';

function tableIn(relativePath: string): string {
  const path = fileURLToPath(new URL(`../../${relativePath}`, import.meta.url));
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < 0 || end < start) {
    throw new Error(`${relativePath} must hold the decision table between ${START} and ${END}`);
  }
  return text.slice(start + START.length, end).trim();
}

describe('the decision table in the documentation', () => {
  const current = renderMarkdownTable(decisionTable(createResilience())).trim();

  it('README.md holds the table the default policy renders now (regenerate: telegram-resilience table --markdown)', () => {
    expect(tableIn('README.md')).toBe(current);
  });

});
