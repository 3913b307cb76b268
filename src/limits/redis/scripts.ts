/**
 * The Lua scripts: each runs atomically in Redis, so processes that book slots or close gates at
 * the same moment never see each other half-done.
 *
 * Time inside the scripts is Redis's own (`TIME`): every process, on any machine, books against one
 * clock. The scripts answer in durations ("in 140 ms"), which each process adds to its own
 * `Date.now()`, so a machine whose clock is off by seconds still sends on time. (Lua numbers are
 * doubles: epoch milliseconds are exact in them.)
 */

/** Redis < 5 replicates scripts verbatim and forbids writes after `TIME` unless asked not to. */
const PRELUDE = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function fmt(x) return string.format('%.0f', x) end
local function fmt3(x) return string.format('%.3f', x) end
`;

/**
 * Books one message.
 * KEYS: 1 bot-wide tail, 2 bot-wide "later" set, 3 the chat's key (or an unused one), 4 the gates hash.
 * ARGV: 1 bot-wide interval ms, 2 chat kind (`private`, `group` or empty), 3 the chat's interval ms
 * (private) or messages per window (group), 4 the group window ms, 5 the chat's gate scope (or empty),
 * 6 the deadline (Redis epoch ms, or empty: none).
 * Returns { slot, now } as strings (Redis epoch ms), or { 'late', now } past the deadline.
 *
 * The deadline is when the caller stops waiting for the answer (its timeout). A script that runs
 * later (Redis was paused, SIGSTOP or a long fork, with the command already on the socket) books
 * nothing: a slot booked then would be held for a message that went on local limits long ago, and
 * every such slot pushes the next real ones later.
 *
 * The chat's own limit and the open flood gates give the earliest time `want` the message may go;
 * then a bot-wide slot at or after `want` is taken. Bot-wide slots are at least `interval` apart
 * (GCRA: the tail holds the next free slot). A message that its chat holds back past the tail gets
 * a slot of its own in the "later" set instead of pushing the tail, so one slow chat never stalls
 * the whole bot; slots taken from the tail step over those. Slots in a chat only move forward, so
 * a chat's messages keep their order.
 */
export const RESERVE_LUA = `${PRELUDE}
local deadline = tonumber(ARGV[6])
if deadline and now > deadline then return { 'late', fmt(now) } end
local interval = tonumber(ARGV[1])
local kind = ARGV[2]
local chatLimit = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local chatGate = ARGV[5]

local want = now
local gates = redis.call('HMGET', KEYS[4], 'bot', chatGate ~= '' and chatGate or 'bot')
for i = 1, 2 do
  local at = tonumber(gates[i])
  if at and at > want then want = at end
end

local groupMax = 0
if kind == 'private' then
  local nextAt = tonumber(redis.call('GET', KEYS[3]))
  if nextAt and nextAt > want then want = nextAt end
elseif kind == 'group' then
  groupMax = math.max(1, math.floor(chatLimit))
  local n = redis.call('LLEN', KEYS[3])
  if n > 0 then
    local last = tonumber(redis.call('LINDEX', KEYS[3], -1))
    if last > want then want = last end
    if n >= groupMax then
      local oldest = tonumber(redis.call('LINDEX', KEYS[3], n - groupMax))
      if oldest + window > want then want = oldest + window end
    end
  end
end

-- The first slot at or after s that keeps interval from every slot in the later set.
local function place(s)
  while true do
    local hit = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. fmt(s - interval), '+inf', 'LIMIT', 0, 1)
    if #hit == 0 then return s end
    local r = tonumber(hit[1])
    if r >= s + interval then return s end
    s = r + interval
  end
end

local tail = tonumber(redis.call('GET', KEYS[1])) or 0
local base = math.max(tail, now)
local slot
if want <= base + interval then
  slot = place(math.max(base, want))
  local newTail = slot + interval
  -- Fractions of a ms kept: at 1,000/s plus a margin the interval is 1.05 ms, not 1.
  redis.call('SET', KEYS[1], fmt3(newTail), 'PX', fmt(math.max(1, newTail - now)))
  -- Slots before the tail were stepped over: the tail never goes back, so they are done with.
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. fmt(newTail))
else
  slot = place(want)
  redis.call('ZADD', KEYS[2], fmt(slot), fmt(slot))
end
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if #last > 0 then redis.call('PEXPIRE', KEYS[2], fmt(math.max(1, tonumber(last[2]) - now))) end

-- Each key lives only as long as it can still hold a message back.
if kind == 'private' then
  local nextAt = slot + chatLimit
  redis.call('SET', KEYS[3], fmt(nextAt), 'PX', fmt(nextAt - now))
elseif kind == 'group' then
  redis.call('RPUSH', KEYS[3], fmt(slot))
  redis.call('LTRIM', KEYS[3], -groupMax, -1)
  redis.call('PEXPIRE', KEYS[3], fmt(slot + window - now))
end
return { fmt(slot), fmt(now) }
`;

/**
 * Closes a gate for `ms` from now, unless it is already closed for longer; drops opened gates,
 * keeps the hash alive exactly as long as its latest gate, and announces the gate.
 * KEYS: 1 the gates hash. ARGV: 1 scope, 2 ms from now (integer > 0), 3 channel.
 * Returns 1 when the gate moved, else 0.
 */
export const CLOSE_GATE_LUA = `${PRELUDE}
local ms = tonumber(ARGV[2])
local openAt = now + ms
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
if current >= openAt then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], fmt(openAt))
local latest = openAt
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local at = tonumber(all[i + 1]) or 0
  if at <= now then redis.call('HDEL', KEYS[1], all[i]) elseif at > latest then latest = at end
end
redis.call('PEXPIRE', KEYS[1], fmt(latest - now))
redis.call('PUBLISH', ARGV[3], cjson.encode({ scope = ARGV[1], ms = ms }))
return 1
`;

/**
 * The gates still closed, as a flat list scope, ms-until-open, scope, ms, ...
 * KEYS: 1 the gates hash.
 */
export const OPEN_GATES_LUA = `${PRELUDE}
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local at = tonumber(all[i + 1]) or 0
  if at > now then
    out[#out + 1] = all[i]
    out[#out + 1] = fmt(at - now)
  end
end
return out
`;

/** Names the scripts get on the user's client (`defineCommand`): versioned, so two copies of this package never clash. */
export const COMMANDS = {
  reserve: 'telegramResilienceReserveV2',
  closeGate: 'telegramResilienceCloseGateV1',
  openGates: 'telegramResilienceOpenGatesV1',
} as const;

/** A client with our scripts defined: ioredis runs them with EVALSHA, and EVAL once when Redis lacks them. */
export interface ScriptClient {
  telegramResilienceReserveV2(...args: string[]): Promise<[string, string]>;
  telegramResilienceCloseGateV1(...args: string[]): Promise<number>;
  telegramResilienceOpenGatesV1(...args: string[]): Promise<string[]>;
}

interface Definer {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
}

/** Defines the scripts on `client` (no I/O; the same definitions again are harmless). */
export function defineScripts(client: unknown): ScriptClient {
  const definer = client as Definer;
  definer.defineCommand(COMMANDS.reserve, { numberOfKeys: 4, lua: RESERVE_LUA });
  definer.defineCommand(COMMANDS.closeGate, { numberOfKeys: 1, lua: CLOSE_GATE_LUA });
  definer.defineCommand(COMMANDS.openGates, { numberOfKeys: 1, lua: OPEN_GATES_LUA });
  return client as ScriptClient;
}
