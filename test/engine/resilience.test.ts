import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.js';
import { createResilience } from '../../src/engine/resilience.js';
import type { Attempt } from '../../src/core/call.js';
import type { GiveUpEvent } from '../../src/engine/types.js';
import { botApiError, chatMigrated, fetchFailed, networkError, rpcError, tooManyRequests } from '../helpers/failures.js';

/** A fn that fails with each of `failures` in turn, then returns 'ok'. Records every attempt. */
function scripted(failures: unknown[], result: unknown = 'ok') {
  const attempts: Attempt[] = [];
  const fn = async (attempt: Attempt) => {
    attempts.push({ ...attempt });
    if (attempts.length <= failures.length) throw failures[attempts.length - 1];
    return result;
  };
  return { fn, attempts };
}

function setup(options: Parameters<typeof createResilience>[0] = {}) {
  const clock = createManualClock(1_000);
  const resilience = createResilience({ clock, random: () => 1, ...options });
  return { clock, resilience };
}

describe('createResilience: success and pass-through', () => {
  it('runs fn once with the attempt description when it succeeds', async () => {
    const { resilience } = setup();
    const { fn, attempts } = scripted([], { message_id: 1 });
    const params = { chat_id: 5, text: 'hi' };
    await expect(resilience.call(fn, { method: 'sendMessage', params })).resolves.toEqual({ message_id: 1 });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ method: 'sendMessage', params, number: 1, dc: undefined });
  });

  it.each([
    ['403 blocked', botApiError(403, 'Forbidden: bot was blocked by the user')],
    ['400', botApiError(400, 'Bad Request: chat not found')],
    ['401', botApiError(401, 'Unauthorized')],
    ['409', botApiError(409, 'Conflict: terminated by other getUpdates request')],
    ['user code error', new RangeError('my bug')],
    ['a thrown string', 'plain string'],
    ['AUTH_KEY_DUPLICATED', rpcError(406, 'AUTH_KEY_DUPLICATED')],
  ])('does not retry %s and rejects with the original value', async (_name, failure) => {
    const { resilience, clock } = setup();
    const { fn, attempts } = scripted([failure]);
    const reasons: GiveUpEvent[] = [];
    resilience.onGiveUp((e) => reasons.push(e));
    const rejection = await resilience.call(fn, { method: 'getChat' }).catch((e: unknown) => ({ rejected: e }));
    expect(rejection).toEqual({ rejected: failure });
    expect((rejection as { rejected: unknown }).rejected).toBe(failure);
    expect(attempts).toHaveLength(1);
    expect(clock.now()).toBe(1_000);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]!.error).toBe(failure);
    expect(reasons[0]!.reason).toMatch(/not retried/);
  });
});

