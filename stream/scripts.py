"""The Lua scripts the stream layer runs inside Redis (kept as strings so they ship with the package).

Each script is one atomic step: Redis runs it to completion before any other command, and the
append-only file records its effects as one transaction, so a crash applies all of it or none.
"""

APPLY_BATCH = r"""
-- Apply one consumer batch atomically and idempotently (stream/consumer.py).
--
-- KEYS: 1 stream, 2 stats, 3 watermark, 4 months, 5 series, 6 closed, 7 dead letter, 8 meta,
--       9 sources, 10 incident ids (id -> "day<TAB>series<TAB>count", what the id contributes).
-- ARGV: 1 group, 2 name prefix of the areas' location histograms (stream/centres.py), 3 now
--       (unix time), 4..6 name prefixes of the month, day and series count hashes (from
--       stream/keys.py; same hash tag as KEYS), 7 number of records, then per record: entry id,
--       incident id, ISO day, series field, count, source, location ("<lat bin> <lon bin>" or
--       ""); then the number of dead letters, then per dead letter: entry id, pair count,
--       field/value pairs.
--
-- An id contributes once: re-sent unchanged it is a duplicate; re-sent changed (a corrected day,
-- category or count, e.g. a revised portal export) its earlier contribution is taken back and the
-- new one added (a correction). Reads come first, then every key's type is checked, then all the
-- writes (a script that fails half-way keeps its earlier writes, so nothing may fail after the
-- first write); every entry is acked in the same script: a crash leaves all of a batch or none.
-- A newly counted incident with a location adds it to its area's histograms (a correction does
-- not: the id's first location stays, as a median barely moves for one point).
-- Returns {applied, duplicates, dead, incidents, late, corrections}.

local call = redis.call
local group, GP, now = ARGV[1], ARGV[2], ARGV[3]
local MP, DP, SP = ARGV[4], ARGV[5], ARGV[6]
local nrec = tonumber(ARGV[7])
local i = 8

local incr, order = {}, {}
local function add(key, field, n)
  local h = incr[key]
  if not h then h = {}; incr[key] = h; order[#order + 1] = key end
  h[field] = (h[field] or 0) + n
end

local closed = {}
local function is_closed(month)
  local c = closed[month]
  if c == nil then
    c = call('ZSCORE', KEYS[6], month) ~= false
    closed[month] = c
  end
  return c
end

local applied, dups, corrections, incidents, late = 0, 0, 0, 0, 0
local wm = call('GET', KEYS[3]) or ''
local wm0 = wm
local latest, changed = {}, {}
local months, series, by_src = {}, {}, {}
local acks = {}

for _ = 1, nrec do
  local eid, id, day, field, cnt, src, geo = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3],
                                             ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  i = i + 7
  acks[#acks + 1] = eid
  local val = day .. '\t' .. field .. '\t' .. cnt
  local old = latest[id]
  if old == nil then old = call('HGET', KEYS[10], id) end
  local oday, ofield, ocnt
  if old then oday, ofield, ocnt = string.match(old, '^([^\t]+)\t([^\t]+)\t(%d+)$') end
  if old == val or (old and not oday) then
    dups = dups + 1
  else
    local n = tonumber(cnt)
    local month = string.sub(day, 1, 7)
    if oday then
      local omonth, on = string.sub(oday, 1, 7), tonumber(ocnt)
      add(MP .. omonth, ofield, -on)
      add(DP .. oday, ofield, -on)
      add(SP .. ofield, omonth, -on)
      incidents = incidents - on
      if omonth ~= month and is_closed(omonth) then late = late + 1 end
      corrections = corrections + 1
    else
      applied = applied + 1
      by_src[src] = (by_src[src] or 0) + n
      if geo ~= '' then
        local ybin, xbin = string.match(geo, '^(-?%d+) (-?%d+)$')
        if ybin then
          local area = string.match(field, '^([^|]*)')
          add(GP .. area, 'y' .. ybin, n)
          add(GP .. area, 'x' .. xbin, n)
        end
      end
    end
    add(MP .. month, field, n)
    add(DP .. day, field, n)
    add(SP .. field, month, n)
    incidents = incidents + n
    months[month] = true
    series[field] = true
    if day > wm then wm = day end
    if is_closed(month) then late = late + 1 end
    if latest[id] == nil then changed[#changed + 1] = id end
    latest[id] = val
  end
end

local bad = nil
local function need(key, want)
  if bad then return end
  local t = call('TYPE', key)['ok']
  if t ~= 'none' and t ~= want then bad = key .. ' holds a ' .. t .. ', expected a ' .. want end
end
need(KEYS[1], 'stream'); need(KEYS[2], 'hash'); need(KEYS[3], 'string'); need(KEYS[4], 'zset')
need(KEYS[5], 'set'); need(KEYS[6], 'zset'); need(KEYS[7], 'stream'); need(KEYS[8], 'hash')
need(KEYS[9], 'hash'); need(KEYS[10], 'hash')
for _, key in ipairs(order) do need(key, 'hash') end
if bad then return redis.error_reply('WRONGTYPE crimecast: ' .. bad .. '; nothing applied') end

for _, key in ipairs(order) do
  for field, n in pairs(incr[key]) do
    if n ~= 0 then call('HINCRBY', key, field, n) end
  end
end
for j = 1, #changed do call('HSET', KEYS[10], changed[j], latest[changed[j]]) end
for month, _ in pairs(months) do
  call('ZADD', KEYS[4], tonumber(string.sub(month, 1, 4)) * 100 + tonumber(string.sub(month, 6, 7)),
       month)
end
for field, _ in pairs(series) do call('SADD', KEYS[5], field) end
for src, n in pairs(by_src) do
  call('HINCRBY', KEYS[9], src, n)
  if src == 'synthetic' then call('HSET', KEYS[8], 'synthetic', '1') end
end
if wm ~= wm0 then call('SET', KEYS[3], wm) end

local ndead = tonumber(ARGV[i]); i = i + 1
for _ = 1, ndead do
  local eid = ARGV[i]
  local nf = tonumber(ARGV[i + 1])
  local args = {}
  for j = 0, 2 * nf - 1 do args[#args + 1] = ARGV[i + 2 + j] end
  call('XADD', KEYS[7], 'MAXLEN', '~', '100000', '*', 'entry_id', eid, unpack(args))
  acks[#acks + 1] = eid
  i = i + 2 + 2 * nf
end

for s = 1, #acks, 500 do
  local chunk = {}
  for j = s, math.min(s + 499, #acks) do chunk[#chunk + 1] = acks[j] end
  call('XACK', KEYS[1], group, unpack(chunk))
end

if applied + corrections > 0 then
  if applied > 0 then call('HINCRBY', KEYS[2], 'applied', applied) end
  if corrections > 0 then call('HINCRBY', KEYS[2], 'corrections', corrections) end
  if incidents ~= 0 then call('HINCRBY', KEYS[2], 'incidents', incidents) end
  call('HSET', KEYS[8], 'last_applied_at', now)
end
if dups > 0 then call('HINCRBY', KEYS[2], 'duplicates', dups) end
if ndead > 0 then call('HINCRBY', KEYS[2], 'dead', ndead) end
if late > 0 then call('HINCRBY', KEYS[2], 'late', late) end

return {applied, dups, ndead, incidents, late, corrections}
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

CLAIM_DEAD = r"""
-- Take over the pending entries of a dead consumer, at once (stream/liveness.py).
-- KEYS: 1 stream, 2 the consumer's heartbeat key. ARGV: 1 group, 2 dead consumer, 3 claimer,
-- 4 at most this many entries.
-- A consumer whose heartbeat exists is alive: nothing is taken. Otherwise up to ARGV[4] of its
-- pending entries move to the claimer (XCLAIM, min-idle 0: their delivery count goes up, so the
-- max-deliveries rule still catches a record that kills every consumer), and a consumer left
-- owning nothing is removed from the group. One script, so two live consumers never take the same
-- entries and a consumer is never removed while it owns any.
-- Returns {state, entries}: state -1 alive, 0 still owns entries, 1 removed.
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, {}} end
local rows = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', tonumber(ARGV[4]), ARGV[2])
local entries = {}
if #rows > 0 then
  local ids = {}
  for j, row in ipairs(rows) do ids[j] = row[1] end
  entries = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, unpack(ids))
end
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return {0, entries} end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return {1, entries}
"""

RELEASE_CONSUMER = r"""
-- A consumer stopping cleanly (stream/liveness.py). KEYS: 1 stream, 2 its heartbeat key.
-- ARGV: 1 group, 2 consumer. Drops the heartbeat (so any entry it still owns is claimed by a live
-- consumer at once) and leaves the group if it owns nothing. Returns the entries it still owns.
redis.call('DEL', KEYS[2])
local summary = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if summary['err'] then return 0 end  -- no stream or no group: nothing to leave
local mine = 0
if type(summary[4]) == 'table' then
  for _, c in ipairs(summary[4]) do if c[1] == ARGV[2] then mine = tonumber(c[2]) end end
end
if mine == 0 then redis.pcall('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2]) end
return mine
"""

__all__ = ["APPLY_BATCH", "CLAIM_DEAD", "CLOSE_MONTH", "RELEASE_CONSUMER", "XADD_MANY"]
