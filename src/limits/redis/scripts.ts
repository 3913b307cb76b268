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
 * Books messages: one or more, in the order given, as if booked one after another (a batch is the
 * bookings one process made in the same turn of its event loop: one round trip for all, and
 * consecutive slots, so their sends can leave together).
 * KEYS: 1 bot-wide tail, 2 bot-wide "later" set, 3 and 4 the same two for paid broadcasts, 5 the
 * gates hash, then one per message: its chat's key (or an unused one).
 * ARGV: 8 per message: 1 paid ('1' or empty), 2 bot-wide interval ms, 3 chat kind (`private`,
 * `group` or empty), 4 the chat's interval ms (private) or messages per window (group), 5 the group
 * window ms, 6 the chat's gate scope (or empty), 7 the deadline (Redis epoch ms, or empty: none),
 * 8 the slot this message was booked before and not sent at (Redis epoch ms, or empty).
 * Returns { now, slot or 'late' per message } as strings (Redis epoch ms).
 *
 * The deadline is when the caller stops waiting for the answer (its timeout). A booking that runs
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
 *
 * A message booked again because its wait ended too late for its slot (ARGV 8: it was not sent
 * then) is not held back by that booking in its private chat: it would otherwise wait a second
 * behind itself. A group keeps such a booking in its window (a group's slots are too close together
 * to tell one from another's across clocks), which costs the group one of its slots for a minute.
 */
export const RESERVE_LUA = `${PRELUDE}
-- The "later" sets the bookings touched (their expiry is set once, after the batch).
local laterKeysBooked = {}

local function book(tailKey, laterKey, chatKey, interval, kind, chatLimit, window, chatGate, deadline, unused)
  if deadline and now > deadline then return 'late' end
  local want = now
  local gates = redis.call('HMGET', KEYS[5], 'bot', chatGate ~= '' and chatGate or 'bot')
  for i = 1, 2 do
    local at = tonumber(gates[i])
    if at and at > want then want = at end
  end

  local groupMax = 0
  if kind == 'private' then
    local nextAt = tonumber(redis.call('GET', chatKey))
    -- Booked last by this very message, which was not sent then: the chat may send from that slot
    -- on (the record less one interval), not an interval after it. The unused slot comes in this
    -- machine's time converted, off by the clocks' error: half an interval is allowed for that, and
    -- any later booking of the chat would be a whole interval further still.
    if nextAt and unused and nextAt <= unused + chatLimit * 1.5 then nextAt = nextAt - chatLimit end
    if nextAt and nextAt > want then want = nextAt end
  elseif kind == 'group' then
    groupMax = math.max(1, math.floor(chatLimit))
    local n = redis.call('LLEN', chatKey)
    if n > 0 then
      local last = tonumber(redis.call('LINDEX', chatKey, -1))
      if last > want then want = last end
      if n >= groupMax then
        local oldest = tonumber(redis.call('LINDEX', chatKey, n - groupMax))
        if oldest + window > want then want = oldest + window end
      end
    end
  end

  -- The first slot at or after s that keeps interval from every slot in the later set.
  local function place(s)
    while true do
      local hit = redis.call('ZRANGEBYSCORE', laterKey, '(' .. fmt(s - interval), '+inf', 'LIMIT', 0, 1)
      if #hit == 0 then return s end
      local r = tonumber(hit[1])
      if r >= s + interval then return s end
      s = r + interval
    end
  end

  local tail = tonumber(redis.call('GET', tailKey)) or 0
  local base = math.max(tail, now)
  local slot
  if want <= base + interval then
    slot = place(math.max(base, want))
    local newTail = slot + interval
    -- Fractions of a ms kept: at 1,000/s plus a margin the interval is 1.05 ms, not 1.
    redis.call('SET', tailKey, fmt3(newTail), 'PX', fmt(math.max(1, newTail - now)))
    -- Slots before the tail were stepped over: the tail never goes back, so they are done with.
    redis.call('ZREMRANGEBYSCORE', laterKey, '-inf', '(' .. fmt(newTail))
  else
    slot = place(want)
    redis.call('ZADD', laterKey, fmt(slot), fmt(slot))
  end
  laterKeysBooked[laterKey] = true

  -- Each key lives only as long as it can still hold a message back.
  if kind == 'private' then
    local nextAt = slot + chatLimit
    redis.call('SET', chatKey, fmt(nextAt), 'PX', fmt(nextAt - now))
  elseif kind == 'group' then
    redis.call('RPUSH', chatKey, fmt(slot))
    redis.call('LTRIM', chatKey, -groupMax, -1)
    redis.call('PEXPIRE', chatKey, fmt(slot + window - now))
  end
  return fmt(slot)
end

local out = { fmt(now) }
for i = 0, #ARGV / 8 - 1 do
  local a = i * 8
  local paid = ARGV[a + 1] == '1'
  out[#out + 1] = book(paid and KEYS[3] or KEYS[1], paid and KEYS[4] or KEYS[2], KEYS[6 + i], tonumber(ARGV[a + 2]), ARGV[a + 3], tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]), ARGV[a + 6], tonumber(ARGV[a + 7]), tonumber(ARGV[a + 8]))
end
-- A "later" set lives as long as its latest slot: set once per batch, after all its bookings.
for laterKey in pairs(laterKeysBooked) do
  local last = redis.call('ZRANGE', laterKey, -1, -1, 'WITHSCORES')
  if #last > 0 then redis.call('PEXPIRE', laterKey, fmt(math.max(1, tonumber(last[2]) - now))) end
end
return out
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
  reserve: 'telegramResilienceReserveV4',
  closeGate: 'telegramResilienceCloseGateV1',
  openGates: 'telegramResilienceOpenGatesV1',
} as const;

/** A client with our scripts defined: ioredis runs them with EVALSHA, and EVAL once when Redis lacks them. */
export interface ScriptClient {
  /** The number of keys first (it varies with the batch), then the keys, then ARGV. */
  telegramResilienceReserveV4(...args: string[]): Promise<string[]>;
  telegramResilienceCloseGateV1(...args: string[]): Promise<number>;
  telegramResilienceOpenGatesV1(...args: string[]): Promise<string[]>;
}

interface Definer {
  defineCommand(name: string, definition: { numberOfKeys?: number; lua: string }): void;
}

/** Defines the scripts on `client` (no I/O; the same definitions again are harmless). */
export function defineScripts(client: unknown): ScriptClient {
  const definer = client as Definer;
  // No numberOfKeys: a batch has one key per message, given first.
  definer.defineCommand(COMMANDS.reserve, { lua: RESERVE_LUA });
  definer.defineCommand(COMMANDS.closeGate, { numberOfKeys: 1, lua: CLOSE_GATE_LUA });
  definer.defineCommand(COMMANDS.openGates, { numberOfKeys: 1, lua: OPEN_GATES_LUA });
  return client as ScriptClient;
}
