/**
 * Walks Telegram's whole RPC error database (core.json from danog/rpc-db and Telethon's errors.csv)
 * and checks that every (code, name) gets a sensible kind, and never `unknown`.
 *
 * The database is a fixture in the repository (`test/fixtures/telegram-errors/`, its README says where
 * each file comes from), so this runs on every clone; there is no skip path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FailureKind } from '../../src/errors/failure.js';
import { classify } from '../../src/errors/index.js';
import { failureProblems } from './helpers.js';

const databaseDir = new URL('../fixtures/telegram-errors/', import.meta.url);
const corePath = new URL('core.json', databaseDir);
const csvPath = new URL('telethon-errors.csv', databaseDir);

const N = 17;
const FLOOD = /^(?:FLOOD_WAIT|FLOOD_PREMIUM_WAIT|SLOWMODE_WAIT|FLOOD_TEST_PHONE_WAIT|TAKEOUT_INIT_DELAY|2FA_CONFIRM_WAIT)_17$/;
const MIGRATE = /_MIGRATE_17$/;
// 420 entries that are refusals, not waits (see src/errors/mtproto.ts): no wait fixes them.
const NON_WAIT_420 = new Set(['ADDRESS_INVALID', 'FROZEN_METHOD_INVALID', `PREMIUM_SUB_ACTIVE_UNTIL_${N}`]);

interface Expectation {
  kind: FailureKind;
  retryAfterMs?: number;
  dc?: number;
  maybeDelivered: boolean;
}

/** What a database entry must give, written from Telegram's docs rather than from the implementation. */
function expected(code: number, name: string): Expectation | string {
  if (FLOOD.test(name)) return { kind: 'flood', retryAfterMs: N * 1000, maybeDelivered: false };
  if (MIGRATE.test(name)) return { kind: 'dc_migrate', dc: N, maybeDelivered: false };
  switch (code) {
    case 400:
      return { kind: 'bad_request', maybeDelivered: false };
    case 401:
      return { kind: 'unauthorized', maybeDelivered: false };
    case 403:
      return { kind: 'forbidden', maybeDelivered: false };
    case 404:
      return { kind: 'not_found', maybeDelivered: false };
    case 406:
      return { kind: 'not_acceptable', maybeDelivered: false };
    case 420:
      return NON_WAIT_420.has(name) ? { kind: 'forbidden', maybeDelivered: false } : `unexpected 420 entry ${name}`;
    case 500:
      return { kind: name === 'TIMEOUT' ? 'timeout' : 'server', maybeDelivered: true };
    case -503:
      return { kind: 'timeout', maybeDelivered: true };
    default:
      return `no expectation for code ${code} (${name})`;
  }
}

/** Classifies one entry and returns what is wrong with the result (empty when fine). */
function check(code: number, name: string): string[] {
  const want = expected(code, name);
  if (typeof want === 'string') return [want];
  const cause = { code, message: name };
  const got = classify(cause);
  const problems = failureProblems(got, cause);
  if (got.kind !== want.kind) problems.push(`kind ${got.kind}, want ${want.kind}`);
  if (got.kind === 'unknown') problems.push('unknown for a database entry');
  if (got.maybeDelivered !== want.maybeDelivered) problems.push(`maybeDelivered ${got.maybeDelivered}`);
  if (got.retryAfterMs !== want.retryAfterMs) problems.push(`retryAfterMs ${got.retryAfterMs}, want ${want.retryAfterMs}`);
  if (got.dc !== want.dc) problems.push(`dc ${got.dc}, want ${want.dc}`);
  if (got.code !== code) problems.push(`code ${got.code}`);
  if (got.type !== name) problems.push(`type ${got.type}`);
  return problems.map((p) => `${code} ${name}: ${p}`);
}

function coreEntries(): Array<[number, string]> {
  const core = JSON.parse(readFileSync(corePath, 'utf8')) as { errors: Record<string, Record<string, unknown>> };
  return Object.entries(core.errors).flatMap(([code, names]) =>
    Object.keys(names).map((name): [number, string] => [Number(code), name.replaceAll('%d', String(N))]),
  );
}

function telethonEntries(): Array<[number, string]> {
  const rows = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/).slice(1);
  return rows.flatMap((row) => {
    const [name = '', codes = ''] = row.split(',');
    // Only the placeholder X is replaced (a whole `_X_`/`_X` token, or `XMIN`), never the X in `TEXT`.
    const concrete = name.replace(/(?<=^|_)X(?=_|$|MIN$)/g, String(N));
    return codes.trim().split(/\s+/).map((code): [number, string] => [Number(code), concrete]);
  });
}

describe('the Telegram RPC error database', () => {
  it('every core.json entry gets a sensible kind', () => {
    const entries = coreEntries();
    expect(entries.length).toBeGreaterThan(800);
    expect(entries.flatMap(([code, name]) => check(code, name))).toEqual([]);
  });

  it('every telethon-errors.csv entry gets a sensible kind', () => {
    const entries = telethonEntries();
    expect(entries.length).toBeGreaterThan(500);
    expect(entries.flatMap(([code, name]) => check(code, name))).toEqual([]);
  });

  it('the walk really covers the interesting names', () => {
    const names = new Set([...coreEntries(), ...telethonEntries()].map(([, name]) => name));
    for (const name of ['FLOOD_WAIT_17', 'FILE_MIGRATE_17', 'TIMEOUT', 'Timedout', 'RPC_CALL_FAIL', 'INTERDC_17_CALL_ERROR']) {
      expect(names.has(name), name).toBe(true);
    }
  });
});
