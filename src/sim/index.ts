/**
 * `telegram-resilience/sim`: a local Telegram Bot API simulator for tests and demos; real bots can
 * run against it (long polling, webhooks, pushed updates), also from other languages via `/sim/`.
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
export type { FaultKind, FaultMatch, FaultScheduleOptions, FaultDecision, PlannedFault } from './faults.js';
export { FAULT_PROFILES, parseFaultFile, parseFaultPlan, resolveFaultFile, loadFaultSetup, applyFaultPlan } from './fault-profiles.js';
export type { FaultSpec, ScheduleSpec, FaultPlanSpec, FaultFile, FaultProfileName, FaultSetup } from './fault-profiles.js';
export { UPDATE_TYPES } from './update-fill.js';
export type { SimUpdate, UpdateType } from './update-fill.js';
export { OPT_IN_UPDATE_TYPES } from './updates.js';
export { TELEGRAM_LIMITS, createRateLimitModel, resolveLimits } from './limits.js';
export type { RateLimitOptions, RateLimitModel, LimitDecision, LimitScope, CallCost } from './limits.js';
export { runVirtualBroadcast, referenceBroadcast } from './virtual-broadcast.js';
export type { BroadcastMessage, VirtualSend, VirtualBroadcastOptions, VirtualBroadcastResult } from './virtual-broadcast.js';
export { createStalledClock, stallsBetween } from './stalls.js';
export type { Stall, StallSchedule } from './stalls.js';
