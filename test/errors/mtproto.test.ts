/**
 * MTProto rpc_errors as raw `{ code, message }` objects (and the TL spelling), and parseMtprotoName.
 */
import { describe, expect, it } from 'vitest';
import { classify, parseMtprotoName } from '../../src/errors/index.js';

const rpc = (code: number, message: string) => ({ code, message });

describe('parseMtprotoName', () => {
  it.each([
    ['FLOOD_WAIT_30', 30_000],
    ['FLOOD_PREMIUM_WAIT_5', 5000],
    ['SLOWMODE_WAIT_10', 10_000],
    ['FLOOD_TEST_PHONE_WAIT_4', 4000],
    ['TAKEOUT_INIT_DELAY_3600', 3_600_000],
    ['2FA_CONFIRM_WAIT_604800', 604_800_000],
    ['FLOOD_WAIT_0', 0],
  ])('%s is a flood of %i ms', (name, ms) => {
    expect(parseMtprotoName(name)).toEqual({ kind: 'flood', retryAfterMs: ms });
  });

  it('clamps an absurd wait to one year', () => {
    expect(parseMtprotoName(`FLOOD_WAIT_${'9'.repeat(40)}`)).toEqual({ kind: 'flood', retryAfterMs: 365 * 24 * 3600 * 1000 });
  });

  it.each(['PHONE', 'FILE', 'NETWORK', 'USER', 'STATS'])('%s_MIGRATE_4 is dc_migrate to dc 4', (prefix) => {
    expect(parseMtprotoName(`${prefix}_MIGRATE_4`)).toEqual({ kind: 'dc_migrate', dc: 4 });
  });

  it('a migration to dc 0 cannot be followed: server', () => {
    expect(parseMtprotoName('FILE_MIGRATE_0')).toEqual({ kind: 'server' });
  });

  it.each([
    'RPC_CALL_FAIL',
    'RPC_MCGET_FAIL',
    'WORKER_BUSY_TOO_LONG_RETRY',
    'MSGID_DECREASE_RETRY',
    'MEMBER_OCCUPY_PRIMARY_LOC_FAILED',
    'INTERDC_2_CALL_ERROR',
    'INTERDC_5_CALL_RICH_ERROR',
  ])('%s is server', (name) => {
    expect(parseMtprotoName(name)).toEqual({ kind: 'server' });
  });

  it.each(['TIMEOUT', 'Timeout', 'Timedout'])('%s is timeout', (name) => {
    expect(parseMtprotoName(name)).toEqual({ kind: 'timeout' });
  });

  it('AUTH_KEY_DUPLICATED is not_acceptable', () => {
    expect(parseMtprotoName('AUTH_KEY_DUPLICATED')).toEqual({ kind: 'not_acceptable' });
  });

  it.each([
    'FILE_PART_3_MISSING',
    'PASSWORD_TOO_FRESH_86400',
    'SESSION_TOO_FRESH_3600',
    'STORY_SEND_FLOOD_WEEKLY_100',
    'PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN',
    'PEER_ID_INVALID',
    'FLOOD_WAIT_%d',
    'flood_wait_30',
    '',
  ])('%s is left to its code', (name) => {
    expect(parseMtprotoName(name)).toBeUndefined();
  });

  it('does not throw on non-strings', () => {
    expect(parseMtprotoName(undefined as unknown as string)).toBeUndefined();
    expect(parseMtprotoName(42 as unknown as string)).toBeUndefined();
  });
});

