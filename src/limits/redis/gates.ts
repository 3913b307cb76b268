/**
 * Flood gates shared through Redis. A gate is a field of one hash (scope -> when it opens, in Redis
 * time); the hash expires with its latest gate and readers skip fields that have opened, so a gate
 * opens on time even when the process that closed it died. Closing a gate also publishes it, and
 * every process's subscriber (a second connection, `client.duplicate()`) hands it to the limiter.
 */
import { ClosedError } from '../../errors/closed-error.js';
import { assertUp, type ConnectionState } from './connection.js';
import type { RedisKeys } from './keys.js';
import type { ScriptClient } from './scripts.js';

export type GateHandler = (scope: string, openAtEpochMs: number) => void;

export async function closeGate(client: ScriptClient & ConnectionState, keys: RedisKeys, scope: string, openAtEpochMs: number): Promise<void> {
  const ms = Math.ceil(openAtEpochMs - Date.now());
  if (!(ms > 0)) return;
  assertUp(client);
  await client.telegramResilienceCloseGateV1(keys.gates, scope, String(ms), keys.gateChannel);
}

/** Gates still closed: scope -> epoch ms (this machine's clock) at which it opens. */
export async function openGates(client: ScriptClient & ConnectionState, keys: RedisKeys): Promise<Record<string, number>> {
  assertUp(client);
  const flat = await client.telegramResilienceOpenGatesV1(keys.gates);
  const now = Date.now();
  const gates: Record<string, number> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) gates[flat[i]!] = now + Number(flat[i + 1]);
  return gates;
}

/** A gate announcement: `{ scope, ms }` (ms from when it was published). Anything else is ignored. */
export function parseGateMessage(message: string): { scope: string; ms: number } | undefined {
  try {
    const value = JSON.parse(message) as { scope?: unknown; ms?: unknown };
    if (typeof value.scope === 'string' && typeof value.ms === 'number' && Number.isFinite(value.ms)) {
      return { scope: value.scope, ms: value.ms };
    }
  } catch {
    // not ours
  }
  return undefined;
}

/** The part of an ioredis connection the subscriber uses. */
export interface SubscriberConnection extends ConnectionState {
  subscribe(channel: string): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** When the subscriber's connection does not answer QUIT, it is dropped after this long. */
const QUIT_TIMEOUT_MS = 200;

/**
 * The subscriber connection. Made once, on the first `start()`; a `start()` while it is still
 * connecting waits for the same subscription (no new listeners, no new connection). It reconnects
 * the way the user's client does (its options are copied), and after a reconnect it reads the gates
 * again, since announcements made while it was away are lost.
 */
export class GateSubscriber {
  private connection: SubscriberConnection | undefined;
  private subscribed: Promise<void> | undefined;
  private onGate: GateHandler = () => {};
  private wasReady = false;
  private closed = false;
  /** The last error of the subscriber connection (it must have an error listener, or ioredis logs each one). */
  lastError: unknown;

  constructor(
    private readonly makeConnection: () => SubscriberConnection,
    private readonly channel: string,
    private readonly resync: () => Promise<Record<string, number>>,
  ) {}

  start(onGate: GateHandler): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('redisBackend: start() after close()'));
    this.onGate = onGate;
    if (this.connection?.status === 'end') this.drop();
    if (!this.subscribed) {
      // A connection whose SUBSCRIBE failed is replaced, never kept alongside a new one.
      this.drop()?.disconnect();
      this.subscribed = this.subscribe();
    }
    return this.subscribed;
  }

  private subscribe(): Promise<void> {
    const connection = this.makeConnection();
    this.connection = connection;
    this.wasReady = false;
    connection.on('error', (error: unknown) => {
      this.lastError = error;
    });
    connection.on('message', (channel: string, message: string) => {
      if (channel !== this.channel || this.closed) return;
      const gate = parseGateMessage(message);
      if (gate) this.deliver(gate.scope, Date.now() + gate.ms);
    });
    connection.on('ready', () => {
      if (this.wasReady) this.readGatesAgain();
      this.wasReady = true;
    });
    const subscribed = connection.subscribe(this.channel).then(
      () => undefined,
      (error: unknown) => {
        // The connection ended for good (closed, or the retry strategy gave up): the next start() makes a new one.
        if (this.subscribed === subscribed) this.subscribed = undefined;
        throw error;
      },
    );
    subscribed.catch(() => {});
    return subscribed;
  }

  private readGatesAgain(): void {
    this.resync().then(
      (gates) => {
        if (this.closed) return;
        for (const [scope, openAt] of Object.entries(gates)) this.deliver(scope, openAt);
      },
      (error: unknown) => {
        this.lastError = error;
      },
    );
  }

  /** A throwing handler must not break ioredis's reply parsing (it runs inside its event). */
  private deliver(scope: string, openAt: number): void {
    try {
      this.onGate(scope, openAt);
    } catch (error) {
      this.lastError = error;
    }
  }

  /** Forgets the connection (its listeners go with it); does not wait. */
  private drop(): SubscriberConnection | undefined {
    const connection = this.connection;
    this.connection = undefined;
    this.subscribed = undefined;
    connection?.removeAllListeners('message');
    connection?.removeAllListeners('ready');
    return connection;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const connection = this.drop();
    if (!connection) return;
    if (connection.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        connection.quit().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    // Also stops a reconnect that is pending; harmless after a clean QUIT. The error listener stays,
    // so a late socket error is not logged as unhandled.
    connection.disconnect();
  }
}
