-- Helpers shared by the inbox scripts (prepended to each script when it is loaded).
-- Stream ids are compared as two unsigned decimal numbers without leading zeros, by length
-- then lexically, so 64-bit values never lose precision in Lua's doubles.
local function id_parts(id)
  local dash = string.find(id, '-', 1, true)
  return string.sub(id, 1, dash - 1), string.sub(id, dash + 1)
end

local function cmp_num(a, b)
  if #a ~= #b then
    return #a < #b and -1 or 1
  end
  if a == b then
    return 0
  end
  return a < b and -1 or 1
end

local function cmp_id(a, b)
  local am, as = id_parts(a)
  local bm, bs = id_parts(b)
  local c = cmp_num(am, bm)
  if c ~= 0 then
    return c
  end
  return cmp_num(as, bs)
end

local function max_id(a, b)
  if not a then
    return b
  end
  if not b then
    return a
  end
  if cmp_id(a, b) >= 0 then
    return a
  end
  return b
end

local function now_millis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function fmt(n)
  return string.format('%.0f', n)
end

-- Makes 'stream' an empty stream whose last generated id is 'id' (the entry MAXLEN 0 adds is
-- trimmed at once), so every later XADD * generates an id greater than 'id', even in the same
-- millisecond: Redis never generates an id at or below a stream's last one.
local function start_stream(stream, id)
  redis.call('XADD', stream, 'MAXLEN', 0, id, 'i', '')
end

-- The incarnation of the inbox: its start ('since') from the meta hash. A live inbox has its meta
-- hash and its stream (created empty with the incarnation, last id 'since'), so all its entry ids
-- are strictly greater than 'since'. When the meta hash is missing, or it says entries were
-- written ('last') but the stream is gone, the inbox was lost or expired: every key of the user is
-- dropped and a new incarnation starts at '<now + 1 ms>-0'. Stream ids are Redis server time, so
-- every id the lost incarnation issued has millis <= now, and is older than the new 'since' (so is
-- its head, when the meta hash survived to tell it): each of its cursors is recognised as stale,
-- even one issued in this very millisecond.
local function incarnation(stream, meta, dedupe, now)
  local since = redis.call('HGET', meta, 'since')
  local last = redis.call('HGET', meta, 'last')
  if since then
    if redis.call('EXISTS', stream) == 1 then
      return since
    end
    if not last then
      -- Nothing was ever appended (or the incarnation began before streams began with it): no
      -- entry is lost, the stream only has to come back with 'since' as its last id.
      start_stream(stream, since)
      return since
    end
  end
  local start = now + 1
  local lost_head = max_id(since or nil, last or nil)
  if lost_head then
    local millis = tonumber((id_parts(lost_head)))
    if millis >= start then
      start = millis + 1
    end
  end
  redis.call('DEL', stream, meta, dedupe)
  since = fmt(start) .. '-0'
  start_stream(stream, since)
  redis.call('HSET', meta, 'since', since)
  return since
end

-- Records that entries up to 'id' were trimmed ('trimmed' only grows).
local function note_trimmed(meta, id)
  local current = redis.call('HGET', meta, 'trimmed')
  redis.call('HSET', meta, 'trimmed', max_id(current or nil, id))
end

-- Drops the entries older than the retention window; returns how many it dropped. The oldest
-- entry is looked at first, so the usual case (nothing expired) costs one seek: an XREVRANGE whose
-- end lies below every entry walks the whole stream (Redis starts a reverse scan at the last node
-- when no node starts at or below the end), which made every append and pull O(inbox length).
local function trim_retention(stream, meta, now, retention)
  local min_id = fmt(now - retention) .. '-0'
  local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #oldest == 0 or cmp_id(oldest[1][1], min_id) >= 0 then
    return 0
  end
  local older = redis.call('XREVRANGE', stream, '(' .. min_id, '-', 'COUNT', 1)
  if #older > 0 then
    note_trimmed(meta, older[1][1])
    return redis.call('XTRIM', stream, 'MINID', min_id)
  end
  return 0
end

-- The newest cursor this incarnation issued: the last generated id, or 'since' before any.
local function head_of(meta, since)
  local last = redis.call('HGET', meta, 'last')
  if last then
    return max_id(since, last)
  end
  return since
end

local function expire_all(retention, ...)
  for _, key in ipairs({...}) do
    redis.call('PEXPIRE', key, retention)
  end
end
