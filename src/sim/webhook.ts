/**
 * Webhooks as Telegram runs them: once `setWebhook` names a URL, pending updates are POSTed there
 * one at a time, in order, as JSON with `X-Telegram-Bot-Api-Secret-Token`. An update stays pending
 * until the webhook answers 2xx; a failure is kept for `getWebhookInfo` and retried after a delay
 * that doubles up to a minute. A 2xx answer may carry a method call (`{ "method": "sendMessage", ... }`),
 * which is run as if the bot had called it (a "webhook reply").
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '../core/clock.js';
import { errorAnswer, type ApiAnswer } from './answers.js';
import { boolParam, intParam, jsonParam, type Params } from './http-body.js';
import type { SimUpdate } from './update-fill.js';
import type { UpdateQueue } from './updates.js';
import type { Waits } from './waits.js';

const MAX_RETRY_MS = 60_000;
const MAX_REPLY_BYTES = 1024 * 1024;

export interface WebhookDeps {
  queue: UpdateQueue;
  waits: Waits;
  clock: Clock;
  /** First retry delay; doubles per failure up to 60 s. */
  retryMs: number;
  /** How long one delivery may take before it counts as failed. */
  timeoutMs: number;
  /** Called when a webhook is set (ends a waiting `getUpdates`). */
  onSet: () => void;
  /** Runs a method the webhook answered with. */
  runReply: (method: string, params: Params) => void;
}

interface WebhookConfig {
  url: URL;
  secretToken: string | undefined;
  maxConnections: number;
}

type Delivery = { ok: true; reply?: { method: string; params: Params } } | { ok: false; error: string };

const answerTrue = (description: string): ApiAnswer => ({ status: 200, body: { ok: true, result: true, description } });

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'Connection refused';
  if (code === 'ECONNRESET') return 'Connection reset by peer';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'Failed to resolve host: Name or service not known';
  return `Connection failed: ${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)}`;
}

export class Webhook {
  private config: WebhookConfig | null = null;
  /** Aborted whenever the webhook changes, so a retry wait ends and the new URL is tried at once. */
  private changed = new AbortController();
  private running = false;
  private lastError: { date: number; message: string } | undefined;

  constructor(private readonly deps: WebhookDeps) {
    deps.queue.onPush(() => this.kick());
  }

  get active(): boolean {
    return this.config !== null;
  }

  set(params: Params): ApiAnswer {
    const urlText = typeof params.url === 'string' ? params.url.trim() : '';
    if (urlText === '') return this.delete(params);
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      return errorAnswer(400, 'Bad Request: bad webhook: Failed to resolve host: Name or service not known');
    }
    // Telegram requires https; the simulator also takes http, so a local test server needs no certificate.
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return errorAnswer(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    const secret = params.secret_token;
    if (secret !== undefined && !(typeof secret === 'string' && /^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
      return errorAnswer(400, 'Bad Request: bad webhook: secret token contains unallowed characters');
    }
    const allowed = jsonParam(params.allowed_updates);
    if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((t) => typeof t === 'string'))) {
      return errorAnswer(400, "Bad Request: can't parse allowed updates: an array of strings is expected");
    }
    if (boolParam(params.drop_pending_updates)) this.deps.queue.clear();
    this.deps.queue.setAllowed(allowed as string[] | undefined);
    const same = this.config?.url.href === url.href && this.config.secretToken === secret;
    this.config = { url, secretToken: secret, maxConnections: Math.min(100, Math.max(1, intParam(params.max_connections, 40))) };
    this.changed.abort();
    this.changed = new AbortController();
    this.deps.onSet();
    this.kick();
    return answerTrue(same ? 'Webhook is already set' : 'Webhook was set');
  }

  delete(params: Params): ApiAnswer {
    if (boolParam(params.drop_pending_updates)) this.deps.queue.clear();
    const wasSet = this.config !== null;
    this.config = null;
    this.lastError = undefined;
    this.changed.abort();
    this.changed = new AbortController();
    return answerTrue(wasSet ? 'Webhook was deleted' : 'Webhook is already deleted');
  }

  info(): ApiAnswer {
    const result: Record<string, unknown> = { url: this.config?.url.href ?? '', has_custom_certificate: false, pending_update_count: this.deps.queue.size };
    if (this.config) result.max_connections = this.config.maxConnections;
    if (this.lastError) {
      result.last_error_date = this.lastError.date;
      result.last_error_message = this.lastError.message;
    }
    const allowed = this.deps.queue.allowedUpdates;
    if (allowed) result.allowed_updates = allowed;
    return { status: 200, body: { ok: true, result } };
  }

  /** Stops delivering: the POST in flight is dropped (`close()`). */
  stop(): void {
    this.changed.abort();
  }

  /** Forgets the last error (the webhook itself stays set). */
  resetErrors(): void {
    this.lastError = undefined;
  }

  /** Starts delivering pending updates, unless already delivering. */
  kick(): void {
    if (this.running || !this.config || this.deps.waits.closed) return;
    this.running = true;
    void this.deliverAll();
  }

  private async deliverAll(): Promise<void> {
    let delay = this.deps.retryMs;
    try {
      while (this.config && !this.deps.waits.closed) {
        const [update] = this.deps.queue.peek(1);
        if (!update) return;
        const config = this.config;
        const changed = this.changed.signal;
        const delivery = await this.post(config, update, changed);
        if (this.config !== config) continue;
        if (delivery.ok) {
          this.deps.queue.remove(update.update_id);
          delay = this.deps.retryMs;
          if (delivery.reply) this.deps.runReply(delivery.reply.method, delivery.reply.params);
          continue;
        }
        this.lastError = { date: Math.floor(this.deps.clock.now() / 1000), message: delivery.error };
        await this.deps.waits.sleep(delay, { signal: changed });
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    } finally {
      this.running = false;
    }
  }

  /** One POST of one update; never rejects. */
  private post(config: WebhookConfig, update: SimUpdate, changed: AbortSignal): Promise<Delivery> {
    const body = JSON.stringify(update);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (config.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = config.secretToken;
    const send = config.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Delivery>((resolve) => {
      const ended = new AbortController();
      const finish = (delivery: Delivery) => {
        ended.abort();
        resolve(delivery);
      };
      const req = send(config.url, { method: 'POST', headers, agent: false }, (res) => this.readAnswer(res, finish));
      req.on('error', (error) => finish({ ok: false, error: describeNetworkError(error) }));
      void this.deps.waits.sleep(this.deps.timeoutMs, { signal: ended.signal }).then((timedOut) => {
        if (!timedOut) return;
        req.destroy();
        finish({ ok: false, error: 'Read timeout expired' });
      });
      changed.addEventListener('abort', () => req.destroy(), { once: true, signal: ended.signal });
      req.end(body);
    });
  }

  private readAnswer(res: IncomingMessage, finish: (delivery: Delivery) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
    });
    res.on('error', (error) => finish({ ok: false, error: describeNetworkError(error) }));
    res.on('end', () => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) return finish({ ok: false, error: `Wrong response from the webhook: ${status} ${res.statusMessage ?? ''}`.trim() });
      let reply: Delivery & { ok: true } = { ok: true };
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof parsed === 'object' && parsed !== null && typeof (parsed as Params).method === 'string') {
          const { method, ...params } = parsed as Params;
          reply = { ok: true, reply: { method: method as string, params } };
        }
      } catch {
        // Any 2xx body counts as delivered; only a JSON method call is a reply.
      }
      finish(reply);
    });
  }
}
