-- KEYS: head key. ARGV: seq, at (millis), newsChannel, publish ('PUBLISH' | 'SPUBLISH'), payload
-- (published with '\n<start of the period the event is in>' appended).
-- An event every member must hear of was logged at 'seq': moves the head forward and announces
-- it. A write that decided 'large group' just before the group shrank lands after the closed span:
-- the span is stretched to cover it (read diffusion must still carry it). Without a head key (the
-- group's key was lost, or this write beat the registration of the group) one is made with a span
-- open from seq - 1. Returns 1 when the head moved, 2 when the key was made, 0 for an old seq.
local seq = tonumber(ARGV[1])
local at = tonumber(ARGV[2])
local value = redis.call('GET', KEYS[1])
local result = 1
local start = seq - 1
if not value then
  redis.call('SET', KEYS[1], render(seq, at, {{seq - 1, nil}}))
  result = 2
else
  local head, _, list = parse(value)
  if seq <= head then
    return 0
  end
  local last = list[#list]
  if last and last[2] ~= nil and seq > last[2] then
    last[2] = seq
  end
  redis.call('SET', KEYS[1], render(seq, at, list))
  start = last and last[1] or -1
end
-- The news names the period it belongs to (its start): a parked long-poll that found the group
-- quiet in that same open period answers from it without reading again (PullService.Waiter).
redis.call(ARGV[4], ARGV[3], ARGV[5] .. '\n' .. fmt(start))
return result
