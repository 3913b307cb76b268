import { describe, expect, it } from 'vitest';
import { errorFacts, fingerprintOf, normalizeMessage } from '../../src/reporter/fingerprint.js';

const thrownHere = (message: string) => new Error(message);
const fingerprint = (error: unknown) => fingerprintOf(errorFacts(error));

describe('fingerprint', () => {
  it('is the same for one error with other ids and numbers, thrown from one place', () => {
    const a = fingerprint(thrownHere('chat 42 not found after 120 ms'));
    const b = fingerprint(thrownHere('chat -1001234567 not found after 7 ms'));
    expect(a).toBe(b);
    expect(normalizeMessage('user 3f2b8c1d-9a7e-4c1b-8d2e-1f2a3b4c5d6e, hash 9f86d081884c7d65 ok')).toBe('user <uuid>, hash # ok');
  });

  it('differs with the class, the words of the message, or the place it was thrown', () => {
    const base = fingerprint(thrownHere('chat not found'));
    expect(fingerprint(new TypeError('chat not found'))).not.toBe(base);
    expect(fingerprint(thrownHere('chat was deleted'))).not.toBe(base);
    expect(fingerprint(new Error('chat not found'))).not.toBe(base); // another line
  });

  it('reads anything thrown without throwing', () => {
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); } });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [undefined, null, 'text', 42, 10n, Symbol('s'), hostile, cyclic, Object.create(null)]) {
      expect(() => fingerprint(value)).not.toThrow();
    }
    expect(errorFacts('boom')).toEqual({ className: 'string', message: 'boom', frames: '' });
    expect(errorFacts({ error_code: 400 }).message).toBe('{"error_code":400}');
    expect(errorFacts(new RangeError('r')).className).toBe('RangeError');
  });
});
