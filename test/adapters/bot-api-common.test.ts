import { Readable } from 'node:stream';
import { AbortController as PolyfillAbortController } from 'abort-controller';
import { describe, expect, it } from 'vitest';
import { createResilience } from '../../src/engine/resilience.js';
import { engineFor, hasOneShotBody, usableSignal } from '../../src/adapters/bot-api-common.js';
import { hideToken } from '../../src/errors/scrub-token.js';

const TOKEN = '7777777:AAE-secret_Token0123456789abcdefXYZ';
const SECRET = TOKEN.slice(TOKEN.indexOf(':') + 1);

describe('hideToken', () => {
  it('hides the token in message and stack, in the errors it wraps, keeping the error itself', () => {
    const inner = new Error(`request to http://127.0.0.1:1/bot${TOKEN}/sendMessage failed, reason: socket hang up`);
    const outer = Object.assign(new Error('Network request failed'), { error: inner });
    const wrapper = new Error('wrapped', { cause: outer });
    expect(hideToken(wrapper)).toBe(wrapper);
    for (const text of [inner.message, String(inner.stack)]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain('/bot<token>/sendMessage');
    }
  });

  it('hides a given token of any shape, URL-encoded too, and its secret half alone', () => {
    const token = '42:not-a-bot-token';
    const error = new Error(`at /bot${encodeURIComponent(token)}/getMe, and ${token}, and not-a-bot-token...`);
    hideToken(error, token);
    expect(error.message).toBe('at /bot<token>/getMe, and <token>, and <token>...');
  });

  it('leaves the caller\'s payload held by an error alone', () => {
    const payload = { chat_id: 1, text: `my token is ${TOKEN}` };
    const error = Object.assign(new Error(`failed at /bot${TOKEN}/sendMessage`), { on: { method: 'sendMessage', payload } });
    hideToken(error);
    expect(error.message).not.toContain(SECRET);
    expect(payload.text).toBe(`my token is ${TOKEN}`);
  });

  it('never throws: primitives, frozen errors and throwing getters come back as they were', () => {
    expect(hideToken('boom')).toBe('boom');
    const frozen = Object.freeze(new Error(`/bot${TOKEN}/x`));
    expect(hideToken(frozen)).toBe(frozen);
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'cause', { get: () => { throw new Error('no'); } });
    expect(hideToken(hostile)).toBe(hostile);
  });
});

describe('hasOneShotBody', () => {
  it('finds streams where the SDKs keep upload data, and only there', () => {
    const stream = Readable.from(['x']);
    expect(hasOneShotBody({ chat_id: 1, document: { fileData: stream, consumed: false } })).toBe(true); // grammY InputFile
    expect(hasOneShotBody({ chat_id: 1, document: { source: stream } })).toBe(true); // telegraf
    expect(hasOneShotBody({ media: [{ type: 'photo', media: { source: stream } }] })).toBe(true);
    expect(hasOneShotBody({ document: { value: new ReadableStream(), options: {} } })).toBe(true);
    expect(hasOneShotBody({ chat_id: 1, document: { source: Buffer.from('x') } })).toBe(false);
    expect(hasOneShotBody({ chat_id: 1, document: { fileData: '/tmp/a.txt' }, url: new URL('https://e.x/a') })).toBe(false);
    expect(hasOneShotBody(undefined)).toBe(false);
  });
});

describe('engineFor', () => {
  it('gives a one-shot body a single-attempt engine (cached), anything else the resilience itself', async () => {
    const resilience = createResilience();
    expect(engineFor(resilience, { text: 'x' })).toBe(resilience);
    const once = engineFor(resilience, { source: Readable.from(['x']) });
    expect(once).not.toBe(resilience);
    expect(engineFor(resilience, { source: Readable.from(['y']) })).toBe(once);
    let attempts = 0;
    const flood = { ok: false, error_code: 429, description: 'Too Many Requests: retry after 0', parameters: { retry_after: 0 } };
    await expect(once.call(() => { attempts++; throw flood; }, { method: 'sendDocument' })).rejects.toBe(flood);
    expect(attempts).toBe(1);
    await resilience.close();
  });
});

describe('usableSignal', () => {
  it('passes native signals through and mirrors polyfilled ones, releasing the listener', () => {
    const native = new AbortController();
    expect(usableSignal(native.signal).signal).toBe(native.signal);
    expect(usableSignal(undefined).signal).toBeUndefined();

    const polyfill = new PolyfillAbortController();
    const source = polyfill.signal as unknown as AbortSignal;
    const mirrored = usableSignal(source);
    expect(mirrored.signal).not.toBe(source);
    expect(typeof mirrored.signal!.throwIfAborted).toBe('function');
    polyfill.abort();
    expect(mirrored.signal!.aborted).toBe(true);
    expect((mirrored.signal!.reason as Error).name).toBe('AbortError');

    const later = new PolyfillAbortController();
    const released = usableSignal(later.signal as unknown as AbortSignal);
    released.release();
    later.abort();
    expect(released.signal!.aborted).toBe(false);
  });
});
