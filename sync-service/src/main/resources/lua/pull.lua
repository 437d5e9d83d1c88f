-- KEYS: stream, meta, dedupe, the user's large groups (lg:{U}), the device's large-group acks
-- (lg-ack:{U}:<device>). ARGV: cursor ('' = the device's), deviceField, pendingAck ('' = none),
-- limit, retentionMillis.
-- Returns {status, head, cursor, entries, depth, trimmed, groups, acks}: status 'ok' with at most
-- limit + 1 stream entries strictly after cursor, or 'gap' / 'new_device' (cursor = head) with none;
-- depth is the stream length and trimmed the number of entries the retention dropped now (metrics);
-- groups and acks are the two large-group hashes (flat field/value lists), acks only when groups has
-- any: read here, on the user's slot, so that a pull of a user in no large group is one round trip.
local stream, meta, dedupe = KEYS[1], KEYS[2], KEYS[3]
local cursor, device_field, pending = ARGV[1], ARGV[2], ARGV[3]
local limit, retention = tonumber(ARGV[4]), tonumber(ARGV[5])
local groups = redis.call('HGETALL', KEYS[4])
local acks = {}
if #groups > 0 then
  acks = redis.call('HGETALL', KEYS[5])
end
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
    return {'new_device', head, head, {}, depth, trimmed_now, groups, acks}
  end
end

local trimmed = redis.call('HGET', meta, 'trimmed')
if (cursor ~= '0-0' and cmp_id(cursor, since) < 0)
    or (trimmed and cmp_id(cursor, trimmed) < 0)
    or cmp_id(cursor, head) > 0 then
  return {'gap', head, cursor, {}, depth, trimmed_now, groups, acks}
end

local entries = redis.call('XRANGE', stream, '(' .. cursor, '+', 'COUNT', limit + 1)
return {'ok', head, cursor, entries, depth, trimmed_now, groups, acks}
