/**
 * The Redis journal's Lua scripts. Each runs atomically, so a recipient's record, the per-state
 * counts and the report's sets never disagree, whichever workers claim and record at once.
 *
 * KEYS (every script): 1 meta, 2 records, 3 counts, 4 uncertain, 5 failed, 6 blocked, 7 migrated.
 * A record is JSON: s state, t target (chat key), m message id, k kind, d description, r retryable,
 * w the claim token of the run or job attempt that last claimed (or saw) it.
 */

/** Writes `rec` for `key` (its previous record `old`, or nil) and keeps counts and sets in step. */
const PUT = `
local SETS = { uncertain = KEYS[4], failed = KEYS[5], blocked = KEYS[6] }
local function put(key, old, rec)
  if old == nil or old.s ~= rec.s then
    if old ~= nil then
      redis.call('HINCRBY', KEYS[3], old.s, -1)
      if SETS[old.s] then redis.call('SREM', SETS[old.s], key) end
    end
    redis.call('HINCRBY', KEYS[3], rec.s, 1)
    if SETS[rec.s] then redis.call('SADD', SETS[rec.s], key) end
  end
  if rec.t ~= key then redis.call('SADD', KEYS[7], key) end
  redis.call('HSET', KEYS[2], key, cjson.encode(rec))
end
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('TGR_NO_CAMPAIGN the campaign has no state in Redis') end
`;

/**
 * Binds the campaign to one message. ARGV: 1 fingerprint, 2 method, 3 params JSON (or ''), 4 now ms.
 * Returns { 'ok', runs } or { 'mismatch', found fingerprint }.
 */
export const BIND_LUA = `
local found = redis.call('HGET', KEYS[1], 'fingerprint')
if found and found ~= ARGV[1] then return { 'mismatch', found } end
if not found then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'method', ARGV[2], 'created', ARGV[4])
end
if ARGV[3] ~= '' and redis.call('HEXISTS', KEYS[1], 'params') == 0 then redis.call('HSET', KEYS[1], 'params', ARGV[3]) end
return { 'ok', tostring(redis.call('HINCRBY', KEYS[1], 'runs', 1)) }
`;

/**
 * Claims recipients. ARGV: 1 claim token, 2 resend uncertain ('1'/'0'), 3 retry failed, 4.. chat keys.
 * Returns per key: 'send\\n<target>', 'done\\n<record JSON>' or 'dup'. A recipient found in
 * "sending" under another token was being sent by a run or job attempt that is gone: it becomes
 * uncertain (the request may have left) and is not sent.
 */
export const CLAIM_LUA = `${PUT}
local token, resendUncertain, retryFailed = ARGV[1], ARGV[2] == '1', ARGV[3] == '1'
local out, sends = {}, 0
for i = 4, #ARGV do
  local key = ARGV[i]
  local raw = redis.call('HGET', KEYS[2], key)
  local rec
  if raw then
    rec = cjson.decode(raw)
  else
    rec = { s = 'pending', t = key }
    put(key, nil, rec)
  end
  if rec.s == 'sending' then
    if rec.w == token then
      out[#out + 1] = 'dup'
    else
      local gone = { s = 'uncertain', t = rec.t, k = 'killed', d = 'the worker that was sending it stopped before the answer was recorded', w = token }
      put(key, rec, gone)
      out[#out + 1] = 'done\\n' .. cjson.encode(gone)
    end
  elseif rec.w == token and rec.s ~= 'migrated' then
    out[#out + 1] = 'dup'
  elseif rec.s == 'pending' or rec.s == 'migrated' or (rec.s == 'failed' and (rec.r or retryFailed)) or (rec.s == 'uncertain' and resendUncertain) then
    put(key, rec, { s = 'sending', t = rec.t, w = token })
    sends = sends + 1
    out[#out + 1] = 'send\\n' .. rec.t
  else
    rec.w = token
    redis.call('HSET', KEYS[2], key, cjson.encode(rec))
    out[#out + 1] = 'done\\n' .. cjson.encode(rec)
  end
end
if sends > 0 then redis.call('HINCRBY', KEYS[3], 'requests', sends) end
return out
`;

/** Records outcomes. ARGV: pairs of chat key, outcome JSON ({ s, t?, m?, k?, d?, r? }). */
export const RECORD_LUA = `${PUT}
for i = 1, #ARGV, 2 do
  local key = ARGV[i]
  local o = cjson.decode(ARGV[i + 1])
  local raw = redis.call('HGET', KEYS[2], key)
  local old = raw and cjson.decode(raw) or nil
  put(key, old, { s = o.s, t = o.t or (old and old.t) or key, m = o.m, k = o.k, d = o.d, r = o.r, w = old and old.w })
end
return #ARGV / 2
`;

/**
 * Everything a summary needs, read at one instant. Returns { counts (flat), meta (flat), uncertain
 * keys, blocked keys, failed (key, record pairs), migrated (key, record pairs) }.
 */
export const SUMMARY_LUA = `
local function pairsOf(set)
  local keys = redis.call('SMEMBERS', set)
  local out = {}
  if #keys == 0 then return out end
  local raws = redis.call('HMGET', KEYS[2], unpack(keys))
  for i = 1, #keys do
    out[#out + 1] = keys[i]
    out[#out + 1] = raws[i] or '{}'
  end
  return out
end
return {
  redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[1]),
  redis.call('SMEMBERS', KEYS[4]),
  redis.call('SMEMBERS', KEYS[6]),
  pairsOf(KEYS[5]),
  pairsOf(KEYS[7]),
}
`;

export const JOURNAL_COMMANDS = {
  bind: 'telegramResilienceBroadcastBindV1',
  claim: 'telegramResilienceBroadcastClaimV1',
  record: 'telegramResilienceBroadcastRecordV1',
  summary: 'telegramResilienceBroadcastSummaryV1',
} as const;

/** A client with the journal's scripts defined (ioredis runs them with EVALSHA). */
export interface JournalScriptClient {
  telegramResilienceBroadcastBindV1(...args: string[]): Promise<[string, string]>;
  telegramResilienceBroadcastClaimV1(...args: string[]): Promise<string[]>;
  telegramResilienceBroadcastRecordV1(...args: string[]): Promise<number>;
  telegramResilienceBroadcastSummaryV1(...args: string[]): Promise<[string[], string[], string[], string[], string[], string[]]>;
}

interface Definer {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
}

/** Defines the scripts on `client` (no I/O; defining them again is harmless). */
export function defineJournalScripts(client: unknown): JournalScriptClient {
  const definer = client as Definer;
  definer.defineCommand(JOURNAL_COMMANDS.bind, { numberOfKeys: 7, lua: BIND_LUA });
  definer.defineCommand(JOURNAL_COMMANDS.claim, { numberOfKeys: 7, lua: CLAIM_LUA });
  definer.defineCommand(JOURNAL_COMMANDS.record, { numberOfKeys: 7, lua: RECORD_LUA });
  definer.defineCommand(JOURNAL_COMMANDS.summary, { numberOfKeys: 7, lua: SUMMARY_LUA });
  return client as JournalScriptClient;
}
