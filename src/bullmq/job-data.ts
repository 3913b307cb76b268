/** What one broadcast job carries: its campaign and recipient, and how to treat an earlier outcome. */
import { parseChatId } from '../broadcast/chat-id.js';
import type { ChatId } from '../broadcast/journal.js';
import type { MessageParams } from '../broadcast/types.js';
import { checkCampaign } from './keys.js';

/** The job name every broadcast job has (Bull Board shows it). */
export const JOB_NAME = 'broadcast';

export interface BroadcastJobData {
  campaign: string;
  chatId: ChatId;
  /** Only when the message is built per chat; a fixed message is kept once, in the campaign. */
  params?: MessageParams;
  paid?: true;
  resendUncertain?: true;
  retryFailed?: true;
}

/** Reads a job's data, or throws a TypeError saying why it is not a broadcast job. */
export function parseJobData(data: unknown): BroadcastJobData {
  const where = 'broadcastProcessor';
  if (typeof data !== 'object' || data === null) throw new TypeError(`${where}: the job's data is not a broadcast job (enqueue it with enqueueBroadcast)`);
  const d = data as Record<string, unknown>;
  const campaign = checkCampaign(where, d.campaign);
  const chatId = parseChatId(d.chatId);
  if (chatId === undefined) throw new TypeError(`${where}: the job's chatId is not a chat id: ${JSON.stringify(d.chatId)}`);
  const params = d.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new TypeError(`${where}: the job's params must be an object`);
  }
  return {
    campaign,
    chatId,
    ...(params !== undefined && { params: params as MessageParams }),
    ...(d.paid === true && { paid: true }),
    ...(d.resendUncertain === true && { resendUncertain: true }),
    ...(d.retryFailed === true && { retryFailed: true }),
  };
}