describe('flood waits', () => {
  it('sleeps exactly retry_after, then retries', async () => {
    const { resilience, clock } = setup();
    const { fn, attempts } = scripted([tooManyRequests(5)]);
    const times: number[] = [];
    const waits: number[] = [];
    resilience.onFloodWait((e) => waits.push(e.delayMs));
    const result = clock.run(resilience.call(async (a) => (times.push(clock.now()), fn(a)), { method: 'sendMessage' }));
    await expect(result).resolves.toBe('ok');
    expect(attempts).toHaveLength(2);
    expect(times[1]! - times[0]!).toBe(5_000);
    expect(waits).toEqual([5_000]);
  });

  it('never sleeps less than asked, jitter only adds', async () => {
    const { resilience, clock } = setup({ floodJitterMs: 400, random: () => 0.5 });
    const times: number[] = [];
    const { fn } = scripted([rpcError(420, 'FLOOD_WAIT_3')]);
    await clock.run(resilience.call(async (a) => (times.push(clock.now()), fn(a))));
    expect(times[1]! - times[0]!).toBe(3_200);
  });

  it('fails at once, without sleeping, when the wait is over floodSleepThreshold', async () => {
    const { resilience, clock } = setup({ floodSleepThreshold: 60 });
    const failure = tooManyRequests(3600);
    const { fn, attempts } = scripted([failure]);
    const given: string[] = [];
    resilience.onGiveUp((e) => given.push(e.reason));
    await expect(resilience.call(fn, { method: 'sendMessage' })).rejects.toBe(failure);
    expect(attempts).toHaveLength(1);
    expect(clock.now()).toBe(1_000);
    expect(clock.pending()).toBe(0);
    expect(given[0]).toMatch(/floodSleepThreshold/);
  });

  it('does not use up network attempts', async () => {
    const { resilience, clock } = setup({ maxAttempts: 1 });
    const { fn, attempts } = scripted([tooManyRequests(1), tooManyRequests(1), tooManyRequests(1)]);
    await expect(clock.run(resilience.call(fn, { method: 'sendMessage' }))).resolves.toBe('ok');
    expect(attempts).toHaveLength(4);
  });

  it('gives up before sleeping when the wait does not fit in maxTotalDelayMs', async () => {
    const { resilience, clock } = setup({ maxTotalDelayMs: 10_000 });
    const second = tooManyRequests(6);
    const { fn, attempts } = scripted([tooManyRequests(6), second]);
    await expect(clock.run(resilience.call(fn))).rejects.toBe(second);
    expect(attempts).toHaveLength(2);
    expect(clock.now()).toBe(7_000);
  });

  it('caps the number of flood sleeps (a server that keeps saying "wait 0")', async () => {
    const { resilience, clock } = setup({ maxFloodWaits: 3 });
    const failures = Array.from({ length: 10 }, () => tooManyRequests(0));
    const { fn, attempts } = scripted(failures);
    await expect(clock.run(resilience.call(fn))).rejects.toBe(failures[3]);
    expect(attempts).toHaveLength(4);
  });
});

