/**
 * `getUpdates` as Telegram serves it: `offset` confirms, `limit` caps the batch (1..100), `timeout`
 * holds the request (long polling) until an update arrives or the time passes on the clock, and
 * `allowed_updates` changes which updates are created from now on. One poller at a time: a new
 * `getUpdates` ends the one waiting with 409, and none is served while a webhook is set.
 */
import type { ServerResponse } from 'node:http';
import { errorAnswer, okAnswer, type ApiAnswer } from './answers.js';
import { intParam, jsonParam, type Params } from './http-body.js';
import type { UpdateQueue } from './updates.js';
import type { Waits } from './waits.js';

export const TERMINATED_BY_OTHER_POLL =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
export const WEBHOOK_IS_ACTIVE = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

export interface PollingDeps {
  queue: UpdateQueue;
  waits: Waits;
  webhookActive: () => boolean;
}

interface WaitingPoll {
  wake: AbortController;
  terminated: boolean;
}

export class LongPolling {
  private waiting: WaitingPoll | null = null;

  constructor(private readonly deps: PollingDeps) {}

  /** Ends the waiting poll, if any: it answers 409 (another poll came, or a webhook was set). */
  terminate(): void {
    if (!this.waiting) return;
    this.waiting.terminated = true;
    this.waiting.wake.abort();
    this.waiting = null;
  }

  async getUpdates(params: Params, res: ServerResponse): Promise<ApiAnswer> {
    const { queue, waits, webhookActive } = this.deps;
    if (webhookActive()) return errorAnswer(409, WEBHOOK_IS_ACTIVE);
    this.terminate();
    const allowed = jsonParam(params.allowed_updates);
    if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((t) => typeof t === 'string'))) {
      return errorAnswer(400, "Bad Request: can't parse allowed updates: an array of strings is expected");
    }
    queue.setAllowed(allowed as string[] | undefined);
    queue.confirm(intParam(params.offset, 0));
    const limit = Math.min(100, Math.max(1, intParam(params.limit, 100)));
    const timeoutSeconds = Math.max(0, intParam(params.timeout, 0));
    if (queue.size > 0 || timeoutSeconds === 0) return okAnswer(queue.peek(limit));

    const poll: WaitingPoll = { wake: new AbortController(), terminated: false };
    this.waiting = poll;
    const stopListening = queue.onPush(() => poll.wake.abort());
    try {
      await waits.sleep(timeoutSeconds * 1000, { res, signal: poll.wake.signal });
    } finally {
      stopListening();
      if (this.waiting === poll) this.waiting = null;
    }
    if (webhookActive()) return errorAnswer(409, WEBHOOK_IS_ACTIVE);
    if (poll.terminated) return errorAnswer(409, TERMINATED_BY_OTHER_POLL);
    return okAnswer(queue.peek(limit));
  }
}
