/**
 * Faults as data: the named profiles of `telegram-resilience sim --faults NAME`, the JSON fault file
 * of `--faults FILE`, and the body of `POST /sim/faults`. All are checked strictly: an unknown key or
 * a mistyped value is a TypeError naming it (and the file).
 */
import { readFile } from 'node:fs/promises';
import { FAULT_KINDS, type FaultKind, type FaultMatch, type FaultScheduleOptions } from './faults.js';
import { checkOptions, isOptionsObject, rejectUnknownOptions } from '../core/check-options.js';
import { describeValue, mustBe } from '../core/checks.js';
import { SCHEDULE_CHECKS, validateSimulatorOptions } from './options.js';
import type { Simulator, SimulatorOptions } from './types.js';

/** One queued or standing fault: its kind and the requests it matches. */
export interface FaultSpec extends FaultMatch {
  kind: FaultKind;
}

/** A fault schedule whose `seed` may be left to `--seed` (default 1). */
export type ScheduleSpec = Omit<FaultScheduleOptions, 'seed'> & { seed?: number };

/** What `POST /sim/faults` takes (and a fault file too). Every key is optional. */
export interface FaultPlanSpec {
  /** One-shot faults, appended to the queue in this order. */
  queue?: FaultSpec[];
  /** Replaces every standing fault (`[]` removes them all). */
  standing?: FaultSpec[];
  /** Replaces the seeded schedule; `null` removes it. */
  schedule?: ScheduleSpec | null;
}

/** Start-up options a fault file may also set (those of `startSimulator` that JSON can express). */
type FileSimulatorOptions = Pick<SimulatorOptions, 'limits' | 'strict' | 'migratedGroups' | 'migrateAllGroups' | 'blockedUsers' | 'hangMs' | 'slowMs'>;

/** A JSON fault file: a profile to start from, and anything to add or change. */
export interface FaultFile extends FaultPlanSpec, FileSimulatorOptions {
  profile?: FaultProfileName;
}

export type FaultProfileName = 'flaky' | 'flood' | 'slow' | 'migrations' | 'chaos';

const DELIVERY_METHODS = ['sendMessage', 'sendPhoto', 'sendDocument', 'forwardMessage', 'copyMessage'];

/** The named profiles, with the line `sim --help` and the docs show for each. */
export const FAULT_PROFILES: Readonly<Record<FaultProfileName, { summary: string; file: FaultFile }>> = {
  flaky: {
    summary: '10% of requests fail: 500, 502 HTML page, connection reset before or after processing, truncated JSON',
    file: { schedule: { rate: 0.1, kinds: ['500', '502_html', 'reset_before', 'reset_after', 'bad_json'] } },
  },
  flood: {
    summary: "Telegram's limits without the per-chat burst (--strict), and 10% of sends get a 429 with retry_after 3",
    file: { strict: true, schedule: { rate: 0.1, kinds: ['429'], retryAfter: 3, methods: DELIVERY_METHODS } },
  },
  slow: {
    summary: '20% of requests are answered 3 s late',
    file: { slowMs: 3000, schedule: { rate: 0.2, kinds: ['slow'] } },
  },
  migrations: {
    summary: 'every basic group became a supergroup: calls to group -N answer 400 with migrate_to_chat_id -100000000000N',
    file: { migrateAllGroups: true },
  },
  chaos: {
    summary: 'flaky + flood + migrations, and slow answers: 20% of requests fail in any way but hang',
    file: {
      strict: true,
      migrateAllGroups: true,
      slowMs: 2000,
      schedule: { rate: 0.2, kinds: ['500', '502_html', 'reset_before', 'reset_after', 'bad_json', '429', 'slow'], retryAfter: 2 },
    },
  },
};

const FAULT_SPEC_CHECKS = {
  kind: (v: unknown) => (FAULT_KINDS.includes(v as FaultKind) ? undefined : `one of ${FAULT_KINDS.join(', ')}`),
  method: (v: unknown) => (typeof v === 'string' ? undefined : 'a method name'),
  chatId: (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? undefined : 'a chat id'),
  retryAfter: SCHEDULE_CHECKS.retryAfter,
};

