/**
 * `telegram-resilience/bullmq`: one broadcast across many processes and machines on BullMQ. Enqueue
 * a campaign (one job per recipient, idempotent), run `broadcastProcessor` in any number of BullMQ
 * workers, read the campaign's report from its Redis journal. See docs/bullmq.md.
 */
export { enqueueBroadcast } from './enqueue.js';
export type { BroadcastQueue, EnqueueBroadcastOptions } from './enqueue.js';
export { broadcastProcessor } from './processor.js';
export type { BroadcastJob, BroadcastJobResult, BroadcastProcessor, BroadcastProcessorOptions } from './processor.js';
export { broadcastWorkerOptions } from './worker-options.js';
export type { BroadcastWorkerOptions, BroadcastWorkerSettings } from './worker-options.js';
export { redisJournal } from './redis-journal.js';
export type { RedisJournal, RedisJournalOptions } from './redis-journal.js';
export { campaignReport, campaignSnapshot } from './campaign-report.js';
export type { CampaignSnapshot } from './campaign-report.js';
export { CampaignLostError, isCampaignLostError } from './errors.js';
export { jobIdOf } from './keys.js';
export { JOB_NAME } from './job-data.js';
export type { BroadcastJobData } from './job-data.js';