describe('DC migration', () => {
  it('re-sends on the named DC at once', async () => {
    const { resilience, clock } = setup();
    const { fn, attempts } = scripted([rpcError(303, 'FILE_MIGRATE_4')]);
    const hops: Array<[number | undefined, number]> = [];
    resilience.onDcMigrate((e) => hops.push([e.fromDc, e.toDc]));
    await expect(resilience.call(fn, { method: 'upload.getFile', dc: 2 })).resolves.toBe('ok');
    expect(attempts.map((a) => a.dc)).toEqual([2, 4]);
    expect(hops).toEqual([[2, 4]]);
    expect(clock.now()).toBe(1_000);
    // FILE_MIGRATE does not move the account's home.
    expect(resilience.homeDc).toBeUndefined();
  });

  it('remembers the home DC after USER_MIGRATE for later calls without a DC', async () => {
    const { resilience } = setup();
    await resilience.call(scripted([rpcError(303, 'USER_MIGRATE_5')]).fn, { method: 'auth.sendCode' });
    expect(resilience.homeDc).toBe(5);
    const later = scripted([]);
    await resilience.call(later.fn, { method: 'help.getConfig' });
    expect(later.attempts[0]!.dc).toBe(5);
    const explicit = scripted([]);
    await resilience.call(explicit.fn, { method: 'help.getConfig', dc: 1 });
    expect(explicit.attempts[0]!.dc).toBe(1);
  });

  it('calls without info share one frozen first attempt, which follows the home DC', async () => {
    const { resilience } = setup();
    const seen: Attempt[] = [];
    const record = (attempt: Attempt) => (seen.push(attempt), 'ok');
    await resilience.call(record);
    await resilience.call(record);
    expect(seen[0]).toBe(seen[1]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(() => {
      'use strict';
      (seen[0] as { params: unknown }).params = { chat_id: 1 };
    }).toThrow(TypeError);
    expect(seen[0]).toMatchObject({ method: undefined, params: undefined, dc: undefined, number: 1 });
    expect(seen[0]!.signal.aborted).toBe(false);
    await resilience.call(scripted([rpcError(303, 'USER_MIGRATE_5')]).fn, { method: 'auth.sendCode' });
    await resilience.call(record);
    expect(seen[2]!.dc).toBe(5);
  });

  it('stops a migration loop at maxDcHops', async () => {
    const { resilience } = setup({ maxDcHops: 3 });
    const failures = [1, 2, 3, 4, 5, 1].map((dc) => rpcError(303, `NETWORK_MIGRATE_${dc}`));
    const { fn, attempts } = scripted(failures);
    const reasons: string[] = [];
    resilience.onGiveUp((e) => reasons.push(e.reason));
    await expect(resilience.call(fn)).rejects.toBe(failures[3]);
    expect(attempts.map((a) => a.dc)).toEqual([undefined, 1, 2, 3]);
    expect(reasons[0]).toMatch(/maxDcHops/);
  });
});

describe('chat migration', () => {
  it('rewrites chat_id, retries at once, and sends later calls straight to the new id', async () => {
    const { resilience } = setup();
    const params = { chat_id: -4567, text: 'hello' };
    const { fn, attempts } = scripted([chatMigrated(-1004567)]);
    const seen: Array<[number | string, number]> = [];
    resilience.onChatMigrate((e) => seen.push([e.fromChatId, e.toChatId]));
    await resilience.call(fn, { method: 'sendMessage', params });
    expect(attempts.map((a) => a.params!.chat_id)).toEqual([-4567, -1004567]);
    expect(params.chat_id).toBe(-4567); // the caller's object is not touched
    expect(seen).toEqual([[-4567, -1004567]]);

    const later = scripted([]);
    await resilience.call(later.fn, { method: 'sendMessage', params: { chat_id: '-4567', text: 'again' } });
    expect(later.attempts[0]!.params!.chat_id).toBe(-1004567);
  });

  it('rewrites from_chat_id when that is the migrated group', async () => {
    const { resilience } = setup();
    const { fn, attempts } = scripted([chatMigrated(-100777)]);
    await resilience.call(fn, { method: 'forwardMessage', params: { chat_id: 42, from_chat_id: -777, message_id: 1 } });
    expect(attempts[1]!.params).toEqual({ chat_id: 42, from_chat_id: -100777, message_id: 1 });
  });

  it('caps rewrites at maxChatMigrations', async () => {
    const { resilience } = setup({ maxChatMigrations: 2 });
    const failures = [chatMigrated(-11), chatMigrated(-12), chatMigrated(-13)];
    const { fn, attempts } = scripted(failures);
    await expect(resilience.call(fn, { method: 'sendMessage', params: { chat_id: -10 } })).rejects.toBe(failures[2]);
    expect(attempts).toHaveLength(3);
  });

  it('gives up when the call has no chat id to rewrite', async () => {
    const { resilience } = setup();
    const failure = chatMigrated(-100);
    await expect(resilience.call(scripted([failure]).fn, { method: 'sendMessage' })).rejects.toBe(failure);
  });
});

describe('network, timeout and 5xx', () => {
  it('backs off with growing windows and retries a failure that never left', async () => {
    const { resilience, clock } = setup({ baseDelayMs: 100, maxAttempts: 4 });
    const times: number[] = [];
    const failures = [fetchFailed('ECONNREFUSED'), networkError('ENOTFOUND'), fetchFailed('ECONNREFUSED')];
    const { fn, attempts } = scripted(failures);
    await expect(clock.run(resilience.call(async (a) => (times.push(clock.now()), fn(a)), { method: 'sendMessage' }))).resolves.toBe('ok');
    expect(attempts).toHaveLength(4);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([100, 200, 400]);
  });

  it('stops at maxAttempts and rejects with the last error', async () => {
    const { resilience, clock } = setup({ maxAttempts: 3, baseDelayMs: 10 });
    const failures = Array.from({ length: 5 }, (_, i) => Object.assign(botApiError(502, `Bad Gateway ${i}`)));
    const { fn, attempts } = scripted(failures);
    await expect(clock.run(resilience.call(fn, { method: 'getChat' }))).rejects.toBe(failures[2]);
    expect(attempts).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it('never resends a send* that may have been delivered, and says why', async () => {
    const { resilience } = setup();
    const failure = networkError('ECONNRESET');
    const { fn, attempts } = scripted([failure]);
    const reasons: string[] = [];
    resilience.onGiveUp((e) => reasons.push(e.reason));
    await expect(resilience.call(fn, { method: 'sendMessage' })).rejects.toBe(failure);
    expect(attempts).toHaveLength(1);
    expect(reasons[0]).toMatch(/may have been delivered/);
  });

  it('resends it when the call says idempotent: true, or allowDuplicates is set', async () => {
    const a = setup();
    const first = scripted([networkError('ECONNRESET')]);
    await expect(a.clock.run(a.resilience.call(first.fn, { method: 'sendMessage', idempotent: true }))).resolves.toBe('ok');
    expect(first.attempts).toHaveLength(2);
    const b = setup({ allowDuplicates: true });
    const second = scripted([botApiError(500, 'Internal Server Error')]);
    await expect(b.clock.run(b.resilience.call(second.fn, { method: 'sendMessage' }))).resolves.toBe('ok');
    expect(second.attempts).toHaveLength(2);
  });

  it('resends idempotent methods after a possibly-delivered failure', async () => {
    const { resilience, clock } = setup();
    const { fn, attempts } = scripted([networkError('ECONNRESET'), botApiError(500, 'Internal Server Error')]);
    await expect(clock.run(resilience.call(fn, { method: 'editMessageText' }))).resolves.toBe('ok');
    expect(attempts).toHaveLength(3);
  });

  it('treats a call without a method as not idempotent', async () => {
    const { resilience } = setup();
    const failure = networkError('ECONNRESET');
    await expect(resilience.call(scripted([failure]).fn)).rejects.toBe(failure);
  });
});

describe('abort', () => {
  it('rejects with the abort reason during a flood sleep and leaves no sleeper', async () => {
    const { resilience, clock } = setup();
    const controller = new AbortController();
    const { fn } = scripted([tooManyRequests(30)]);
    const call = resilience.call(fn, { method: 'sendMessage', signal: controller.signal });
    await clock.advance(1_000);
    expect(clock.pending()).toBe(1);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(clock.pending()).toBe(0);
  });

  it('rejects at once when the signal is already aborted, without calling fn', async () => {
    const { resilience } = setup();
    const controller = new AbortController();
    controller.abort('gone');
    const { fn, attempts } = scripted([]);
    await expect(resilience.call(fn, { signal: controller.signal })).rejects.toBe('gone');
    expect(attempts).toHaveLength(0);
  });

  it('rejects promptly even when fn ignores the signal', async () => {
    const { resilience } = setup();
    const controller = new AbortController();
    const call = resilience.call(() => new Promise(() => {}), { signal: controller.signal });
    controller.abort('stop');
    await expect(call).rejects.toBe('stop');
  });

  it("attempt.signal is the call's signal; without one, a signal that never aborts, the same on every attempt", async () => {
    const { resilience, clock } = setup();
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const recording = () => {
      const { fn } = scripted([tooManyRequests(1), tooManyRequests(1)]);
      return (attempt: Attempt) => (seen.push(attempt.signal), fn(attempt));
    };
    await clock.run(resilience.call(recording(), { method: 'getMe', signal: controller.signal }));
    expect(seen).toEqual([controller.signal, controller.signal, controller.signal]);
    seen.length = 0;
    await clock.run(resilience.call(recording(), { method: 'getMe' }));
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(seen.every((signal) => signal === seen[0] && !signal.aborted)).toBe(true);
    await resilience.close();
    expect(seen[0]!.aborted).toBe(false);
  });

  it('makes no AbortController for a call without a signal unless fn reads attempt.signal', async () => {
    const { resilience } = setup();
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      await resilience.call(async (attempt) => attempt.number, { method: 'getMe' });
      expect(made).toBe(0);
      await resilience.call(async (attempt) => attempt.signal.aborted, { method: 'getMe' });
      expect(made).toBe(1);
    } finally {
      globalThis.AbortController = Original;
    }
  });

  it('with the real clock, an abort during a 50 s wait settles within milliseconds and keeps no timer', async () => {
    const resilience = createResilience();
    const controller = new AbortController();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const started = Date.now();
    const call = resilience.call(scripted([tooManyRequests(50)]).fn, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('abort')), 20);
    await expect(call).rejects.toThrow('abort');
    expect(Date.now() - started).toBeLessThan(1_000);
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });
});

describe('options and input', () => {
  it.each([
    [{ maxAttempts: 0 }, /maxAttempts/],
    [{ maxAttempts: 1.5 }, /maxAttempts/],
    [{ floodSleepThreshold: -1 }, /floodSleepThreshold/],
    [{ baseDelayMs: Number.NaN }, /baseDelayMs/],
    [{ allowDuplicates: 'yes' }, /allowDuplicates/],
    [{ maxTotalDelayMs: '10' }, /maxTotalDelayMs/],
    [{ clock: {} }, /clock/],
    [{ chatIdStore: { get() {} } }, /chatIdStore/],
    [{ maxAtempts: 3 }, /unknown option `maxAtempts` \(did you mean `maxAttempts`\?\)/],
  ])('rejects %j at construction with a TypeError naming the option', (options, message) => {
    expect(() => createResilience(options as never)).toThrow(TypeError);
    expect(() => createResilience(options as never)).toThrow(message);
  });

  it('rejects bad call arguments with a TypeError instead of throwing synchronously', async () => {
    const { resilience } = setup();
    await expect(resilience.call('nope' as never)).rejects.toThrow(TypeError);
    await expect(resilience.call(async () => 1, { dc: -1 })).rejects.toThrow(/info.dc/);
    await expect(resilience.call(async () => 1, null as never)).rejects.toThrow(/info must be an object/);
  });

  it('listeners are removed by their disposer, and a throwing listener does not fail the call', async () => {
    const { resilience, clock } = setup();
    const seen: string[] = [];
    const dispose = resilience.onRetry((e) => seen.push(e.action));
    resilience.onRetry(() => {
      throw new Error('listener bug');
    });
    await clock.run(resilience.call(scripted([tooManyRequests(1)]).fn));
    dispose();
    dispose();
    await clock.run(resilience.call(scripted([tooManyRequests(1)]).fn));
    expect(seen).toEqual(['sleep']);
  });

  it('wrap binds fn and info, with per-call params', async () => {
    const { resilience } = setup();
    const sent: unknown[] = [];
    const send = resilience.wrap(async (a) => (sent.push(a.params), a.number), { method: 'sendMessage', params: { chat_id: 1 } });
    await expect(send()).resolves.toBe(1);
    await expect(send({ chat_id: 2 })).resolves.toBe(1);
    expect(sent).toEqual([{ chat_id: 1 }, { chat_id: 2 }]);
  });

  it('rejects calls after close()', async () => {
    const { resilience } = setup();
    await resilience.close();
    await expect(resilience.call(async () => 1)).rejects.toThrow(/close/);
  });
});

describe('polyfilled signals (abort-controller@3, as grammY and telegraf pass)', () => {
  /** An AbortSignal look-alike with neither `reason` nor `throwIfAborted`. */
  function polyfilledSignal() {
    const target = new EventTarget();
    const signal = Object.assign(target, { aborted: false, onabort: null });
    return {
      signal: signal as unknown as AbortSignal,
      abort() {
        signal.aborted = true;
        target.dispatchEvent(new Event('abort'));
      },
    };
  }

  it('runs calls and rejects with an AbortError when it aborts', async () => {
    const { resilience, clock } = setup();
    const polyfill = polyfilledSignal();
    await expect(resilience.call(async () => 'fine', { signal: polyfill.signal })).resolves.toBe('fine');
    const call = resilience.call(scripted([tooManyRequests(10)]).fn, { signal: polyfill.signal });
    await clock.advance(1);
    polyfill.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    const throttled = createResilience({ clock, throttle: true });
    await expect(throttled.call(async () => 1, { method: 'sendMessage', params: { chat_id: 1 }, signal: polyfill.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('an injected clock that ignores abort signals', () => {
  it('still lets an abort during a flood sleep settle the call at once', async () => {
    // A user's clock: sleeps never end early, whatever the signal says.
    const deaf = { now: () => 0, sleep: () => new Promise<void>(() => {}) };
    const resilience = createResilience({ clock: deaf });
    const controller = new AbortController();
    const call = resilience.call(scripted([tooManyRequests(30)]).fn, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error('cancelled'));
    await expect(call).rejects.toThrow('cancelled');
  });
});