function checkFaultList(where: string, key: string, value: unknown): FaultSpec[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${mustBe(key, 'an array of faults like { "kind": "500", "method": "sendMessage" }', describeValue(value))}`);
  return value.map((fault, i) => {
    if (!isOptionsObject(fault)) throw new TypeError(`${where}: ${mustBe(`${key}[${i}]`, 'an object with a "kind"', describeValue(fault))}`);
    checkOptions(where, fault, FAULT_SPEC_CHECKS, { prefix: `${key}[${i}].`, required: ['kind'] });
    return { ...fault } as unknown as FaultSpec;
  });
}

/** Checks a fault plan (the body of `POST /sim/faults`); `extraKeys` are allowed and left to the caller. */
export function parseFaultPlan(where: string, value: unknown, extraKeys: readonly string[] = []): FaultPlanSpec & Record<string, unknown> {
  if (!isOptionsObject(value)) throw new TypeError(`${where}: expected a JSON object like { "queue": [{ "kind": "500" }] }`);
  const plan: FaultPlanSpec & Record<string, unknown> = {};
  // The values are checked below (and the extra keys by the caller).
  rejectUnknownOptions(where, value, ['queue', 'standing', 'schedule', ...extraKeys]);
  for (const key of extraKeys) if (value[key] !== undefined) plan[key] = value[key];
  if (value.queue !== undefined) plan.queue = checkFaultList(where, 'queue', value.queue);
  if (value.standing !== undefined) plan.standing = checkFaultList(where, 'standing', value.standing);
  if (value.schedule === null) plan.schedule = null;
  else if (value.schedule !== undefined) {
    if (!isOptionsObject(value.schedule)) {
      throw new TypeError(`${where}: ${mustBe('schedule', 'an object { rate, kinds?, methods?, retryAfter?, seed? } or null', describeValue(value.schedule))}`);
    }
    checkOptions(where, value.schedule, SCHEDULE_CHECKS, { prefix: 'schedule.', required: ['rate'] });
    plan.schedule = { ...value.schedule } as unknown as ScheduleSpec;
  }
  return plan;
}

const FILE_OPTION_KEYS = ['profile', 'limits', 'strict', 'migratedGroups', 'migrateAllGroups', 'blockedUsers', 'hangMs', 'slowMs'];

/** Checks a fault file's content; `where` names the file in errors. */
export function parseFaultFile(where: string, value: unknown): FaultFile {
  const file = parseFaultPlan(where, value, FILE_OPTION_KEYS);
  if (file.profile !== undefined && !Object.hasOwn(FAULT_PROFILES, file.profile as string)) {
    throw new TypeError(`${where}: ${mustBe('profile', `one of ${Object.keys(FAULT_PROFILES).join(', ')}`, describeValue(file.profile))}`);
  }
  const { profile: _profile, queue: _queue, standing: _standing, schedule: _schedule, ...options } = file;
  try {
    validateSimulatorOptions(options);
  } catch (error) {
    throw new TypeError(`${where}: ${(error as Error).message.replace(/^startSimulator: /, '')}`);
  }
  return file as FaultFile;
}

/** What a profile or a fault file means: options for `startSimulator`, and faults to plan once it runs. */
export interface FaultSetup {
  options: SimulatorOptions;
  plan: FaultPlanSpec;
}

/** A profile's file with a user's file over it (key by key); the schedule gets `seed` unless it has one. */
export function resolveFaultFile(file: FaultFile, seed: number): FaultSetup {
  const base = file.profile ? FAULT_PROFILES[file.profile].file : {};
  const { profile: _profile, queue, standing, schedule, ...options } = { ...base, ...file };
  const plan: FaultPlanSpec = {};
  if (queue) plan.queue = queue;
  if (standing) plan.standing = standing;
  const resolved: SimulatorOptions = { ...options };
  if (schedule) resolved.faults = { seed, ...schedule };
  return { options: resolved, plan };
}

/** `--faults PROFILE|FILE`: a profile name, else the path of a JSON fault file. */
export async function loadFaultSetup(profileOrPath: string, seed: number): Promise<FaultSetup> {
  if (Object.hasOwn(FAULT_PROFILES, profileOrPath)) return resolveFaultFile({ profile: profileOrPath as FaultProfileName }, seed);
  let text: string;
  try {
    text = await readFile(profileOrPath, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new TypeError(
      `--faults ${JSON.stringify(profileOrPath)} is neither a profile (${Object.keys(FAULT_PROFILES).join(', ')}) nor a readable file (${code === 'ENOENT' ? 'no such file' : String(code)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${profileOrPath}: not valid JSON (${(error as Error).message})`);
  }
  return resolveFaultFile(parseFaultFile(profileOrPath, json), seed);
}

/** Applies a checked plan to a running simulator: queue appends, standing and schedule replace. */
export function applyFaultPlan(sim: Simulator, plan: FaultPlanSpec, seed: number): void {
  for (const { kind, ...match } of plan.queue ?? []) sim.queueFault(kind, match);
  if (plan.standing) {
    sim.setFault(null);
    for (const { kind, ...match } of plan.standing) sim.addFault(kind, match);
  }
  if (plan.schedule === null) sim.setFaultSchedule(null);
  else if (plan.schedule) sim.setFaultSchedule({ seed, ...plan.schedule });
}
