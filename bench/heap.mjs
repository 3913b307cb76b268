/**
 * Memory for a broadcast to 100,000 distinct chats with one paced message each in flight through the
 * throttle. A manual clock keeps everything queued (nothing is sent until the bench moves time), so
 * the heap is measured with all 100,000 calls waiting; then time runs until all are sent, and past
 * the idle-chat TTL so that the per-chat state can be freed.
 *
 * Peer: a bottleneck 2.19.5 `Bottleneck.Group` with one key per chat (the usual way to get per-chat
 * limits out of bottleneck), each key with one job queued (`reservoir: 0` keeps it from running).
 * Bottleneck needs ~0.3 ms of CPU and ~6 KB per key, so the peer is measured on
 * BENCH_HEAP_PEER_KEYS keys (default 20,000) and scaled linearly to 100,000: every key is an
 * independent limiter, so its cost per key does not depend on how many there are.
 *
 * The caller's call parameters exist before the baseline for both, so neither is charged for them.
 */
import Bottleneck from 'bottleneck';
import { heapUsedMB, loadBuilt, loadBuiltIfPresent, report, round } from './common.mjs';

const { createResilience, createManualClock } = await loadBuilt('index.js');

const CHATS = 100_000;
const PEER_KEYS = Number(process.env.BENCH_HEAP_PEER_KEYS ?? 20_000);
const TARGET_MB = 64;
const IDLE_CHAT_TTL_MS = 61_000;

// Held on globalThis: module-level values that the code no longer reads may be collected early,
// which would make the queued state look smaller than it is.
const hold = (globalThis.__benchHold = {});
hold.infos = Array.from({ length: CHATS }, (_, i) => ({
  method: 'sendMessage',
  params: { chat_id: 1_000_000 + i, text: `news #${i}` },
}));

const send = async () => ({ message_id: 1 });
const ticks = async (n) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

async function measureEngine() {
  const base = await heapUsedMB();
  // Started at a real epoch time, as the system clock would be: times that large are not small integers.
  const clock = (hold.clock = createManualClock(Date.now()));
  const resilience = (hold.resilience = createResilience({ clock, throttle: { idleChatTtlMs: IDLE_CHAT_TTL_MS } }));
  const calls = (hold.calls = hold.infos.map((info) => resilience.call(send, info)));
  // Each call reaches the limiter after a microtask or two (the chat-id store lookup is async).
  await ticks(5);
  const queuedMB = (await heapUsedMB()) - base;

  const started = Date.now();
  await clock.run(Promise.all(calls), 10_000_000);
  const drainRealMs = Date.now() - started;
  const virtualSeconds = clock.now() / 1000;
  hold.calls = undefined;
  calls.length = 0;
  const drainedMB = (await heapUsedMB()) - base;

  await clock.advance(IDLE_CHAT_TTL_MS + 1);
  const afterTtlMB = (await heapUsedMB()) - base;
  // Idle chats are swept when the scheduler is next asked for a slot.
  await clock.run(resilience.call(send, { method: 'sendMessage', params: { chat_id: 42, text: 'next' } }));
  const afterNextCallMB = (await heapUsedMB()) - base;
  await resilience.close();
  hold.resilience = hold.clock = undefined;
  return { queuedMB, drainedMB, afterTtlMB, afterNextCallMB, drainRealMs, virtualSeconds };
}

/**
 * `trackedChats` is not on the public API; the scheduler's own module has it. Checked on 10,000 chats
 * (it is a count, not a measurement) to show when idle chats are freed. Skipped if the internal
 * module moved.
 */
async function trackedChatsCheck() {
  const modules = await Promise.all(['limits/scheduler.js', 'limits/flood-gates.js', 'limits/throttle-options.js'].map(loadBuiltIfPresent));
  const [{ PacingScheduler }, { FloodGates }, { resolveThrottle }] = modules.map((m) => m ?? {});
  if (!PacingScheduler || !FloodGates || !resolveThrottle) return undefined;
  const clock = createManualClock();
  const limits = resolveThrottle('bench', { idleChatTtlMs: IDLE_CHAT_TTL_MS });
  const scheduler = new PacingScheduler(clock, limits, new FloodGates(clock));
  const n = 10_000;
  const acquire = (id) =>
    scheduler.acquire({ chat: { key: `chat:${id}`, kind: 'private' }, paid: false, method: 'sendMessage', signal: undefined });
  const waits = Array.from({ length: n }, (_, i) => acquire(3_000_000 + i));
  const queued = scheduler.trackedChats;
  await clock.run(Promise.all(waits), 10_000_000);
  const drained = scheduler.trackedChats;
  await clock.advance(IDLE_CHAT_TTL_MS + 1);
  const afterTtl = scheduler.trackedChats;
  await clock.run(Promise.resolve(acquire(42)));
  const afterNextCall = scheduler.trackedChats;
  scheduler.close();
  return { chats: n, queued, drained, afterTtl, afterNextCall };
}

/**
 * Where the engine's bytes go, for whoever works on them: 100,000 calls in flight without throttle
 * (each waiting inside fn: the engine's own per-call cost), and the scheduler alone with 100,000
 * chats queued, each with a bare job object (internal module; skipped if it moved).
 */
