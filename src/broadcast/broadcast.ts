/**
 * `broadcast()`: one message to many chats, with a journal that makes it safe to kill and rerun.
 *
 * The loop keeps at most `maxInFlight` requests going. Whenever a quarter of them is free it reads
 * that many recipients from the stream and claims them in one journal commit ("sending" is durable
 * before any of them leaves), then sends them all; outcomes are committed in batches every 20 ms.
 */
import { setMaxListeners } from 'node:events';
import { parseChatId } from './chat-id.js';
import type { ChatId, ClaimResult, Outcome } from './journal.js';
import { resolveOptions, type ResolvedBroadcast } from './options.js';
import { failedOutcome, interruptedOutcome, sentOutcome } from './outcome.js';
import { Tally } from './tally.js';
import type { BroadcastOptions, BroadcastReport } from './types.js';

const FLUSH_EVERY_MS = 20;
const PROGRESS_EVERY_MS = 100;

type Next = () => Promise<IteratorResult<unknown>> | IteratorResult<unknown>;

function readerOf(recipients: ResolvedBroadcast['recipients']): Next {
  const source = recipients as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
  const asyncIterator = source[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') {
    const iterator = asyncIterator.call(source);
    return () => iterator.next();
  }
  const iterator = (source as Iterable<unknown>)[Symbol.iterator]();
  return () => iterator.next();
}

/** Sends `message` to every recipient once, and tells exactly what happened to each. */
export async function broadcast(options: BroadcastOptions): Promise<BroadcastReport> {
  const o = resolveOptions(options);
  const now = () => Date.now();
  const tally = new Tally(now(), o.paid);
  const next = readerOf(o.recipients);
  const rules = { resendUncertain: o.resendUncertain, retryFailed: o.retryFailed };
  /** Aborts the requests still in flight when the stop's grace period ends. */
  const cutOff = new AbortController();
  setMaxListeners(0, cutOff.signal); // every request in flight listens to it
  const inFlight = new Map<number, ChatId>();
  let sequence = 0;
  let exhausted = false;
  let read = 0;
  let stopped = o.signal?.aborted ?? false;
  let badInput: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const sleepUntilNotified = () => new Promise<void>((resolve) => (wake = resolve));
  /**
   * Ends the read in progress at the stop, so a stream waiting for input (stdin) cannot hold the
   * stop up. One closure per read, not a reaction per read on a long-lived promise (that would
   * keep one per recipient until the end: a million of them).
   */
  let endRead: ((value: 'stop') => void) | undefined;
  const readNext = () =>
    new Promise<IteratorResult<unknown> | 'stop'>((resolve, reject) => {
      endRead = resolve;
      Promise.resolve(next()).then(resolve, reject);
    }).finally(() => (endRead = undefined));
  const onStop = () => {
    stopped = true;
    endRead?.('stop');
    notify();
  };
  o.signal?.addEventListener('abort', onStop, { once: true });
  const unlisten = o.resilience?.onFloodWait(() => tally.floodWaits++);

  // Outcomes wait here for the next batch commit; migrated chats wait to be claimed again.
  let buffered: Outcome[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushTimer: NodeJS.Timeout | undefined;
  const reclaim: ChatId[] = [];
  const flush = (): Promise<void> => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (buffered.length === 0) return flushing;
    const batch = buffered;
    buffered = [];
    flushing = flushing.then(() => o.journal.record(batch));
    return flushing;
  };
  let lastProgress = 0;
  const progress = (force: boolean) => {
    if (!o.onProgress || (!force && now() - lastProgress < PROGRESS_EVERY_MS)) return;
    lastProgress = now();
    try {
      o.onProgress(tally.progress(lastProgress));
    } catch (error) {
      // A listener's bug must not lose an outcome: it is reported, and the broadcast goes on.
      process.emitWarning(`telegram-resilience broadcast: onProgress threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const settle = (id: number, outcome: Outcome) => {
    inFlight.delete(id);
    tally.inFlight = inFlight.size;
    buffered.push(outcome);
    if (outcome.state === 'migrated') reclaim.push(outcome.chatId);
    else if (outcome.state !== 'pending') tally.outcome(outcome);
    flushTimer ??= setTimeout(() => void flush().catch(() => undefined), FLUSH_EVERY_MS);
    progress(false);
    notify();
  };

  const send = (chatId: ChatId, target: ChatId) => {
    const id = ++sequence;
    inFlight.set(id, chatId);
    tally.inFlight = inFlight.size;
    tally.requests++;
    let params: Record<string, unknown>;
    try {
      params = { ...o.paramsFor(chatId), chat_id: target, ...(o.paid && { allow_paid_broadcast: true }) };
    } catch (error) {
      const description = `the message function threw: ${error instanceof Error ? error.message : String(error)}`;
      return settle(id, { chatId, state: 'failed', kind: 'message', description, retryable: false });
    }
    Promise.resolve()
      .then(() => o.api.call(o.method, params, { signal: cutOff.signal }))
      .then(
        (result) => settle(id, sentOutcome(chatId, target, result)),
        (error: unknown) =>
          settle(id, cutOff.signal.aborted && error === cutOff.signal.reason ? interruptedOutcome(chatId) : failedOutcome(chatId, target, error)),
      );
  };

  /** Up to `count` recipients: migrated chats first, then the stream. Stops at the first invalid one. */
  const take = async (count: number): Promise<ChatId[]> => {
    const batch = reclaim.splice(0, count);
    while (batch.length < count && !exhausted && !stopped) {
      const item = await readNext();
      if (item === 'stop') break;
      if (item.done) {
        exhausted = true;
        break;
      }
      read++;
      const chatId = parseChatId(item.value);
      if (chatId === undefined) {
        badInput = new TypeError(`broadcast: recipient #${read} is not a chat id (a non-zero integer or "@username"): ${JSON.stringify(item.value)}`);
        stopped = true;
        break;
      }
      batch.push(chatId);
    }
    return batch;
  };

  try {
    await o.journal.open({ fingerprint: o.fingerprint, method: o.method });
    const chunk = Math.max(1, Math.floor(o.maxInFlight / 4));
    while (!stopped) {
      const free = o.maxInFlight - inFlight.size;
      if (free < chunk && inFlight.size > 0) {
        await sleepUntilNotified();
        continue;
      }
      const batch = await take(free);
      if (batch.length === 0) {
        if (exhausted && inFlight.size === 0 && reclaim.length === 0) break;
        if (!stopped) await sleepUntilNotified();
        continue;
      }
      await flush(); // a migrated chat's new target must be in the journal before it is claimed again
      const claims: ClaimResult[] = await o.journal.claim(batch, rules);
      for (const claim of claims) {
        if (claim.claim === 'duplicate') continue;
        if (claim.claim === 'done') tally.earlier(claim.record);
        else if (stopped) buffered.push({ chatId: claim.chatId, state: 'pending' }); // claimed, never sent
        else send(claim.chatId, claim.target);
      }
      progress(false);
    }
    // Stopped or done: the requests in flight finish, or are cut off after the grace period.
    const grace = setTimeout(() => cutOff.abort(new Error('telegram-resilience: broadcast stopped')), badInput ? 2 ** 31 - 1 : o.stopGraceMs);
    while (inFlight.size > 0) await sleepUntilNotified();
    clearTimeout(grace);
    await flush();
  } finally {
    clearTimeout(flushTimer);
    o.signal?.removeEventListener('abort', onStop);
    unlisten?.();
    await flushing.catch(() => undefined);
    await o.journal.close();
  }
  if (badInput) throw badInput;
  progress(true);
  return tally.report(now());
}
