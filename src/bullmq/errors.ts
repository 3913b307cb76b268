/** Branded errors of the multi-machine broadcast, with type guards that work across copies of the package. */

const LOST = Symbol.for('telegram-resilience.CampaignLostError');

/**
 * The campaign has no state in Redis: it was never enqueued (or opened), or Redis lost its data
 * (restarted without persistence, flushed, evicted). Nothing is sent for it: who got the message is
 * no longer known there.
 */
export class CampaignLostError extends Error {
  readonly [LOST] = true;
  override name = 'CampaignLostError';
  constructor(readonly campaign: string) {
    super(
      `campaign "${campaign}" has no state in Redis: it was never enqueued, or Redis lost its data ` +
        '(restarted without persistence, flushed or evicted); nothing more is sent for it',
    );
  }
}

export function isCampaignLostError(value: unknown): value is CampaignLostError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[LOST] === true;
}

/** Turns the scripts' `TGR_NO_CAMPAIGN` error reply into a `CampaignLostError`. */
export function campaignError(campaign: string, error: unknown): unknown {
  return error instanceof Error && error.message.includes('TGR_NO_CAMPAIGN') ? new CampaignLostError(campaign) : error;
}
