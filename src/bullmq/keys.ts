/**
 * Where a campaign lives in Redis, and its BullMQ job ids. Every key of one campaign carries the
 * hash tag `{campaign}`, so they sit in one Redis Cluster slot and one script may touch them all.
 */
import { chatKey } from '../broadcast/chat-id.js';
import { checkOption, type Check } from '../core/checks.js';
import type { ChatId } from '../broadcast/journal.js';

/** A campaign name: it becomes part of Redis keys, job ids and (in the CLI) the queue's name. */
const CAMPAIGN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The `campaign` option, for a factory's table of checks. */
export const campaignCheck: Check = (v) =>
  typeof v === 'string' && CAMPAIGN.test(v) ? undefined : '1-100 letters, digits, "_", "." or "-" (starting with a letter or digit)';

/** Throws a TypeError in the shared wording when `campaign` is not a campaign name. */
export function checkCampaign(where: string, campaign: unknown): string {
  checkOption(where, 'campaign', campaign, campaignCheck);
  return campaign as string;
}

export interface CampaignKeys {
  /** Hash: fingerprint, method, params (JSON, for a fixed message), created. */
  meta: string;
  /** Hash: chat key -> the recipient's record (JSON). */
  records: string;
  /** Hash: state -> recipients in it; `requests` and `floodWaits` counters. */
  counts: string;
  /** Sets of chat keys, for the report's lists. */
  uncertain: string;
  failed: string;
  blocked: string;
  /** Chat keys whose message goes (or went) to another chat (a migrated group). */
  migrated: string;
  /** Prefix of the enqueue leases of batches (enqueue-leases.ts). */
  enqueueLeases: string;
}

/** The keys of `campaign` under `keyPrefix` (default `tgr:`). */
export function campaignKeys(keyPrefix: string, campaign: string): CampaignKeys {
  const base = `${keyPrefix}broadcast:{${campaign}}:`;
  return {
    meta: `${base}meta`,
    records: `${base}records`,
    counts: `${base}counts`,
    uncertain: `${base}uncertain`,
    failed: `${base}failed`,
    blocked: `${base}blocked`,
    migrated: `${base}migrated`,
    enqueueLeases: `${base}enqueue:`,
  };
}

/** Keys in the order the scripts take them. */
export const keyList = (k: CampaignKeys): string[] => [k.meta, k.records, k.counts, k.uncertain, k.failed, k.blocked, k.migrated];

/**
 * The job id of one recipient of one campaign: the same from every process, so the same recipient
 * enqueued twice is one job while that job waits or runs. (BullMQ forbids ":" in ids; campaigns
 * cannot hold "/".)
 */
export function jobIdOf(campaign: string, chatId: ChatId): string {
  return `${campaign}/${chatKey(chatId)}`;
}
