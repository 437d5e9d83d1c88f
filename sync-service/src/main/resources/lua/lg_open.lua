-- KEYS: head key. ARGV: fromSeq.
-- The group is (again) a large group from after 'fromSeq': opens a span unless the last one is
-- open. A new span never starts before the end of the previous one. Returns 1 when it opened one.
local value = redis.call('GET', KEYS[1])
local from = tonumber(ARGV[1])
if not value then
  redis.call('SET', KEYS[1], render(from, 0, {{from, nil}}))
  return 1
end
local head, at, list = parse(value)
local last = list[#list]
if last and last[2] == nil then
  return 0
end
if last then
  from = math.max(from, last[2])
end
list[#list + 1] = {from, nil}
redis.call('SET', KEYS[1], render(head, at, list))
return 1
