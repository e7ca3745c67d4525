"""The Lua scripts the stream layer runs inside Redis (kept as strings so they ship with the package).

Each script is one atomic step: Redis runs it to completion before any other command, and the
append-only file records its effects as one transaction, so a crash applies all of it or none.
"""

APPLY_BATCH = r"""
-- Apply one consumer batch atomically and idempotently (stream/consumer.py).
--
-- KEYS: 1 stream, 2 stats, 3 watermark, 4 months, 5 series, 6 closed, 7 dead letter, 8 meta,
--       9 sources, 10 incident ids (id -> month), 11.. per-batch keys (month/day/series hashes)
--       referenced by number.
-- ARGV: 1 group, 2 delete acked entries ("1"/"0"), 3 now (unix time), then four lookup tables,
--       each a length followed by its rows:
--         months  (month key#, month, score),              days (day key#, ISO day),
--         series  (series key#, series field),            sources (name),
--       then the records: a length, then per record
--         entry id, incident id, month row, day row, series row, count, source row,
--       then the dead letters: a length, then per entry: entry id, pair count, field/value pairs.
-- An incident counts only when its id is new (HSETNX into the id hash); an id seen before under
-- another month is a conflict (a corrected date): not counted again, tallied as 'conflicts'.
-- Every entry is acked (and optionally deleted) in the same script, so a crash leaves either all
-- of a batch or none of it. Returns {applied, duplicates, dead, incidents, late, conflicts}.

local group = ARGV[1]
local delete_acked = ARGV[2] == '1'
local now = ARGV[3]
local i = 4

local function tbl(width)
  local n = tonumber(ARGV[i]); i = i + 1
  local rows = {}
  for r = 1, n do
    local row = {}
    for c = 1, width do row[c] = ARGV[i + c - 1] end
    rows[r] = row
    i = i + width
  end
  return rows
end

local M = tbl(3)
local D = tbl(2)
local S = tbl(2)
local SRC = tbl(1)

-- A script that fails half-way keeps its earlier writes, so check every key's type before the
-- first write: a clobbered key fails the whole batch with nothing applied (it is retried later).
local bad = nil
local function need(key, want)
  if bad then return end
  local t = redis.call('TYPE', key)['ok']
  if t ~= 'none' and t ~= want then bad = key .. ' holds a ' .. t .. ', expected a ' .. want end
end
need(KEYS[1], 'stream'); need(KEYS[2], 'hash'); need(KEYS[3], 'string'); need(KEYS[4], 'zset')
need(KEYS[5], 'set'); need(KEYS[6], 'zset'); need(KEYS[7], 'stream'); need(KEYS[8], 'hash')
need(KEYS[9], 'hash'); need(KEYS[10], 'hash')
for _, m in ipairs(M) do need(KEYS[tonumber(m[1])], 'hash') end
for _, d in ipairs(D) do need(KEYS[tonumber(d[1])], 'hash') end
for _, s in ipairs(S) do need(KEYS[tonumber(s[1])], 'hash') end
if bad then return redis.error_reply('WRONGTYPE crimecast: ' .. bad .. '; nothing applied') end

local applied, dups, incidents, late, conflicts = 0, 0, 0, 0, 0
local wm = redis.call('GET', KEYS[3]) or ''
local wm0 = wm
local incr = {}
local used_m, used_s, by_src, closed = {}, {}, {}, {}
local acks = {}

local function add(ki, field, n)
  local h = incr[ki]
  if not h then h = {}; incr[ki] = h end
  h[field] = (h[field] or 0) + n
end

local nrec = tonumber(ARGV[i]); i = i + 1
for _ = 1, nrec do
  acks[#acks + 1] = ARGV[i]
  local m = M[tonumber(ARGV[i + 2])]
  if redis.call('HSETNX', KEYS[10], ARGV[i + 1], m[2]) == 1 then
    local d = D[tonumber(ARGV[i + 3])]
    local s = S[tonumber(ARGV[i + 4])]
    local n = tonumber(ARGV[i + 5])
    local src = ARGV[i + 6]
    applied = applied + 1
    incidents = incidents + n
    add(m[1], s[2], n)
    add(d[1], s[2], n)
    add(s[1], m[2], n)
    used_m[m[2]] = m[3]
    used_s[s[2]] = true
    by_src[src] = (by_src[src] or 0) + n
    if d[2] > wm then wm = d[2] end
    if closed[m[2]] == nil then
      closed[m[2]] = redis.call('ZSCORE', KEYS[6], m[2]) ~= false
    end
    if closed[m[2]] then late = late + 1 end
  else
    dups = dups + 1
    if redis.call('HGET', KEYS[10], ARGV[i + 1]) ~= m[2] then conflicts = conflicts + 1 end
  end
  i = i + 7
end

for ki, h in pairs(incr) do
  local key = KEYS[tonumber(ki)]
  for field, n in pairs(h) do
    redis.call('HINCRBY', key, field, n)
  end
end
for month, score in pairs(used_m) do
  redis.call('ZADD', KEYS[4], score, month)
end
for field, _ in pairs(used_s) do
  redis.call('SADD', KEYS[5], field)
end
for r, n in pairs(by_src) do
  local name = SRC[tonumber(r)][1]
  redis.call('HINCRBY', KEYS[9], name, n)
  if name == 'synthetic' then redis.call('HSET', KEYS[8], 'synthetic', '1') end
end
if wm ~= wm0 then redis.call('SET', KEYS[3], wm) end

local ndead = tonumber(ARGV[i]); i = i + 1
for _ = 1, ndead do
  local eid = ARGV[i]
  local nf = tonumber(ARGV[i + 1])
  local args = {}
  for j = 0, 2 * nf - 1 do args[#args + 1] = ARGV[i + 2 + j] end
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', '100000', '*', 'entry_id', eid, unpack(args))
  acks[#acks + 1] = eid
  i = i + 2 + 2 * nf
end

for s = 1, #acks, 500 do
  local chunk = {}
  for j = s, math.min(s + 499, #acks) do chunk[#chunk + 1] = acks[j] end
  redis.call('XACK', KEYS[1], group, unpack(chunk))
  if delete_acked then redis.call('XDEL', KEYS[1], unpack(chunk)) end
end

if applied > 0 then
  redis.call('HINCRBY', KEYS[2], 'applied', applied)
  redis.call('HINCRBY', KEYS[2], 'incidents', incidents)
  redis.call('HSET', KEYS[8], 'last_applied_at', now)
end
if dups > 0 then redis.call('HINCRBY', KEYS[2], 'duplicates', dups) end
if ndead > 0 then redis.call('HINCRBY', KEYS[2], 'dead', ndead) end
if late > 0 then redis.call('HINCRBY', KEYS[2], 'late', late) end
if conflicts > 0 then redis.call('HINCRBY', KEYS[2], 'conflicts', conflicts) end

return {applied, dups, ndead, incidents, late, conflicts}
"""

