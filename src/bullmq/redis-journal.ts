/**
 * `redisJournal({ client, campaign })`: the broadcast journal in Redis, shared by every worker of a
 * campaign on every machine. Same states as the SQLite journal; each claim and record is one Lua
 * script, atomic for its whole batch. A recipient left in "sending" by a run or job attempt that is
 * gone becomes uncertain when it is claimed again (lazily: other workers may be alive).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { chatKey, fromChatKey } from '../broadcast/chat-id.js';
import {
  JournalMismatchError,
  RECIPIENT_STATES,
  type BroadcastJournal,
  type ChatId,
  type ClaimResult,
  type ClaimRules,
  type JournalSummary,
  type Outcome,
  type RecipientRecord,
  type RecipientState,
} from '../broadcast/journal.js';
import { checkOptions } from '../core/check-options.js';
import { string, type Check } from '../core/checks.js';
import { campaignError } from './errors.js';
import { defineJournalScripts, type JournalScriptClient } from './journal-scripts.js';
import { ioredisClientCheck } from './ioredis-check.js';
import { campaignCheck, campaignKeys, keyList, type CampaignKeys } from './keys.js';

export interface RedisJournalOptions {
  /** An ioredis 5 client you own (never quit by the journal). Give it `maxRetriesPerRequest: null` so a record waits out a reconnect. */
  client: Redis;
  /** The campaign: 1-100 letters, digits, `_`, `.` or `-`. Its keys are namespaced by it. */
  campaign: string;
  /**
   * Prefix of every key.
   * @default 'tgr:'
   */
  keyPrefix?: string;
}

/** The Redis journal: a `BroadcastJournal`, plus what the BullMQ processor needs. */
export interface RedisJournal extends BroadcastJournal {
  readonly campaign: string;
  readonly keys: CampaignKeys;
  /** Binds the campaign to a message (kept for workers when `params` is given); answers how many runs bound it. */
  bind(binding: { fingerprint: string; method: string; params?: Record<string, unknown> }): Promise<number>;
  /** `claim` under an explicit token: a BullMQ job attempt claims as itself. */
  claimAs(token: string, chatIds: readonly ChatId[], rules: ClaimRules): Promise<ClaimResult[]>;
  /** The campaign's counters: requests made, flood waits slept. */
  counters(): Promise<{ requests: number; floodWaits: number }>;
  addFloodWaits(count: number): Promise<void>;
  /** Recipients in "pending", "sending" or "migrated" (a scan of the whole campaign: for its end only). */
  unfinished(): Promise<RecipientRecord[]>;
  /** The fixed message workers send (`undefined` when the campaign has none, e.g. bound by `open`). */
  message(): Promise<{ method: string; params: Record<string, unknown> | undefined; fingerprint: string }>;
}

type RawRecord = { s: RecipientState; t?: string; m?: number; k?: string; d?: string; r?: boolean };

function recordOf(key: string, raw: string): RecipientRecord {
  const r = JSON.parse(raw) as RawRecord;
  const record: RecipientRecord = { chatId: fromChatKey(key), state: r.s, target: fromChatKey(r.t ?? key) };
  if (typeof r.m === 'number') record.messageId = r.m;
  if (typeof r.k === 'string') record.kind = r.k;
  if (typeof r.d === 'string') record.description = r.d;
  if (r.s === 'failed') record.retryable = r.r === true;
  return record;
}

function encodeOutcome(o: Outcome): string {
  switch (o.state) {
    case 'sent':
      return JSON.stringify({ s: o.state, t: chatKey(o.target), ...(o.messageId !== undefined && { m: o.messageId }) });
    case 'migrated':
      return JSON.stringify({ s: o.state, t: chatKey(o.target) });
    case 'blocked':
      return JSON.stringify({ s: o.state, d: o.description });
    case 'failed':
      return JSON.stringify({ s: o.state, k: o.kind, d: o.description, r: o.retryable });
    case 'uncertain':
      return JSON.stringify({ s: o.state, k: o.kind, d: o.description });
    default:
      return JSON.stringify({ s: 'pending' });
  }
}

const flat = (list: string[]): Map<string, string> => {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(list[i]!, list[i + 1]!);
  return map;
};

/** How each option is checked. */
const OPTION_CHECKS = {
  client: ioredisClientCheck,
  campaign: campaignCheck,
  keyPrefix: string,
} satisfies Record<keyof RedisJournalOptions, Check>;

