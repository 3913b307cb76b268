import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, systemClock, type ManualClock } from '../../src/core/clock.js';
import { startSimulator, type FaultKind, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { callJson, networkCode, type HttpResult } from './helpers.js';

let sim: Simulator | undefined;
let clock: ManualClock;

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  clock = createManualClock();
  sim = await startSimulator({ clock, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Resolves to the error a failed call rejects with (fails the test if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a network failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

const SOCKET_ERRORS = ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'];

describe('simulator faults over HTTP', () => {
  it("'500' answers Telegram's Internal Server Error JSON and delivers nothing", async () => {
    const s = await start();
    s.queueFault('500');
    const result = await callJson(s, 'sendMessage', { chat_id: 1, text: 'x' });
    expect([result.status, result.json]).toEqual([500, { ok: false, error_code: 500, description: 'Internal Server Error' }]);
    expect(s.ledger()).toEqual([]);
    expect(s.requests()[0]).toMatchObject({ outcome: '500', fault: '500', status: 500, delivered: false });
  });

  it("'502_html' answers an nginx HTML page and delivers nothing", async () => {
    const s = await start();
    s.queueFault('502_html');
    const result = await callJson(s, 'sendMessage', { chat_id: 1, text: 'x' });
    expect(result.status).toBe(502);
    expect(result.contentType).toMatch(/^text\/html/);
    expect(result.text).toContain('<title>502 Bad Gateway</title>');
    expect(result.json).toBeUndefined();
    expect(s.ledger()).toEqual([]);
  });

  it("'reset_before' drops the socket before processing: the client errors, nothing is delivered", async () => {
    const s = await start();
    s.queueFault('reset_before');
    const error = await failure(callJson(s, 'sendMessage', { chat_id: 1, text: 'lost' }));
    expect(SOCKET_ERRORS).toContain(networkCode(error));
    expect(s.ledger()).toEqual([]);
    expect(s.requests()[0]).toMatchObject({ outcome: 'reset_before', status: null, delivered: false });
    // The server itself is fine afterwards.
    expect((await callJson(s, 'sendMessage', { chat_id: 1, text: 'next' })).json.result.message_id).toBe(1);
  });

  it("'reset_after' delivers the message, then drops the socket: the client errors, the ledger has it", async () => {
    const s = await start();
    s.queueFault('reset_after', { method: 'sendMessage', chatId: 1 });
    const error = await failure(callJson(s, 'sendMessage', { chat_id: 1, text: 'delivered' }));
    expect(SOCKET_ERRORS).toContain(networkCode(error));
    expect(s.deliveredTo(1)).toEqual([expect.objectContaining({ messageId: 1, text: 'delivered' })]);
    expect(s.requests()[0]).toMatchObject({ outcome: 'reset_after', status: null, delivered: true });
    // A blind retry is a duplicate: that is exactly what the ledger lets tests prove.
    await callJson(s, 'sendMessage', { chat_id: 1, text: 'delivered' });
    expect(s.deliveredTo(1).map((e) => e.messageId)).toEqual([1, 2]);
  });

  it("'bad_json' delivers the message and answers 200 with a truncated JSON body", async () => {
    const s = await start();
    s.queueFault('bad_json');
    const result = await callJson(s, 'sendMessage', { chat_id: 1, text: 'half' });
    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^application\/json/);
    expect(() => JSON.parse(result.text)).toThrow(SyntaxError);
    expect(result.text.startsWith('{"ok":true')).toBe(true);
    expect(s.deliveredTo(1)).toHaveLength(1);
    expect(s.requests()[0]).toMatchObject({ outcome: 'bad_json', delivered: true });
  });

  it("'429' forces a flood error with the given retry_after without using up the real limits", async () => {
    const s = await start();
    s.queueFault('429', { retryAfter: 7 });
    const result = await callJson(s, 'sendMessage', { chat_id: 1, text: 'x' });
    expect([result.status, result.json]).toEqual([
      429,
      { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } },
    ]);
    for (let i = 0; i < 3; i++) expect((await callJson(s, 'sendMessage', { chat_id: 1, text: `${i}` })).status).toBe(200);
    expect(s.requests()[0]).toMatchObject({ outcome: '429', fault: '429', retryAfter: 7 });
  });

  it("'hang' holds the request until hangMs passes on the clock, then drops it undelivered", async () => {
    const s = await start({ hangMs: 30_000 });
    s.queueFault('hang');
    let settled = false;
    const pending = failure(callJson(s, 'sendMessage', { chat_id: 1, text: 'stuck' })).finally(() => {
      settled = true;
    });
    await waitFor(() => s.requests().length === 1 && clock.pending() === 1);
    await clock.advance(29_999);
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(SOCKET_ERRORS).toContain(networkCode(await pending));
    expect(s.ledger()).toEqual([]);
    expect(s.requests()[0]).toMatchObject({ outcome: 'hang', status: null, delivered: false });
    expect(clock.pending()).toBe(0);
  });

  it("'hang' without hangMs: close() still returns promptly, drops the request and clears the wait", async () => {
    const s = await start();
    s.setFault('hang', { method: 'getMe' });
    const pending = failure(callJson(s, 'getMe'));
    await waitFor(() => clock.pending() === 0 && s.requests().length === 1);
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(networkCode(await pending)).toBeDefined();
  });

  it("'slow' answers normally once slowMs has passed on the clock", async () => {
    const s = await start({ slowMs: 5000 });
    s.queueFault('slow');
    let answer: HttpResult | undefined;
    const pending = callJson(s, 'sendMessage', { chat_id: 1, text: 'late' }).then((r) => (answer = r));
    await waitFor(() => clock.pending() === 1);
    await clock.advance(4999);
    expect(answer).toBeUndefined();
    await clock.advance(1);
    await pending;
    expect(answer?.json.result.text).toBe('late');
    expect(s.requests()[0]).toMatchObject({ fault: 'slow', outcome: 'ok', delivered: true });
  });

  it('queued faults hit only the matching method/chat, once; standing faults until cleared', async () => {
    const s = await start();
    s.queueFault('500', { chatId: '2' });
    expect((await callJson(s, 'sendMessage', { chat_id: 1, text: 'a' })).status).toBe(200);
    expect((await callJson(s, 'sendMessage', { chat_id: 2, text: 'b' })).status).toBe(500);
    expect((await callJson(s, 'sendMessage', { chat_id: 2, text: 'b' })).status).toBe(200);
    s.setFault('502_html', { method: 'getMe' });
    expect((await callJson(s, 'getMe')).status).toBe(502);
    expect((await callJson(s, 'getMe')).status).toBe(502);
    s.setFault(null);
    expect((await callJson(s, 'getMe')).status).toBe(200);
  });

  it('a seeded schedule gives the same faults for the same seed and request sequence', async () => {
    const kinds: FaultKind[] = ['500', '502_html', 'reset_before', 'reset_after', 'bad_json', '429'];
    const runOnce = async (seed: number) => {
      const s = await start({ limits: false, faults: { seed, rate: 0.5, kinds } });
      for (let i = 0; i < 30; i++) await callJson(s, 'sendMessage', { chat_id: 1, text: `${i}` }).catch(() => undefined);
      const outcome = { outcomes: s.requests().map((r) => r.outcome), delivered: s.ledger().map((e) => e.text) };
      await s.close();
      return outcome;
    };
    const first = await runOnce(99);
    expect(new Set(first.outcomes).size).toBeGreaterThan(3);
    expect(await runOnce(99)).toEqual(first);
    expect((await runOnce(100)).outcomes).not.toEqual(first.outcomes);
  });
});

describe('simulator close()', () => {
  it('really closes: a new connection is refused, and close() is idempotent', async () => {
    const s = await start();
    await callJson(s, 'getMe');
    await s.close();
    await s.close();
    expect(networkCode(await failure(callJson(s, 'getMe')))).toBe('ECONNREFUSED');
  });

  it('leaves no server, socket or timer behind, even with a hung request on the system clock', async () => {
    const counts = () => {
      const info = process.getActiveResourcesInfo();
      const count = (name: string) => info.filter((r) => r === name).length;
      return { servers: count('TCPServerWrap'), sockets: count('TCPSocketWrap'), timers: count('Timeout') };
    };
    // The system clock, with a count of sleeps still holding a real timer.
    let sleeping = 0;
    const clock = {
      now: () => systemClock.now(),
      sleep: (ms: number, signal?: AbortSignal) => {
        sleeping++;
        return systemClock.sleep(ms, signal).finally(() => sleeping--);
      },
    };
    const before = counts();
    const s = await startSimulator({ clock, hangMs: 600_000 });
    s.queueFault('hang');
    const req = httpRequest(s.methodUrl('getMe'), { method: 'POST', agent: false });
    const done = new Promise<void>((resolve) => req.on('error', () => resolve()).on('response', () => resolve()));
    req.end();
    await waitFor(() => sleeping === 1);
    const during = counts();
    expect(during.servers).toBe(before.servers + 1);
    expect(during.sockets).toBeGreaterThan(before.sockets);
    expect(during.timers).toBeGreaterThan(before.timers);
    await s.close();
    await done;
    expect(sleeping).toBe(0);
    await waitFor(() => counts().sockets <= before.sockets);
    const after = counts();
    expect(after.servers).toBe(before.servers);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });
});

/** Polls real time briefly (I/O, not sleeping seconds) until `check` holds. */
async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
