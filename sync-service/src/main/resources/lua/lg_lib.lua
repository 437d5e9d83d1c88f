-- Helpers of the large-group scripts (prepended to each when it is loaded). The head key of a large
-- group holds '<head> <at> <spans>': the newest seq every member must hear of, its time (epoch
-- millis), and the group's large periods as comma-separated spans 'F-U' (closed: read diffusion
-- carried the seqs F+1..U) or 'F-' (open, the last one). Seqs stay below 2^53: exact in Lua.
local MAX_SPANS = 16

local function fmt(n)
  return string.format('%.0f', n)
end

local function parse(value)
  local head, at, spans = string.match(value, '^(%d+) (%d+) (.*)$')
  local list = {}
  for from, to in string.gmatch(spans, '(%d+)-(%d*)') do
    list[#list + 1] = {tonumber(from), to ~= '' and tonumber(to) or nil}
  end
  return tonumber(head), tonumber(at), list
end

local function render(head, at, list)
  local parts = {}
  local first = math.max(1, #list - MAX_SPANS + 1)
  for i = first, #list do
    parts[#parts + 1] = fmt(list[i][1]) .. '-' .. (list[i][2] and fmt(list[i][2]) or '')
  end
  return fmt(head) .. ' ' .. fmt(at) .. ' ' .. table.concat(parts, ',')
end
