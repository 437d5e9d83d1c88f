-- KEYS: the user's large groups (hash cid -> join seq), the device's acks (hash cid -> seq).
-- ARGV: retentionMillis, then pairs cid, seq. Moves each ack forward only, for groups the user is
-- in (others are ignored: no key grows with what a client makes up). Returns how many moved.
local moved = 0
for i = 2, #ARGV, 2 do
  local cid, seq = ARGV[i], tonumber(ARGV[i + 1])
  if redis.call('HEXISTS', KEYS[1], cid) == 1 then
    local current = tonumber(redis.call('HGET', KEYS[2], cid) or '-1')
    if seq > current then
      redis.call('HSET', KEYS[2], cid, ARGV[i + 1])
      moved = moved + 1
    end
  end
end
if moved > 0 then
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]))
end
return moved
