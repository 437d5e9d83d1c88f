-- KEYS: stream, meta, dedupe. ARGV: deviceField, cursor, retentionMillis.
-- Moves the device's cursor forward only; returns 1 when it moved, 0 otherwise (older cursor, or
-- the inbox no longer exists: then the ack belongs to a lost incarnation and is dropped).
local stream, meta, dedupe = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', meta) == 0 then
  return 0
end
local current = redis.call('HGET', meta, ARGV[1])
if current and cmp_id(ARGV[2], current) <= 0 then
  return 0
end
redis.call('HSET', meta, ARGV[1], ARGV[2])
expire_all(tonumber(ARGV[3]), stream, meta, dedupe)
return 1
