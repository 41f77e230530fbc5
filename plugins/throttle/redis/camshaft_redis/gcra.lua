-- GCRA for one request, atomically, on the Redis server's clock.
-- KEYS[1]: the bucket.  ARGV[1]: limit.  ARGV[2]: period in microseconds.
-- Returns {allowed (0/1), remaining, reset_after_us, retry_after_us}.
-- Integer microseconds throughout: exactly `limit` requests fit a burst.
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local interval = math.floor(period / limit)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local allow_at = tat + interval - period
if now < allow_at then
  return {0, 0, tat - now, allow_at - now}
end
local new_tat = tat + interval
-- The bucket is worth keeping only until it is full again.
redis.call('SET', KEYS[1], string.format('%d', new_tat),
           'PX', math.floor((new_tat - now) / 1000) + 1)
return {1, math.floor((period - (new_tat - now)) / interval), new_tat - now, 0}
