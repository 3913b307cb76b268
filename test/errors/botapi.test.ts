/**
 * Bot API answers (bare `{ ok: false, ... }`), non-JSON HTTP responses and this package's own errors.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/errors/index.js';
import {
  BadRequest,
  ChatMigrated,
  Conflict,
  Forbidden,
  InvalidServerResponse,
  InvalidToken,
  NetworkError,
  RetryAfter,
  TelegramError,
  TimedOut,
} from '../../src/errors/telegram-error.js';
import { expectWellFormed } from './helpers.js';

const answer = (error_code: number, description: string, parameters?: object) => ({
  ok: false,
  error_code,
  description,
  ...(parameters && { parameters }),
});

describe('Bot API answers', () => {
  it('429 with retry_after is a flood of retry_after seconds, not delivered', () => {
    const cause = answer(429, 'Too Many Requests: retry after 35', { retry_after: 35 });
    const f = classify(cause);
    expect(f).toMatchObject({ kind: 'flood', code: 429, retryAfterMs: 35_000, maybeDelivered: false });
    expect(f.description).toBe('Too Many Requests: retry after 35');
    expect(f.cause).toBe(cause);
  });

  it('429 without retry_after reads the wait from the description', () => {
    expect(classify(answer(429, 'Too Many Requests: retry after 7')).retryAfterMs).toBe(7000);
  });

  it('429 with no number anywhere is a flood with the documented 1000 ms default', () => {
    const f = classify(answer(429, 'Too Many Requests'));
    expect(f).toMatchObject({ kind: 'flood', retryAfterMs: 1000, maybeDelivered: false });
  });

  it('420 reads FLOOD_WAIT_X from the description', () => {
    expect(classify(answer(420, 'Flood control: FLOOD_WAIT_12'))).toMatchObject({ kind: 'flood', retryAfterMs: 12_000 });
  });

  it('clamps absurd waits: negative to 0, huge to one year, NaN to the default', () => {
    expect(classify(answer(429, 'x', { retry_after: -5 })).retryAfterMs).toBe(0);
    expect(classify(answer(429, 'x', { retry_after: 1e300 })).retryAfterMs).toBe(365 * 24 * 3600 * 1000);
    expect(classify(answer(429, 'x', { retry_after: Number.NaN })).retryAfterMs).toBe(1000);
    expect(classify(answer(429, 'x', { retry_after: Number.POSITIVE_INFINITY })).retryAfterMs).toBe(365 * 24 * 3600 * 1000);
  });

  it('400 with migrate_to_chat_id is a chat migration carrying the new id', () => {
    const f = classify(
      answer(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 }),
    );
    expect(f).toMatchObject({ kind: 'chat_migrated', migrateToChatId: -1001234567890, code: 400, maybeDelivered: false });
  });

  it('the upgrade description without an id is an ordinary bad request (nothing to migrate to)', () => {
    expect(classify(answer(400, 'Bad Request: group chat was upgraded to a supergroup chat')).kind).toBe('bad_request');
  });

  it.each([
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [406, 'not_acceptable'],
    [409, 'conflict'],
  ] as const)('%i is %s and surely not delivered', (code, kind) => {
    expect(classify(answer(code, 'x'))).toMatchObject({ kind, code, maybeDelivered: false });
  });

  it.each([500, 502, 503, 504, 418, 303, 599, 0, -1])('code %i is server and may have been delivered', (code) => {
    expect(classify(answer(code, 'x'))).toMatchObject({ kind: 'server', maybeDelivered: true });
  });

  it('an answer whose error_code is NaN or missing is server (codes not listed are treated as 500)', () => {
    expect(classify({ ok: false, error_code: Number.NaN, description: 'x' })).toMatchObject({ kind: 'server', maybeDelivered: true });
    expect(classify({ ok: false, description: 'Internal Server Error' })).toMatchObject({ kind: 'server' });
  });

  it('ignores parameters that are not an object', () => {
    expect(classify({ ok: false, error_code: 400, description: 'x', parameters: 'x' }).kind).toBe('bad_request');
  });

  it('keeps the description short', () => {
    const f = classify(answer(400, 'Bad Request: '.padEnd(20_000, 'y')));
    expect(f.description!.length).toBeLessThanOrEqual(500);
    expect(f.description!.startsWith('Bad Request: yyy')).toBe(true);
  });
});

describe('HTTP responses that are not Bot API answers', () => {
  it('a 502 with an nginx HTML page is server, maybe delivered', () => {
    const response = { status: 502, statusText: 'Bad Gateway', body: '<html><body>502 Bad Gateway</body></html>' };
    expect(classify(response)).toMatchObject({ kind: 'server', code: 502, maybeDelivered: true, description: 'Bad Gateway' });
  });

  it('reads statusCode (http.IncomingMessage) as well', () => {
    expect(classify({ statusCode: 504, body: 'gateway timeout' })).toMatchObject({ kind: 'server', code: 504 });
  });

  it('a body that is a Bot API answer is read as one', () => {
    const response = { statusCode: 429, body: JSON.stringify(answer(429, 'Too Many Requests: retry after 3', { retry_after: 3 })) };
    expect(classify(response)).toMatchObject({ kind: 'flood', retryAfterMs: 3000 });
  });

  it('a real fetch Response with a 502 status is server', () => {
    const response = new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    expect(classify(response)).toMatchObject({ kind: 'server', code: 502, maybeDelivered: true });
  });

  it('a real 403 Response is forbidden', () => {
    expect(classify(new Response('nope', { status: 403 }))).toMatchObject({ kind: 'forbidden', code: 403 });
  });
});

describe("this package's own errors", () => {
  it('RetryAfter gives retryAfter seconds in ms', () => {
    const error = new RetryAfter(30, { error_code: 429, description: 'Too Many Requests: retry after 30', method: 'sendMessage' });
    const f = classify(error);
    expect(f).toMatchObject({ kind: 'flood', retryAfterMs: 30_000, code: 429, maybeDelivered: false });
    expect(f.cause).toBe(error);
  });

  it('ChatMigrated gives the new chat id', () => {
    expect(classify(new ChatMigrated(-100777, { error_code: 400 }))).toMatchObject({
      kind: 'chat_migrated',
      migrateToChatId: -100777,
      maybeDelivered: false,
    });
  });

  it('TimedOut is a timeout, NetworkError a network failure, InvalidServerResponse a server failure', () => {
    expect(classify(new TimedOut())).toMatchObject({ kind: 'timeout', maybeDelivered: true });
    expect(classify(new NetworkError('socket hang up'))).toMatchObject({ kind: 'network', maybeDelivered: true });
    expect(classify(new InvalidServerResponse('not json', { error_code: 502 }))).toMatchObject({ kind: 'server', code: 502 });
  });

  it('NetworkError explains itself through its cause, and its maybeDelivered field wins', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(classify(new NetworkError('failed', { cause: refused }))).toMatchObject({
      kind: 'network',
      type: 'ECONNREFUSED',
      maybeDelivered: false,
    });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classify(new NetworkError('failed', { cause: reset, maybeDelivered: false })).maybeDelivered).toBe(false);
    expect(classify(new TimedOut('slow', { maybeDelivered: false })).maybeDelivered).toBe(false);
  });

  it('NetworkError for a 5xx answer is server', () => {
    expect(classify(new NetworkError('Bad Gateway', { error_code: 502 }))).toMatchObject({ kind: 'server', code: 502 });
  });

  it('InvalidToken is unauthorized; the others follow error_code', () => {
    expect(classify(new InvalidToken())).toMatchObject({ kind: 'unauthorized', maybeDelivered: false });
    expect(classify(new BadRequest('Bad Request: chat not found', { error_code: 400 })).kind).toBe('bad_request');
    expect(classify(new Forbidden('Forbidden: bot was blocked by the user', { error_code: 403 })).kind).toBe('forbidden');
    expect(classify(new Conflict('Conflict', { error_code: 409 })).kind).toBe('conflict');
    expect(classify(new TelegramError('odd', { error_code: 400, parameters: { migrate_to_chat_id: -1009 } }))).toMatchObject({
      kind: 'chat_migrated',
      migrateToChatId: -1009,
    });
  });

  it('every result is well formed', () => {
    for (const e of [new RetryAfter(Number.NaN), new ChatMigrated(Number.NaN), new TimedOut(), new TelegramError('x')]) {
      expectWellFormed(classify(e), e);
    }
  });
});

describe('anything else', () => {
  it('a plain Error from user code is unknown, maybe delivered, kept as cause', () => {
    const error = new Error('user code broke');
    expect(classify(error)).toEqual({ kind: 'unknown', maybeDelivered: true, description: 'user code broke', cause: error });
  });

  it.each([null, undefined, 'boom', 42, Number.NaN, true, 10n])('%s is unknown', (value) => {
    const f = classify(value);
    expect(f.kind).toBe('unknown');
    expect(f.maybeDelivered).toBe(true);
    expect(f.cause).toBe(value);
  });

  it('never echoes a bot token in the description', () => {
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const f = classify(new Error(`request to https://api.telegram.org/bot${token}/sendMessage failed`));
    expect(f.description).not.toContain(token);
    expect(f.description).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
  });
});