async function breakdown() {
  let base = await heapUsedMB();
  let release;
  hold.inFlight = new Promise((resolve) => (release = resolve));
  const plain = (hold.plain = createResilience());
  hold.calls = hold.infos.map((info) => plain.call(() => hold.inFlight, info));
  await ticks(5);
  const engineInFlightMB = (await heapUsedMB()) - base;
  release({ message_id: 1 });
  await Promise.all(hold.calls);
  await plain.close();
  hold.calls = hold.plain = hold.inFlight = undefined;

  const [{ PacingScheduler }, { FloodGates }, { resolveThrottle }] = (
    await Promise.all(['limits/scheduler.js', 'limits/flood-gates.js', 'limits/throttle-options.js'].map(loadBuiltIfPresent))
  ).map((m) => m ?? {});
  if (!PacingScheduler) return { engineInFlightMB };
  const scopes = (hold.scopes = hold.infos.map((info) => ({ key: `chat:${info.params.chat_id}`, kind: 'private' })));
  base = await heapUsedMB();
  const clock = createManualClock();
  const scheduler = (hold.scheduler = new PacingScheduler(clock, resolveThrottle('bench', true), new FloodGates(clock)));
  // Bare jobs (the fields the scheduler sets, nothing else): what the scheduler itself keeps per chat.
  hold.jobs = scopes.map((chat) => {
    const job = new BareJob();
    scheduler.admit(job, chat);
    return job;
  });
  const schedulerOnlyMB = (await heapUsedMB()) - base;
  scheduler.close();
  hold.jobs = hold.scheduler = hold.scopes = undefined;
  return { engineInFlightMB, schedulerOnlyMB };
}

/** A paced call as the scheduler sees it, and nothing more. */
class BareJob {
  seq = 0;
  queuedAt = 0;
  next = undefined;
  chat = undefined;
  onAbort = undefined;
  paid = false;
  method = 'sendMessage';
  signal = undefined;
  proceed() {}
  refuse() {}
}

async function measureBottleneck() {
  const base = await heapUsedMB();
  const group = (hold.group = new Bottleneck.Group({ maxConcurrent: 1, minTime: 1000, reservoir: 0 }));
  let queued = 0;
  let allQueued;
  const everyJobQueued = new Promise((resolve) => (allQueued = resolve));
  group.on('created', (limiter) => limiter.on('queued', () => ++queued === PEER_KEYS && allQueued()));
  const started = Date.now();
  const jobs = (hold.jobs = []);
  for (let i = 0; i < PEER_KEYS; i++) {
    const info = hold.infos[i];
    jobs.push(group.key(String(info.params.chat_id)).schedule(send, info.params));
  }
  await everyJobQueued;
  const enqueueRealMs = Date.now() - started;
  const queuedMB = (await heapUsedMB()) - base;
  await group.disconnect();
  for (const job of jobs) job.catch(() => {});
  hold.jobs = hold.group = undefined;
  return { queuedMB, enqueueRealMs, keys: PEER_KEYS };
}

const engine = await measureEngine();
const tracked = await trackedChatsCheck();
const parts = await breakdown();
const peer = await measureBottleneck();
const peerPerKeyKB = (peer.queuedMB * 1024) / peer.keys;
const peerScaledMB = (peer.queuedMB * CHATS) / peer.keys;

const result = {
  bench: 'heap',
  chats: CHATS,
  engineQueuedMB: round(engine.queuedMB, 1),
  engineBytesPerQueuedCall: Math.round((engine.queuedMB * 1024 * 1024) / CHATS),
  engineTargetMB: TARGET_MB,
  engineTargetMet: engine.queuedMB < TARGET_MB,
  engineDrainedMB: round(engine.drainedMB, 1),
  engineAfterIdleTtlMB: round(engine.afterTtlMB, 1),
  engineAfterNextCallMB: round(engine.afterNextCallMB, 1),
  engineDrainVirtualSeconds: round(engine.virtualSeconds, 0),
  engineDrainRealMs: engine.drainRealMs,
  trackedChats: tracked ?? 'not reachable',
  breakdownEngineNoThrottleInFlightMB: round(parts.engineInFlightMB, 1),
  breakdownSchedulerOnlyMB: parts.schedulerOnlyMB === undefined ? 'not reachable' : round(parts.schedulerOnlyMB, 1),
  bottleneckKeysMeasured: peer.keys,
  bottleneckQueuedMB: round(peer.queuedMB, 1),
  bottleneckPerKeyKB: round(peerPerKeyKB, 2),
  bottleneckQueuedMBScaledTo100k: round(peerScaledMB, 0),
  ratioBottleneckToEngine: round(peerScaledMB / engine.queuedMB, 1),
};
report(
  result,
  `heap: engine ${result.engineQueuedMB} MB for ${CHATS} queued (${result.engineBytesPerQueuedCall} B/call; target < ${TARGET_MB} MB: ` +
    `${result.engineTargetMet ? 'met' : 'MISSED'}), ${result.engineDrainedMB} MB after drain, ${result.engineAfterIdleTtlMB} MB past the idle TTL, ` +
    `${result.engineAfterNextCallMB} MB after the next paced call` +
    (tracked ? `; trackedChats ${tracked.queued} -> ${tracked.drained} -> ${tracked.afterTtl} -> ${tracked.afterNextCall} (of ${tracked.chats})` : '') +
    `; of which: engine per call without throttle ${result.breakdownEngineNoThrottleInFlightMB} MB, scheduler alone ${result.breakdownSchedulerOnlyMB} MB` +
    `; bottleneck Group ${result.bottleneckPerKeyKB} KB/key (${peer.keys} keys), ~${result.bottleneckQueuedMBScaledTo100k} MB at 100k, ` +
    `${result.ratioBottleneckToEngine}x the engine`,
);
