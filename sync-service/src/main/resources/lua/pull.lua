-- KEYS: stream, meta, dedupe. ARGV: cursor ('' = the device's), deviceField, pendingAck ('' = none),
-- limit, retentionMillis.
-- Returns {status, head, cursor, entries, depth, trimmed}: status 'ok' with at most limit + 1
-- stream entries strictly after cursor, or 'gap' / 'new_device' (cursor = head) with none; depth
-- is the stream length and trimmed the number of entries the retention dropped now (metrics).
local stream, meta, dedupe = KEYS[1], KEYS[2], KEYS[3]
local cursor, device_field, pending = ARGV[1], ARGV[2], ARGV[3]
local limit, retention = tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_millis()
local since = incarnation(stream, meta, dedupe, now)
local trimmed_now = trim_retention(stream, meta, now, retention)
local depth = redis.call('XLEN', stream)
local head = head_of(meta, since)
expire_all(retention, stream, meta, dedupe)

if cursor == '' then
  local acked = redis.call('HGET', meta, device_field)
  cursor = max_id(acked or nil, pending ~= '' and pending or nil)
  if not cursor then
    redis.call('HSET', meta, device_field, head)
    return {'new_device', head, head, {}, depth, trimmed_now}
  end
end

local trimmed = redis.call('HGET', meta, 'trimmed')
if (cursor ~= '0-0' and cmp_id(cursor, since) < 0)
    or (trimmed and cmp_id(cursor, trimmed) < 0)
    or cmp_id(cursor, head) > 0 then
  return {'gap', head, cursor, {}, depth, trimmed_now}
end

local entries = redis.call('XRANGE', stream, '(' .. cursor, '+', 'COUNT', limit + 1)
return {'ok', head, cursor, entries, depth, trimmed_now}
