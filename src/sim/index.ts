/**
 * `telegram-resilience/sim`: a local Telegram Bot API simulator for tests and demos.
 *
 * @example
 * const sim = await startSimulator({ clock, faults: { seed: 7, rate: 0.2, kinds: ['500', 'reset_after'] } });
 * const bot = new Bot(sim.token, { client: { apiRoot: sim.apiRoot } });
 * await bot.api.sendMessage(42, 'hi');
 * expect(sim.deliveredTo(42)).toHaveLength(1);
 * await sim.close();
 */
export { startSimulator, DEFAULT_SIM_TOKEN } from './simulator.js';
export type { Simulator, SimulatorOptions, LedgerEntry, RequestLogEntry, RequestOutcome, SimFilter } from './types.js';
export { FAULT_KINDS, DEFAULT_SCHEDULE_KINDS, mulberry32, FaultSchedule } from './faults.js';
export type { FaultKind, FaultMatch, FaultScheduleOptions, FaultDecision } from './faults.js';
export { TELEGRAM_LIMITS, createRateLimitModel, resolveLimits } from './limits.js';
export type { RateLimitOptions, RateLimitModel, LimitDecision, LimitScope, CallCost } from './limits.js';
export { runVirtualBroadcast, referenceBroadcast } from './virtual-broadcast.js';
export type { BroadcastMessage, VirtualSend, VirtualBroadcastOptions, VirtualBroadcastResult } from './virtual-broadcast.js';
