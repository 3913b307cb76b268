/** The Redis journal on a real redis-server: every state, its counts and lists, and its binding. */
import { expect, it } from 'vitest';
import { broadcast, isJournalMismatchError, type ClaimRules } from '../../src/broadcast/index.js';
import { isCampaignLostError, redisJournal } from '../../src/bullmq/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { createBotApi } from '../../src/botapi/index.js';
import { describeWithRedis } from '../helpers/redis-server.js';
import { useRedis } from '../limits/redis/redis-context.js';

const NONE: ClaimRules = { resendUncertain: false, retryFailed: false };
const binding = { fingerprint: 'sha256:one', method: 'sendMessage' };

describeWithRedis('redisJournal', () => {
  const redis = useRedis();

  it('walks every state like the SQLite journal, with counts and lists in step', async () => {
    const journal = redisJournal({ client: redis.client(), campaign: 'news-1' });
    await journal.open(binding);
    const claims = await journal.claim([1, 2, 3, 4, 5, -6, '@Some_User', 1], NONE);
    expect(claims.map((c) => c.claim)).toEqual(['send', 'send', 'send', 'send', 'send', 'send', 'send', 'duplicate']);
    expect((await journal.summary()).counts).toMatchObject({ pending: 0, sending: 7 });
    await journal.record([
      { chatId: 1, state: 'sent', target: 1, messageId: 10 },
      { chatId: 2, state: 'blocked', description: 'Forbidden: bot was blocked by the user' },
      { chatId: 3, state: 'failed', kind: 'network', description: 'ECONNREFUSED', retryable: true },
      { chatId: 4, state: 'failed', kind: 'bad_request', description: 'chat not found', retryable: false },
      { chatId: 5, state: 'uncertain', kind: 'network', description: 'reset after the request left' },
      { chatId: -6, state: 'migrated', target: -1006 },
      { chatId: '@some_user', state: 'pending' },
    ]);
    // Same run: the migrated group is claimed again to its new id; the rest were seen already.
    expect(await journal.claim([-6], NONE)).toEqual([{ chatId: -6, claim: 'send', target: -1006 }]);
    await journal.record([{ chatId: -6, state: 'sent', target: -1006, messageId: 1 }]);
    await journal.close();

    // A later run: only the retryable failure and the released one are sent again.
    const next = redisJournal({ client: redis.client(), campaign: 'news-1' });
    await next.open(binding);
    const again = await next.claim([1, 2, 3, 4, 5, -6, '@SOME_USER'], NONE);
    expect(again.map((c) => c.claim)).toEqual(['done', 'done', 'send', 'done', 'done', 'done', 'send']);
    expect(again[0]).toMatchObject({ claim: 'done', record: { state: 'sent', messageId: 10 } });
    expect(again[5]).toMatchObject({ claim: 'done', record: { state: 'sent', target: -1006 } });
    await next.record([
      { chatId: 3, state: 'sent', target: 3, messageId: 1 },
      { chatId: '@some_user', state: 'sent', target: '@some_user', messageId: 1 },
    ]);
    const summary = await next.summary();
    expect(summary).toMatchObject({
      fingerprint: 'sha256:one',
      method: 'sendMessage',
      runs: 2,
      counts: { pending: 0, sending: 0, sent: 4, blocked: 1, migrated: 0, failed: 1, uncertain: 1 },
      uncertain: [5],
      blocked: [2],
      failed: [{ chatId: 4, kind: 'bad_request', description: 'chat not found', retryable: false }],
      migrated: [{ from: -6, to: -1006 }],
    });
    // Asked to: exactly the uncertain one and the permanent failure.
    const third = redisJournal({ client: redis.client(), campaign: 'news-1' });
    await third.open(binding);
    const resend = await third.claim([1, 2, 3, 4, 5, -6], { resendUncertain: true, retryFailed: true });
    expect(resend.filter((c) => c.claim === 'send').map((c) => c.chatId)).toEqual([4, 5]);
  });

  it('a recipient left "sending" by a claim that is gone becomes uncertain, and is not sent', async () => {
    const journal = redisJournal({ client: redis.client(), campaign: 'c' });
    await journal.bind(binding);
    expect(await journal.claimAs('worker-a', [7, 8], NONE)).toMatchObject([{ claim: 'send' }, { claim: 'send' }]);
    // worker-a dies; its jobs are picked up by worker-b.
    const [seven] = await journal.claimAs('worker-b', [7], NONE);
    expect(seven).toMatchObject({ claim: 'done', record: { state: 'uncertain', kind: 'killed' } });
    expect(await journal.claimAs('worker-a', [8], NONE)).toEqual([{ chatId: 8, claim: 'duplicate' }]);
    expect((await journal.summary()).counts).toMatchObject({ sending: 1, uncertain: 1 });
    expect((await journal.claimAs('worker-c', [7], { resendUncertain: true, retryFailed: false }))[0]).toMatchObject({ claim: 'send' });
  });

  it('belongs to one message; keys are namespaced by campaign; a campaign gone from Redis is said so', async () => {
    const client = redis.client();
    const journal = redisJournal({ client, campaign: 'a' });
    await journal.open(binding);
    await journal.claim([1], NONE);
    const other = redisJournal({ client, campaign: 'a' });
    const mismatch = await other.open({ fingerprint: 'sha256:two', method: 'sendMessage' }).catch((e: unknown) => e);
    expect(isJournalMismatchError(mismatch)).toBe(true);
    // Another campaign is independent.
    const b = redisJournal({ client, campaign: 'b' });
    await b.open({ fingerprint: 'sha256:two', method: 'sendMessage' });
    expect((await b.claim([1], NONE))[0]!.claim).toBe('send');
    const keys = await redis.admin.keys('*');
    expect(keys.every((k) => k.startsWith('tgr:broadcast:{a}:') || k.startsWith('tgr:broadcast:{b}:'))).toBe(true);
    // Redis loses its data (a restart without persistence): nothing is claimed as if new.
    await redis.admin.flushall();
    const lost = await journal.claim([2], NONE).catch((e: unknown) => e);
    expect(isCampaignLostError(lost)).toBe(true);
    expect(await redis.admin.keys('*')).toEqual([]);
    await expect(journal.record([{ chatId: 1, state: 'sent', target: 1, messageId: 1 }])).rejects.toThrow(/no state in Redis/);
  });

  it('checks its options', () => {
    const client = redis.client();
    expect(() => redisJournal({ client, campaign: 'has space' })).toThrow(TypeError);
    expect(() => redisJournal({ client, campaign: 'x', extra: 1 } as never)).toThrow(/^redisJournal: unknown option `extra` \(known: client, campaign, keyPrefix\)$/);
    expect(() => redisJournal({ client: {} as never, campaign: 'x' })).toThrow(/ioredis client/);
  });

  it('serves broadcast() as its journal: a rerun resumes from Redis', async () => {
    const sim = await startSimulator({ limits: { globalPerSecond: 1000 }, blockedUsers: [99] });
    redis.defer(() => sim.close());
    const api = createBotApi({ token: sim.token, apiRoot: sim.apiRoot });
    const recipients = [...Array.from({ length: 30 }, (_, i) => 500 + i), 99];
    const journal = () => redisJournal({ client: redis.client(), campaign: 'single' });
    const first = await broadcast({ api, recipients, message: { params: { text: 'hi' } }, journal: journal() });
    expect(first).toMatchObject({ total: 31, sent: 30, blocked: [99], uncertain: [], failed: [] });
    const second = await broadcast({ api, recipients, message: { params: { text: 'hi' } }, journal: journal() });
    expect(second).toMatchObject({ total: 31, sent: 0, skipped: 30, blocked: [99] });
    for (const chat of recipients.slice(0, 30)) expect(sim.deliveredTo(chat)).toHaveLength(1);
  });
});
