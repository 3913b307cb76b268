/**
 * The `/sim/` control API, driven with fetch from a separate Node process (as a bot written in
 * another language would be tested), and strict option checks of `startSimulator`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { callJson, request } from './helpers.js';

const run = promisify(execFile);
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Runs `body` (an async function body using `root`, `token` and `call`) in a child Node process; returns what it prints as JSON. */
async function inChild(s: Simulator, body: string): Promise<any> {
  const script = `
const root = ${JSON.stringify(s.apiRoot)}, token = ${JSON.stringify(s.token)};
const call = async (path, init) => { const r = await fetch(root + path, init); return { status: r.status, json: await r.json() }; };
const post = (path, json) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
const out = await (async () => { ${body} })();
process.stdout.write(JSON.stringify(out));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 15_000 });
  return JSON.parse(stdout);
}

describe('control API under /sim/', () => {
  it('push updates, read ledger and requests, plan faults and reset, all from another process', async () => {
    sim = await startSimulator({ clock: createManualClock(1_700_000_000_000), limits: false });
    const out = await inChild(
      sim,
      `
      const pushed = await post('/sim/updates', { message: { chat: { id: 42 }, text: 'hi' } });
      const many = await post('/sim/updates', [{ message: { chat: { id: 1 }, text: 'a' } }, { message: { chat: { id: 1 }, text: 'b' } }]);
      const updates = await post('/bot' + token + '/getUpdates', { offset: 0 });
      const fault = await post('/sim/faults', { queue: [{ kind: '429', method: 'sendMessage', retryAfter: 5 }], standing: [{ kind: '500', method: 'getChat' }] });
      const flood = await post('/bot' + token + '/sendMessage', { chat_id: 42, text: 'first try' });
      const sent = await post('/bot' + token + '/sendMessage', { chat_id: 42, text: 'second try' });
      const getChat = await post('/bot' + token + '/getChat', { chat_id: 42 });
      const ledger = await call('/sim/ledger?chat_id=42');
      const requests = await call('/sim/requests?method=sendMessage');
      const faults = await call('/sim/faults');
      const bad = await post('/sim/faults', { queue: [{ kind: 'explode' }] });
      const badUpdate = await post('/sim/updates', { mesage: {} });
      const reset = await post('/sim/reset', {});
      const after = await call('/sim/ledger');
      const missing = await call('/sim/nothing');
      const wrongVerb = await call('/sim/reset');
      return { pushed, many, texts: updates.json.result.map((u) => u.message.text), fault: fault.status, flood: flood.json, sent: sent.status,
        getChat: getChat.status, ledger: ledger.json, requests: requests.json.result.map((r) => r.outcome), faults: faults.json.result,
        bad, badUpdate: badUpdate.status, reset: reset.json, after: after.json, missing: missing.status, wrongVerb: wrongVerb.status };`,
    );
    expect(out.pushed).toEqual({ status: 200, json: { ok: true, result: { update_id: 1 } } });
    expect(out.many.json.result).toEqual([2, 3]);
    expect(out.texts).toEqual(['hi', 'a', 'b']);
    expect(out.fault).toBe(200);
    expect(out.flood).toMatchObject({ ok: false, error_code: 429, parameters: { retry_after: 5 } });
    expect([out.sent, out.getChat]).toEqual([200, 500]);
    expect(out.ledger).toEqual({ ok: true, result: [expect.objectContaining({ chatId: 42, text: 'second try', method: 'sendMessage' })] });
    expect(out.requests).toEqual(['429', 'ok']);
    expect(out.faults).toEqual({ queued: [], standing: [{ kind: '500', match: { method: 'getChat' } }], schedule: null });
    expect(out.bad.status).toBe(400);
    expect(out.bad.json.description).toMatch(/`queue\[0\]\.kind` must be one of 500/);
    expect(out.badUpdate).toBe(400);
    expect(out.reset).toEqual({ ok: true, result: true });
    expect(out.after).toEqual({ ok: true, result: [] });
    expect([out.missing, out.wrongVerb]).toEqual([404, 405]);
    // The control API is not part of the bot's request log.
    expect(sim.requests().every((r) => r.method !== undefined)).toBe(true);
  });

  it('POST /sim/faults sets and removes a schedule (seeded by the start-up schedule)', async () => {
    sim = await startSimulator({ limits: false });
    const post = (json: unknown) => request(`${sim!.apiRoot}/sim/faults`, { method: 'POST', body: JSON.stringify(json) });
    expect((await post({ schedule: { rate: 1, kinds: ['502_html'] } })).json.result.schedule).toEqual({ seed: 1, rate: 1, kinds: ['502_html'] });
    expect((await callJson(sim, 'getMe')).status).toBe(502);
    expect((await post({ schedule: null })).json.result.schedule).toBeNull();
    expect((await callJson(sim, 'getMe')).status).toBe(200);
    expect((await post({ schedul: null })).json.description).toMatch(/unknown option `schedul` \(did you mean `schedule`\?\)/);
  });
});

describe('startSimulator options', () => {
  it('rejects unknown and mistyped options with a TypeError naming them', async () => {
    await expect(startSimulator({ blockedUser: [1] } as never)).rejects.toThrow(/startSimulator: unknown option `blockedUser` \(did you mean `blockedUsers`\?\)/);
    await expect(startSimulator({ port: '8081' } as never)).rejects.toThrow(/option `port` must be a whole number from 0 to 65535, got "8081"/);
    await expect(startSimulator({ limits: { perChat: 1 } } as never)).rejects.toThrow(/unknown option `limits.perChat`/);
    await expect(startSimulator({ faults: { seed: 1, rate: 2 } })).rejects.toThrow(/`faults.rate` must be a number from 0 to 1/);
    await expect(startSimulator({ faults: { rate: 0.1 } } as never)).rejects.toThrow(/`faults.seed` is required/);
    await expect(startSimulator({ faults: { seed: 1, rate: 0.1, kinds: ['boom'] } } as never)).rejects.toThrow(/faults.kinds/);
    await expect(startSimulator({ blockedUsers: [-5] })).rejects.toThrow(/blockedUsers/);
    await expect(startSimulator({ token: 'no colon' })).rejects.toThrow(/option `token` must be a token like "123456:ABC-def", got a string/);
    await expect(startSimulator({ clock: {} as never })).rejects.toThrow(/option `clock` must be a Clock/);
    await expect(startSimulator(null as never)).rejects.toThrow(TypeError);
  });

  it('setFaultSchedule and the fault methods check their arguments too', async () => {
    sim = await startSimulator();
    expect(() => sim!.setFaultSchedule({ seed: 1, rate: 0.5, kind: ['500'] } as never)).toThrow(/unknown option `kind` \(did you mean `kinds`\?\)/);
    expect(() => sim!.queueFault('500', { chat: 1 } as never)).toThrow(/fault match: unknown option `chat` \(did you mean `chatId`\?\)/);
  });
});
