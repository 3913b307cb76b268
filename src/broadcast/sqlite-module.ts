/**
 * better-sqlite3, loaded only when a SQLite journal is opened: the package's main entry never
 * needs it, and a missing or unbuilt module becomes one clear message instead of a resolver stack.
 */
import { createRequire } from 'node:module';

/** The part of better-sqlite3's API the journal uses. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
export interface SqliteDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  prepare(source: string): SqliteStatement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): { immediate(...args: A): R } & ((...args: A) => R);
  close(): unknown;
}
type DatabaseConstructor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => SqliteDatabase;

let loaded: DatabaseConstructor | undefined;

export const SQLITE_MISSING =
  'the SQLite journal needs the better-sqlite3 package (12.x), which could not be loaded. Install it: npm install better-sqlite3@12';

export function loadSqlite(): DatabaseConstructor {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`telegram-resilience/broadcast: ${SQLITE_MISSING} (${reason})`, { cause: error });
  }
  return loaded;
}
