/**
 * Helpers shared by the benchmarks: loading the built package with a clear message when it is not
 * built, printing results (one JSON line for machines, one line for people), and small statistics.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Imports `dist/<relative>` or exits with a message saying how to build it. */
export async function loadBuilt(relative) {
  const file = join(ROOT, 'dist', relative);
  if (!existsSync(file)) {
    console.error(`bench: ${file} is missing; build first (npm run build, or npm run bench which builds)`);
    process.exit(2);
  }
  return import(pathToFileURL(file).href);
}

/** Imports `dist/<relative>`, or returns undefined when it is not there (internal modules may move). */
export async function loadBuiltIfPresent(relative) {
  const file = join(ROOT, 'dist', relative);
  return existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

/** Prints the machine-readable line, then the human one. */
export function report(result, human) {
  console.log(JSON.stringify(result));
  console.log(human);
}

/** The most timestamps in any window of `ms` (sorted input): `(t - ms, t]` for every t. */
export function maxInWindow(sorted, ms) {
  let most = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= ms) lo++;
    most = Math.max(most, hi - lo + 1);
  }
  return most;
}

/** The value at quantile `q` (0..1) of an already sorted array (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function median(values) {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/** Rounds to `digits` decimals (keeps the JSON short and readable). */
export function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Heap used in MB after full collections (needs `node --expose-gc`). */
export async function heapUsedMB() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) {
    global.gc();
    // Lets finalizers and weak callbacks run between collections.
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** Real-time sleep (for benches on the system clock). */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
