/** Every built-in rule, through real calls on a manual clock. */
import { describe, expect, it } from 'vitest';
import { botApiError, networkError, tooManyRequests } from '../helpers/failures.js';
import { engine, scripted, settle } from './helpers.js';

const reset = () => networkError('ECONNRESET');

describe('getUpdates: poll forever', () => {
  it('retries network failures past maxAttempts and past maxTotalDelayMs, with the window capped at 30 s', async () => {
    const { clock, resilience, retries } = engine({ maxAttempts: 2, maxTotalDelayMs: 60_000, random: () => 1 });
    const { fn, attempts } = scripted(Array.from({ length: 15 }, reset), [], clock);
    expect(await settle(clock, resilience, fn, { method: 'getUpdates', params: { offset: 10, timeout: 30 } })).toEqual({ ok: true, value: [] });
    expect(attempts).toHaveLength(16);
    const delays = retries.map((e) => e.delayMs);
    expect(Math.max(...delays)).toBe(30_000);
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(60_000);
  });

  it('a non-polling method with the same options gives up at maxAttempts (control)', async () => {
    const { clock, resilience } = engine({ maxAttempts: 2, random: () => 1 });
    const { fn, attempts } = scripted(Array.from({ length: 15 }, reset), [], clock);
    expect((await settle(clock, resilience, fn, { method: 'getChat' })).ok).toBe(false);
    expect(attempts).toHaveLength(2);
  });

  it('sleeps through flood waits longer than floodSleepThreshold', async () => {
    const { clock, resilience } = engine();
    const { fn, attempts } = scripted([tooManyRequests(600)], [], clock);
    expect((await settle(clock, resilience, fn, { method: 'getUpdates' })).ok).toBe(true);
    expect(attempts[1]!.at).toBe(600_000);
  });

  it('stops at once on 409, saying another instance is polling', async () => {
    const { clock, resilience, giveUps } = engine();
    const conflict = botApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    const { fn, attempts } = scripted([conflict], [], clock);
    expect(await settle(clock, resilience, fn, { method: 'getUpdates' })).toEqual({ ok: false, error: conflict });
    expect(attempts).toHaveLength(1);
    expect(clock.now()).toBe(0);
    expect(giveUps).toHaveLength(1);
    expect(giveUps[0]!.reason).toMatch(/another instance of this bot is polling/);
  });
});

describe('answerCallbackQuery: answer in time or not at all', () => {
  const info = { method: 'answerCallbackQuery', params: { callback_query_id: '1' } };

  it('sleeps a short flood wait that ends within 10 s of the start', async () => {
    const { clock, resilience } = engine();
    const { fn, attempts } = scripted([tooManyRequests(3)], true, clock);
    expect((await settle(clock, resilience, fn, info)).ok).toBe(true);
    expect(attempts[1]!.at).toBe(3000);
  });

  it('gives up instead of a wait that would end after 10 s (without sleeping it)', async () => {
    const { clock, resilience, giveUps } = engine();
    const flood = tooManyRequests(3);
    let calls = 0;
    const fn = async () => {
      calls++;
      await clock.sleep(8_000); // a slow first attempt: 8 s of the 10 s are gone
      throw flood;
    };
    expect(await settle(clock, resilience, fn, info)).toEqual({ ok: false, error: flood });
    expect(calls).toBe(1);
    expect(clock.now()).toBe(8_000);
    expect(giveUps[0]!.reason).toMatch(/maxElapsedMs \(10000ms\)/);
  });

  it('gives up at once on a flood wait over 5 s', async () => {
    const { clock, resilience, giveUps } = engine();
    const { fn, attempts } = scripted([tooManyRequests(6)], true, clock);
    expect((await settle(clock, resilience, fn, info)).ok).toBe(false);
    expect(attempts).toHaveLength(1);
    expect(giveUps[0]!.reason).toMatch(/floodSleepThreshold \(5s\)/);
  });

  it('control: another method sleeps the same 8 s + 3 s', async () => {
    const { clock, resilience } = engine();
    let calls = 0;
    const fn = async () => {
      calls++;
      if (calls === 1) {
        await clock.sleep(8_000);
        throw tooManyRequests(3);
      }
      return true;
    };
    expect((await settle(clock, resilience, fn, { method: 'getChat' })).ok).toBe(true);
    expect(clock.now()).toBe(11_000);
  });
});

describe('idempotency of the built-in rules', () => {
  it.each([
    'deleteMessage',
    'editMessageText',
    'editMessageReplyMarkup',
    'setMyCommands',
    'getChat',
    'getChatMember',
    'sendChatAction',
    'answerCallbackQuery',
  ])('%s is resent after ECONNRESET', async (method) => {
    const { clock, resilience } = engine({ random: () => 0.5 });
    const { fn, attempts } = scripted([reset()], true, clock);
    expect(await settle(clock, resilience, fn, { method, params: { chat_id: 1 } })).toEqual({ ok: true, value: true });
    expect(attempts).toHaveLength(2);
  });

  it.each(['sendMessage', 'sendPhoto', 'sendMediaGroup', 'forwardMessage', 'forwardMessages', 'copyMessage', 'copyMessages'])(
    '%s is not resent after ECONNRESET (it may have been delivered)',
    async (method) => {
      const { clock, resilience, giveUps } = engine();
      const error = reset();
      const { fn, attempts } = scripted([error], true, clock);
      expect(await settle(clock, resilience, fn, { method, params: { chat_id: 1 } })).toEqual({ ok: false, error });
      expect(attempts).toHaveLength(1);
      expect(giveUps[0]!.reason).toMatch(new RegExp(`${method} is not idempotent`));
    },
  );

  it('send* is still resent after a failure that surely did not deliver (connection refused)', async () => {
    const { clock, resilience } = engine({ random: () => 0.5 });
    const { fn, attempts } = scripted([networkError('ECONNREFUSED')], true, clock);
    expect((await settle(clock, resilience, fn, { method: 'sendMessage', params: { chat_id: 1 } })).ok).toBe(true);
    expect(attempts).toHaveLength(2);
  });

  it('explain names the built-in rule that decided', () => {
    const { resilience } = engine();
    expect(resilience.explain(reset(), { method: 'deleteMessage' }).rule).toBe('reads, edits, deletes and settings are idempotent');
    expect(resilience.explain(reset(), { method: 'copyMessage' }).rule).toBe('send*, forward*, copy* create messages');
    expect(resilience.explain(reset(), { method: 'sendChatAction' }).rule).toBe('sendChatAction: harmless to repeat');
  });
});
