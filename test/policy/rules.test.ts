/** Per-method rules: exact names, globs, RegExps, predicates; first match wins; user rules before built-ins. */
import { describe, expect, it } from 'vitest';
import { createResilience } from '../../src/engine/resilience.js';
import { networkError, tooManyRequests } from '../helpers/failures.js';
import { engine, scripted, settle } from './helpers.js';

const flood5 = () => tooManyRequests(5);
const reset = () => networkError('ECONNRESET');

describe('rule matching', () => {
  it('an exact name matches that method only', () => {
    const r = createResilience({ rules: [{ match: 'sendMessage', floodSleepThreshold: 2 }] });
    expect(r.explain(flood5(), { method: 'sendMessage' })).toMatchObject({ action: 'fail', rule: 'sendMessage' });
    expect(r.explain(flood5(), { method: 'sendMessages' })).toMatchObject({ action: 'sleep', delayMs: 5000 });
    expect(r.explain(flood5(), { method: 'SendMessage' }).action).toBe('sleep');
    expect(r.explain(flood5(), {}).action).toBe('sleep');
  });

  it('a glob: * is any run of characters, ? exactly one, anchored at both ends', () => {
    const r = createResilience({
      builtinRules: false,
      rules: [
        { match: 'send*', name: 'sends', floodSleepThreshold: 2 },
        { match: 'messages.*', name: 'mtproto messages', floodSleepThreshold: 3 },
        { match: 'getChat?', name: 'one more letter', floodSleepThreshold: 4 },
      ],
    });
    const rule = (method: string) => r.explain(flood5(), { method }).rule;
    expect(rule('sendPhoto')).toBe('sends');
    expect(rule('send')).toBe('sends');
    expect(rule('resend')).toBeUndefined();
    expect(rule('messages.sendMessage')).toBe('mtproto messages');
    expect(rule('messagesXsend')).toBeUndefined(); // the dot is literal
    expect(rule('getChats')).toBe('one more letter');
    expect(rule('getChat')).toBeUndefined();
    expect(rule('getChatMember')).toBeUndefined();
  });

  it('a RegExp is tested against the method (flags honoured, g/y do not make it flaky)', () => {
    const r = createResilience({ builtinRules: false, rules: [{ match: /^get/gi, name: 'reads', floodSleepThreshold: 2 }] });
    for (let i = 0; i < 3; i++) expect(r.explain(flood5(), { method: 'GetChat' }).rule).toBe('reads');
    expect(r.explain(flood5(), { method: 'forget' }).rule).toBeUndefined();
  });

  it('a predicate sees the whole call info; one that throws does not match', () => {
    const r = createResilience({
      builtinRules: false,
      rules: [
        {
          match: () => {
            throw new Error('buggy predicate');
          },
          name: 'throws',
          floodSleepThreshold: 0,
        },
        { match: (info) => info.params?.chat_id === 42, name: 'vip chat', floodSleepThreshold: 2 },
      ],
    });
    expect(r.explain(flood5(), { method: 'sendMessage', params: { chat_id: 42 } })).toMatchObject({ action: 'fail', rule: 'vip chat' });
    expect(r.explain(flood5(), { method: 'sendMessage', params: { chat_id: 43 } })).toMatchObject({ action: 'sleep' });
    expect(r.explain(flood5(), { method: 'sendMessage', params: { chat_id: 43 } }).rule).toBeUndefined();
  });

  it('the first matching rule wins, even when a later one is more specific', () => {
    const r = createResilience({
      rules: [
        { match: 'send*', name: 'broad', floodSleepThreshold: 100 },
        { match: 'sendMessage', name: 'specific', floodSleepThreshold: 2 },
      ],
    });
    expect(r.explain(flood5(), { method: 'sendMessage' })).toMatchObject({ action: 'sleep', rule: 'broad' });
  });

  it('only the winning rule applies: options are not merged across rules', async () => {
    const { clock, resilience } = engine({
      random: () => 1,
      rules: [
        { match: 'getChat', name: 'chat reads', maxAttempts: 2 },
        { match: 'get*', name: 'reads', maxAttempts: 4, baseDelayMs: 10 },
      ],
    });
    const failures = Array.from({ length: 10 }, reset);
    const chat = scripted(failures, 'ok', clock);
    expect((await settle(clock, resilience, chat.fn, { method: 'getChat' })).ok).toBe(false);
    expect(chat.attempts).toHaveLength(2);
    expect(chat.attempts[1]!.at).toBe(500); // baseDelayMs of the other rule did not leak in
    const me = scripted(failures, 'ok', clock);
    expect((await settle(clock, resilience, me.fn, { method: 'getMe' })).ok).toBe(false);
    expect(me.attempts).toHaveLength(4);
  });

  it('user rules go before the built-in ones (a user rule for getUpdates replaces "poll forever")', () => {
    const withUserRule = createResilience({ rules: [{ match: 'getUpdates', name: 'mine', maxAttempts: 2 }] });
    const builtin = createResilience();
    const budget = { attempts: 2 };
    expect(withUserRule.explain(reset(), { method: 'getUpdates' }, budget)).toMatchObject({ action: 'fail', rule: 'mine', reason: 'maxAttempts (2) reached' });
    expect(builtin.explain(reset(), { method: 'getUpdates' }, budget)).toMatchObject({ action: 'backoff', rule: 'getUpdates: poll forever' });

    const slowCallbacks = createResilience({ rules: [{ match: 'answerCallbackQuery', floodSleepThreshold: 60 }] });
    expect(slowCallbacks.explain(tooManyRequests(30), { method: 'answerCallbackQuery' })).toMatchObject({ action: 'sleep', delayMs: 30_000 });
    expect(builtin.explain(tooManyRequests(30), { method: 'answerCallbackQuery' }).action).toBe('fail');
  });

  it('builtinRules: false applies none of the built-in rules', () => {
    const r = createResilience({ builtinRules: false });
    expect(r.explain(reset(), { method: 'getUpdates' }, { attempts: 5 })).toMatchObject({ action: 'fail', reason: 'maxAttempts (5) reached' });
    expect(r.explain(reset(), { method: 'getUpdates' }, { attempts: 5 }).rule).toBeUndefined();
    expect(r.explain(tooManyRequests(30), { method: 'answerCallbackQuery' })).toMatchObject({ action: 'sleep', delayMs: 30_000 });
    expect(createResilience().explain(reset(), { method: 'getUpdates' }, { attempts: 5 }).action).toBe('backoff');
  });

  it('a rule can make a method idempotent; the call\'s own flag still wins over the rule', async () => {
    const { clock, resilience } = engine({ random: () => 0, rules: [{ match: 'sendMessage', idempotent: true }] });
    const resent = scripted([reset()], 'ok', clock);
    expect(await settle(clock, resilience, resent.fn, { method: 'sendMessage' })).toEqual({ ok: true, value: 'ok' });
    expect(resent.attempts).toHaveLength(2);
    const error = reset();
    const kept = scripted([error], 'ok', clock);
    expect(await settle(clock, resilience, kept.fn, { method: 'sendMessage', idempotent: false })).toEqual({ ok: false, error });
    expect(kept.attempts).toHaveLength(1);
  });

  it('rejects invalid rules with the rule index and option in the message', () => {
    expect(() => createResilience({ rules: [{ match: 'x' }, { match: 'y', maxAttempts: 0 }] })).toThrow(/rules\[1\].*maxAttempts/);
    expect(() => createResilience({ rules: [{ match: '' }] })).toThrow(/rules\[0\]\.match/);
    expect(() => createResilience({ rules: [{ match: 'x', maxAtempts: 1 } as never] })).toThrow(/unknown option `rules\[0\].maxAtempts` \(did you mean `rules\[0\].maxAttempts`\?\)/);
  });
});
