-- KEYS: head key. ARGV: lastSeq.
-- The group went back to write diffusion: closes the open span at the newest seq known (the
-- history-service's hint, or the head if it is further). Returns 1 when it closed one.
local value = redis.call('GET', KEYS[1])
if not value then
  return 0
end
local head, at, list = parse(value)
local last = list[#list]
if not last or last[2] ~= nil then
  return 0
end
last[2] = math.max(tonumber(ARGV[1]), head, last[1])
redis.call('SET', KEYS[1], render(head, at, list))
return 1