export function redisJournal(options: RedisJournalOptions): RedisJournal {
  const WHERE = 'redisJournal';
  checkOptions(WHERE, options, OPTION_CHECKS, { required: ['client', 'campaign'] });
  const { campaign, keyPrefix = 'tgr:' } = options;
  const client = defineJournalScripts(options.client) as JournalScriptClient & Redis;
  const keys = campaignKeys(keyPrefix, campaign);
  const K = keyList(keys);
  let runToken: string | undefined;
  let closed = false;
  const live = () => {
    if (closed) throw new Error(`${WHERE}: the journal was closed`);
  };
  const lost = (error: unknown) => Promise.reject(campaignError(campaign, error));

  const journal: RedisJournal = {
    campaign,
    keys,
    async bind({ fingerprint, method, params }) {
      live();
      const [answer, value] = await client.telegramResilienceBroadcastBindV1(...K, fingerprint, method, params ? JSON.stringify(params) : '', String(Date.now()));
      if (answer === 'mismatch') {
        throw new JournalMismatchError(`campaign "${campaign}" belongs to another message; use another campaign name for this one`, fingerprint, value);
      }
      return Number(value);
    },
    async open(binding) {
      live();
      if (runToken) throw new Error(`${WHERE}: already open`);
      await journal.bind(binding);
      runToken = `run:${randomUUID()}`;
    },
    async claim(chatIds, rules) {
      if (!runToken) throw new Error(`${WHERE}: open() first`);
      return journal.claimAs(runToken, chatIds, rules);
    },
    async claimAs(token, chatIds, rules) {
      live();
      if (chatIds.length === 0) return [];
      const chatKeys = chatIds.map(chatKey);
      const answers = await client
        .telegramResilienceBroadcastClaimV1(...K, token, rules.resendUncertain ? '1' : '0', rules.retryFailed ? '1' : '0', ...chatKeys)
        .catch(lost);
      return answers.map((answer, i): ClaimResult => {
        const chatId = chatIds[i]!;
        const newline = answer.indexOf('\n');
        const verb = newline < 0 ? answer : answer.slice(0, newline);
        const rest = answer.slice(newline + 1);
        if (verb === 'send') return { chatId, claim: 'send', target: fromChatKey(rest) };
        if (verb === 'done') return { chatId, claim: 'done', record: recordOf(chatKeys[i]!, rest) };
        return { chatId, claim: 'duplicate' };
      });
    },
    async record(outcomes) {
      live();
      if (outcomes.length === 0) return;
      const args = outcomes.flatMap((o) => [chatKey(o.chatId), encodeOutcome(o)]);
      await client.telegramResilienceBroadcastRecordV1(...K, ...args).catch(lost);
    },
    async summary() {
      live();
      const [countList, metaList, uncertain, blocked, failed, migrated] = await client.telegramResilienceBroadcastSummaryV1(...K);
      const counted = flat(countList);
      const meta = flat(metaList);
      const counts = Object.fromEntries(RECIPIENT_STATES.map((s) => [s, Number(counted.get(s) ?? 0)])) as Record<RecipientState, number>;
      const summary: JournalSummary = {
        fingerprint: meta.get('fingerprint') ?? '',
        method: meta.get('method') ?? '',
        runs: Number(meta.get('runs') ?? 0),
        counts,
        uncertain: uncertain.map(fromChatKey),
        blocked: blocked.map(fromChatKey),
        failed: [],
        migrated: [],
      };
      for (const [key, raw] of flat(failed)) {
        const r = recordOf(key, raw);
        summary.failed.push({ chatId: r.chatId, kind: r.kind ?? 'unknown', description: r.description ?? '', retryable: r.retryable ?? false });
      }
      for (const [key, raw] of flat(migrated)) {
        const r = recordOf(key, raw);
        if (chatKey(r.target) !== key) summary.migrated.push({ from: r.chatId, to: r.target });
      }
      return summary;
    },
    async counters() {
      live();
      const [requests, floodWaits] = await client.hmget(keys.counts, 'requests', 'floodWaits');
      return { requests: Number(requests ?? 0), floodWaits: Number(floodWaits ?? 0) };
    },
    async addFloodWaits(count) {
      live();
      if (count > 0) await client.hincrby(keys.counts, 'floodWaits', count);
    },
    async message() {
      live();
      const [fingerprint, method, params] = await client.hmget(keys.meta, 'fingerprint', 'method', 'params');
      if (!fingerprint || !method) throw campaignError(campaign, new Error('TGR_NO_CAMPAIGN'));
      return { fingerprint, method, params: params ? (JSON.parse(params) as Record<string, unknown>) : undefined };
    },
    async unfinished() {
      live();
      const found: RecipientRecord[] = [];
      let cursor = '0';
      do {
        const [next, entries] = await client.hscan(keys.records, cursor, 'COUNT', 1000);
        cursor = next;
        for (const [key, raw] of flat(entries)) {
          const record = recordOf(key, raw);
          if (record.state === 'pending' || record.state === 'sending' || record.state === 'migrated') found.push(record);
        }
      } while (cursor !== '0');
      return found;
    },
    async close() {
      closed = true;
    },
  };
  return journal;
}