describe('classify: rpc_error objects', () => {
  it('FLOOD_WAIT_X is a flood with the exact wait, not delivered, raw name in type', () => {
    const cause = rpc(420, 'FLOOD_WAIT_42');
    expect(classify(cause)).toEqual({
      kind: 'flood',
      code: 420,
      type: 'FLOOD_WAIT_42',
      retryAfterMs: 42_000,
      description: 'FLOOD_WAIT_42',
      maybeDelivered: false,
      cause,
    });
  });

  it('reads every field spelling: code/errorCode/error_code, message/errorMessage/error_message/text', () => {
    expect(classify({ errorCode: 420, errorMessage: 'FLOOD_WAIT_3' }).retryAfterMs).toBe(3000);
    expect(classify({ error_code: 420, error_message: 'FLOOD_WAIT_4' }).retryAfterMs).toBe(4000);
    expect(classify({ code: 420, text: 'FLOOD_WAIT_5' }).retryAfterMs).toBe(5000);
    expect(classify({ _: 'mt_rpc_error', errorCode: 303, errorMessage: 'USER_MIGRATE_2' })).toMatchObject({ kind: 'dc_migrate', dc: 2 });
  });

  it('FILE_MIGRATE_X is a dc migration even under 400, as core.json lists it', () => {
    expect(classify(rpc(400, 'FILE_MIGRATE_4'))).toMatchObject({ kind: 'dc_migrate', dc: 4, maybeDelivered: false });
    expect(classify(rpc(303, 'FILE_MIGRATE_4'))).toMatchObject({ kind: 'dc_migrate', dc: 4 });
  });

  it('303 with an unknown name is dc_migrate only when a number can be read', () => {
    expect(classify(rpc(303, 'SOMETHING_MIGRATE_3'))).toMatchObject({ kind: 'dc_migrate', dc: 3 });
    expect(classify(rpc(303, 'ERROR_SEE_OTHER'))).toMatchObject({ kind: 'server', maybeDelivered: true });
  });

  it('500 internal errors are server, TIMEOUT and -503 are timeout, all maybe delivered', () => {
    expect(classify(rpc(500, 'RPC_CALL_FAIL'))).toMatchObject({ kind: 'server', maybeDelivered: true });
    expect(classify(rpc(500, 'CHAT_ID_GENERATE_FAILED'))).toMatchObject({ kind: 'server', maybeDelivered: true });
    expect(classify(rpc(500, 'TIMEOUT'))).toMatchObject({ kind: 'timeout', maybeDelivered: true });
    expect(classify(rpc(-503, 'Timedout'))).toMatchObject({ kind: 'timeout', maybeDelivered: true });
    expect(classify(rpc(-503, 'Timeout'))).toMatchObject({ kind: 'timeout', maybeDelivered: true });
  });

  it('AUTH_KEY_DUPLICATED is not_acceptable, never retried', () => {
    expect(classify(rpc(406, 'AUTH_KEY_DUPLICATED'))).toMatchObject({ kind: 'not_acceptable', maybeDelivered: false });
  });

  it('numbered names that are not waits keep the kind of their code', () => {
    expect(classify(rpc(400, 'FILE_PART_7_MISSING')).kind).toBe('bad_request');
    expect(classify(rpc(400, 'PASSWORD_TOO_FRESH_86400'))).toMatchObject({ kind: 'bad_request' });
    expect(classify(rpc(400, 'PASSWORD_TOO_FRESH_86400')).retryAfterMs).toBeUndefined();
    expect(classify(rpc(400, 'STORY_SEND_FLOOD_WEEKLY_100')).kind).toBe('bad_request');
    expect(classify(rpc(406, 'PREVIOUS_CHAT_IMPORT_ACTIVE_WAIT_5MIN')).kind).toBe('not_acceptable');
  });

  it('420 names without a wait are refusals (forbidden), not floods', () => {
    expect(classify(rpc(420, 'FROZEN_METHOD_INVALID'))).toMatchObject({ kind: 'forbidden', maybeDelivered: false });
    expect(classify(rpc(420, 'PREMIUM_SUB_ACTIVE_UNTIL_1767225600')).kind).toBe('forbidden');
    // ...but an unknown wait-like 420 still waits.
    expect(classify(rpc(420, 'NEW_THING_WAIT_9'))).toMatchObject({ kind: 'flood', retryAfterMs: 9000 });
    expect(classify(rpc(420, 'FLOOD'))).toMatchObject({ kind: 'flood', retryAfterMs: 1000 });
  });

  it.each([
    [401, 'AUTH_KEY_UNREGISTERED', 'unauthorized'],
    [403, 'CHAT_WRITE_FORBIDDEN', 'forbidden'],
    [403, 'USER_IS_BLOCKED', 'forbidden'],
    [400, 'USER_IS_BLOCKED', 'bad_request'],
    [404, 'METHOD_INVALID', 'not_found'],
    [400, 'PEER_ID_INVALID', 'bad_request'],
  ] as const)('%i %s is %s', (code, name, kind) => {
    expect(classify(rpc(code, name))).toMatchObject({ kind, code, type: name, maybeDelivered: false });
  });

  it.each([418, -500, 502, 999])('code %i, not in Telegram\'s list, is server', (code) => {
    expect(classify(rpc(code, 'SOMETHING_ODD'))).toMatchObject({ kind: 'server', maybeDelivered: true });
  });

  it('a name without a code is trusted only when the name decides alone', () => {
    expect(classify({ errorMessage: 'FLOOD_WAIT_8' })).toMatchObject({ kind: 'flood', retryAfterMs: 8000 });
    expect(classify({ errorMessage: 'PEER_ID_INVALID' }).kind).toBe('unknown');
    // A plain Error whose message happens to look like a name is user code, not Telegram.
    expect(classify(new Error('FLOOD_WAIT_8')).kind).toBe('unknown');
  });
});
