-- KEYS: stream, meta, dedupe. ARGV: dedupeKey, body (the entry's wire form without its cursor),
-- maxEntries, retentionMillis, legacyItem (the item as JSON for instances that read only the
-- field 'd'; '' = not stored), newsChannel ('' = publish nothing), userId, maxNewsBody (bytes),
-- legacySignalChannel ('' = none), publish ('SPUBLISH' on a Redis Cluster, where newsChannel is
-- the shard channel of the user's slot; otherwise, or '', 'PUBLISH').
-- A new entry is announced on newsChannel as '<userId>\n<previous>\n<id>\n<body>' (body left
-- empty when longer than maxNewsBody; previous = the entry id before it in this incarnation, ''
-- for the first), and on legacySignalChannel as the bare user id.
-- Returns {1, id, trimmedByCap, trimmedByRetention} when appended, {0, head} when the dedupe key
-- was already present (then nothing is announced).
local stream, meta, dedupe = KEYS[1], KEYS[2], KEYS[3]
local dedupe_key, body = ARGV[1], ARGV[2]
local max_entries, retention = tonumber(ARGV[3]), tonumber(ARGV[4])
local legacy_item = ARGV[5] or ''
local news_channel, user = ARGV[6] or '', ARGV[7] or ''
local max_news_body = tonumber(ARGV[8] or '0')
local legacy_channel = ARGV[9] or ''
local publish = 'PUBLISH'
if ARGV[10] == 'SPUBLISH' then
  publish = 'SPUBLISH'
end
local now = now_millis()
local since = incarnation(stream, meta, dedupe, now)

if redis.call('ZSCORE', dedupe, dedupe_key) then
  return {0, head_of(meta, since)}
end

local previous = redis.call('HGET', meta, 'last') or ''
local id
if legacy_item ~= '' then
  id = redis.call('XADD', stream, '*', 'w', body, 'k', dedupe_key, 'd', legacy_item)
else
  id = redis.call('XADD', stream, '*', 'w', body, 'k', dedupe_key)
end
redis.call('HSET', meta, 'last', id)

-- Exact cap: remember the newest entry the cap pushes out, then trim.
local length = redis.call('XLEN', stream)
local by_cap = 0
if length > max_entries then
  local gone = redis.call('XRANGE', stream, '-', '+', 'COUNT', length - max_entries)
  note_trimmed(meta, gone[#gone][1])
  by_cap = redis.call('XTRIM', stream, 'MAXLEN', max_entries)
end
local by_retention = trim_retention(stream, meta, now, retention)

local millis = id_parts(id)
redis.call('ZADD', dedupe, millis, dedupe_key)
redis.call('ZREMRANGEBYSCORE', dedupe, '-inf', '(' .. fmt(now - retention))
local keep = 2 * max_entries
local size = redis.call('ZCARD', dedupe)
if size > keep then
  redis.call('ZREMRANGEBYRANK', dedupe, 0, size - keep - 1)
end

expire_all(retention, stream, meta, dedupe)
if news_channel ~= '' then
  local news_body = body
  if #body > max_news_body then
    news_body = ''
  end
  redis.call(publish, news_channel, user .. '\n' .. previous .. '\n' .. id .. '\n' .. news_body)
end
if legacy_channel ~= '' then
  redis.call('PUBLISH', legacy_channel, user)
end
return {1, id, by_cap, by_retention}
