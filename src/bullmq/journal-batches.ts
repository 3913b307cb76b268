/**
 * One worker's claims and records, batched per turn of its event loop (core/turn-batch.ts): the
 * jobs BullMQ hands a worker come back from Redis in bunches, so they claim and record in bunches,
 * and each bunch is one Lua script instead of one per job.
 *
 * A batch of claims is one claim token: the job attempts in it are this process's at one moment,
 * each for its own recipient (a recipient offered twice in one batch is a duplicate, as when one
 * job attempt offers it twice). A recipient found "sending" under any other token was being sent
 * by an attempt that is gone, and becomes uncertain, exactly as with one token per attempt.
 */
import type { ChatId, ClaimResult, ClaimRules, Outcome } from '../broadcast/journal.js';
import { TurnBatch } from '../core/turn-batch.js';
import type { RedisJournal } from './redis-journal.js';

export interface JournalBatches {
  /** Claims `chatId` under `rules` with the others claimed in this turn. */
  claim(chatId: ChatId, rules: ClaimRules): Promise<ClaimResult | undefined>;
  /** Records `outcome` with the others recorded in this turn. */
  record(outcome: Outcome): Promise<void>;
}

/** `newToken` names each batch of claims (unique per process and batch). */
export function journalBatches(journal: RedisJournal, newToken: () => string): JournalBatches {
  const claims = new TurnBatch(async (items: Array<{ chatId: ChatId; rules: ClaimRules }>) => {
    // Jobs of one campaign nearly always share their rules; each set of rules is one claim.
    const byRules = new Map<string, { rules: ClaimRules; at: number[]; chatIds: ChatId[] }>();
    items.forEach(({ chatId, rules }, i) => {
      const key = `${rules.resendUncertain ? 1 : 0}${rules.retryFailed ? 1 : 0}`;
      let group = byRules.get(key);
      if (!group) byRules.set(key, (group = { rules, at: [], chatIds: [] }));
      group.at.push(i);
      group.chatIds.push(chatId);
    });
    const results = new Array<ClaimResult | undefined>(items.length);
    await Promise.all(
      [...byRules.values()].map(async ({ rules, at, chatIds }) => {
        const answers = await journal.claimAs(newToken(), chatIds, rules);
        at.forEach((i, k) => (results[i] = answers[k]));
      }),
    );
    return results;
  });
  const records = new TurnBatch(async (outcomes: Outcome[]) => {
    await journal.record(outcomes);
    return outcomes.map(() => undefined);
  });
  return {
    claim: (chatId, rules) => claims.add({ chatId, rules }),
    record: (outcome) => records.add(outcome),
  };
}