CLOSE_MONTH = r"""
-- KEYS: 1 closed months (zset), 2 events stream. ARGV: 1 month, 2 score, 3 reason, 4 now.
-- Only the first closer adds the month and emits the event.
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) == 1 then
  redis.call('XADD', KEYS[2], '*', 'type', 'month_closed', 'month', ARGV[1], 'reason', ARGV[3],
             'at', ARGV[4])
  return 1
end
return 0
"""

XADD_MANY = r"""
-- Append a chunk of entries to one stream in one step (stream/producer.py).
-- KEYS: 1 stream. ARGV: 1 width (fields per entry), 2..width+1 field names, then the values,
-- width per entry. Returns the number of entries added. One call per chunk instead of one XADD
-- per record: the producer's cost is the values, not the protocol round trips.
local width = tonumber(ARGV[1])
local n = (#ARGV - 1 - width) / width
local args = {}
for j = 1, width do args[2 * j - 1] = ARGV[1 + j] end
local i = 2 + width
for _ = 1, n do
  for j = 1, width do args[2 * j] = ARGV[i + j - 1] end
  redis.call('XADD', KEYS[1], '*', unpack(args))
  i = i + width
end
return n
"""

__all__ = ["APPLY_BATCH", "CLOSE_MONTH", "XADD_MANY"]
