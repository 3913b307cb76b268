/**
 * `classify` runs in the engine's error path, so it must never throw and always return a well-formed
 * Failure, whatever it is given: arbitrary values (fast-check) and hand-made hostile ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/errors/index.js';
import { failureProblems } from './helpers.js';

/** Classifies and reports a thrown exception or a broken invariant as a problem string. */
function problemsOf(value: unknown): string[] {
  try {
    return failureProblems(classify(value), value);
  } catch (error) {
    return [`threw: ${String(error)}`];
  }
}

/** An object whose every property read (and every other trap) throws. */
function explodingProxy(): object {
  const boom = () => {
    throw new Error('trap');
  };
  return new Proxy({}, { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom });
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Looks like a Bot API answer / rpc_error, but every getter throws. */
function throwingGetters(): object {
  const obj = {};
  for (const key of ['ok', 'error_code', 'description', 'parameters', 'code', 'message', 'errorMessage', 'cause', 'name', 'constructor', 'status']) {
    Object.defineProperty(obj, key, {
      get() {
        throw new Error(`getter ${key}`);
      },
    });
  }
  return obj;
}

/** A value whose conversion to text throws (toString, valueOf, Symbol.toPrimitive). */
function poisoned(): object {
  const boom = () => {
    throw new Error('no text for you');
  };
  return { toString: boom, valueOf: boom, [Symbol.toPrimitive]: boom };
}

function cyclic(): object {
  const a: Record<string, unknown> = { code: 'SOMETHING' };
  const b: Record<string, unknown> = { cause: a, response: a, error: a };
  a.cause = b;
  a.response = b;
  a.body = a;
  return a;
}

const hostileValues: Array<[string, unknown]> = [
  ['exploding Proxy', explodingProxy()],
  ['revoked Proxy', revokedProxy()],
  ['throwing getters', throwingGetters()],
  ['cyclic object', cyclic()],
  ['frozen answer', Object.freeze({ ok: false, error_code: 429, parameters: Object.freeze({ retry_after: 3 }) })],
  ['error_code NaN', { ok: false, error_code: Number.NaN, description: 'x' }],
  ['retry_after -5', { ok: false, error_code: 429, description: 'x', parameters: { retry_after: -5 } }],
  ['retry_after 1e300', { ok: false, error_code: 429, description: 'x', parameters: { retry_after: 1e300 } }],
  ['retry_after Infinity', { ok: false, error_code: 429, parameters: { retry_after: Number.NEGATIVE_INFINITY } }],
  ['parameters "x"', { ok: false, error_code: 400, description: 'x', parameters: 'x' }],
  ['migrate id NaN', { ok: false, error_code: 400, parameters: { migrate_to_chat_id: Number.NaN } }],
  ['migrate id huge', { ok: false, error_code: 400, parameters: { migrate_to_chat_id: 1e300 } }],
  ['rpc code Infinity', { code: Number.POSITIVE_INFINITY, message: 'FLOOD_WAIT_5' }],
  ['rpc negative dc', { code: 303, message: 'FILE_MIGRATE_-4' }],
  ['rpc seconds -1', { code: 420, errorMessage: 'FLOOD', seconds: -1 }],
  ['rpc seconds NaN', { code: 420, text: 'FLOOD_WAIT_%d', seconds: Number.NaN }],
  ['status 1e9', { status: 1e9, statusCode: -1 }],
  ['huge description', { ok: false, error_code: 400, description: 'x'.repeat(5_000_000) }],
  ['null prototype', Object.assign(Object.create(null) as object, { code: 420, message: 'FLOOD_WAIT_1' })],
  ['symbol', Symbol('s')],
  ['bigint', 10n ** 30n],
  ['function', () => 1],
  ['NaN', Number.NaN],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['huge number', Number.MAX_VALUE],
  ['negative number', -429],
  ['array', [{ code: 'ECONNRESET' }]],
  ['EFETCH with a poisoned message', { code: 'EFETCH', message: poisoned() }],
  ['EFATAL with a poisoned message', { code: 'EFATAL', message: poisoned() }],
  ['HttpError around a poisoned error', { name: 'HttpError', error: { message: poisoned(), code: poisoned() } }],
  ['body is a huge JSON string', { status: 429, body: `{"ok":false,"error_code":429,"x":"${'y'.repeat(300_000)}"}` }],
];

describe('hostile values', () => {
  it.each(hostileValues)('%s: never throws, well-formed result', (_label, value) => {
    expect(problemsOf(value)).toEqual([]);
  });

  it('clamps waits instead of passing them through', () => {
    const year = 365 * 24 * 3600 * 1000;
    expect(classify({ ok: false, error_code: 429, parameters: { retry_after: -5 } }).retryAfterMs).toBe(0);
    expect(classify({ ok: false, error_code: 429, parameters: { retry_after: 1e300 } }).retryAfterMs).toBe(year);
    expect(classify({ code: 420, errorMessage: 'FLOOD', seconds: -1 }).retryAfterMs).toBe(0);
  });

  it('a hostile value is still kept as the cause, by identity', () => {
    const proxy = explodingProxy();
    const f = classify(proxy);
    expect(f.cause).toBe(proxy);
    expect(f.kind).toBe('unknown');
  });

  it('a negative dc is not a dc', () => {
    const f = classify({ code: 303, message: 'FILE_MIGRATE_-4' });
    expect(f.dc).toBeUndefined();
    expect(f.kind).toBe('server');
  });
});

describe('properties (fast-check)', () => {
  it('fc.anything() never throws and always gives a well-formed Failure', () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true }), (value) => {
        expect(problemsOf(value)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e300, -1e300));
  const field = fc.oneof(number, fc.string(), fc.constant(undefined), fc.constant(null), fc.object());

  it('Bot API look-alikes with arbitrary field values', () => {
    const answer = fc.record(
      {
        ok: fc.oneof(fc.constant(false), field),
        error_code: fc.oneof(fc.constantFrom(400, 401, 403, 404, 406, 409, 420, 429, 500, 502), field),
        description: field,
        parameters: fc.oneof(field, fc.record({ retry_after: field, migrate_to_chat_id: field }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(answer, (value) => {
      expect(problemsOf(value)).toEqual([]);
    }), { numRuns: 2000 });
  });

  it('rpc_error look-alikes with arbitrary names and numbers', () => {
    const name = fc.oneof(
      fc.string(),
      fc.tuple(fc.constantFrom('FLOOD_WAIT_', 'FILE_MIGRATE_', 'SLOWMODE_WAIT_', 'INTERDC_', 'X_'), fc.string()).map(([a, b]) => a + b),
      fc.tuple(fc.constantFrom('FLOOD_WAIT_', 'USER_MIGRATE_'), fc.bigInt({ min: 0n, max: 10n ** 400n })).map(([a, b]) => `${a}${b}`),
    );
    const rpc = fc.record(
      {
        code: fc.oneof(fc.constantFrom(303, 400, 420, 500, -503), field),
        errorMessage: name,
        text: name,
        message: name,
        seconds: field,
        newDc: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(rpc, (value) => {
      expect(problemsOf(value)).toEqual([]);
    }), { numRuns: 2000 });
  });

  it('a flood always carries a finite wait in [0, one year]', () => {
    fc.assert(
      fc.property(number, (retryAfter) => {
        const f = classify({ ok: false, error_code: 429, description: 'x', parameters: { retry_after: retryAfter } });
        expect(f.kind).toBe('flood');
        expect(Number.isFinite(f.retryAfterMs)).toBe(true);
        expect(f.retryAfterMs).toBeGreaterThanOrEqual(0);
        expect(f.retryAfterMs).toBeLessThanOrEqual(365 * 24 * 3600 * 1000);
      }),
    );
  });

  it('an rpc flood wait of X seconds is exactly X*1000 ms for every sane X', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (seconds) => {
        expect(classify({ code: 420, message: `FLOOD_WAIT_${seconds}` }).retryAfterMs).toBe(seconds * 1000);
      }),
    );
  });
});
