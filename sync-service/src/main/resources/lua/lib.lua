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

-- The incarnation of the inbox: its start ('since') from the meta hash. When the meta hash is
-- missing, or it says entries were written ('last') but the stream is gone, the inbox was lost
-- or expired: every key of the user is dropped and a new incarnation starts just before now, so
-- that all its stream ids are strictly greater than 'since' and every cursor of the lost one
-- (time-based, hence smaller) is recognised as stale.
local function incarnation(stream, meta, dedupe, now)
  local since = redis.call('HGET', meta, 'since')
  if since then
    local last = redis.call('HGET', meta, 'last')
    if (not last) or redis.call('EXISTS', stream) == 1 then
      return since
    end
  end
  redis.call('DEL', stream, meta, dedupe)
  since = fmt(now - 1) .. '-0'
  redis.call('HSET', meta, 'since', since)
  return since
end

-- Records that entries up to 'id' were trimmed ('trimmed' only grows).
local function note_trimmed(meta, id)
  local current = redis.call('HGET', meta, 'trimmed')
  redis.call('HSET', meta, 'trimmed', max_id(current or nil, id))
end

-- Drops the entries older than the retention window; returns how many it dropped.
local function trim_retention(stream, meta, now, retention)
  local min_id = fmt(now - retention) .. '-0'
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
