"""The two Lua scripts: admit requests, and take in an answer. Each runs atomically in one round trip.

Times are Redis's own (``TIME``, in milliseconds), so the processes' clocks never matter: a
script hands back durations, never instants. A bucket's state mirrors the in-process
:class:`~aiodd._governor.BucketState`:

- ``limit``, ``remaining``, ``period`` (ms) as the latest answers said; ``reset_at`` the earliest
  bound on the window's end seen in this window (``X-RateLimit-Reset`` is whole seconds, rounded
  up); ``answered_at`` the last answer; ``window_start`` when the current window opened (the
  ``reset_at`` that passed);
- requests in flight are leases in a sorted set, scored by when they expire: a process killed
  while holding some gives them back at the latest when they expire (and its expiry less the
  lease tells which window the request was sent in). The caller names each admission attempt
  (``<holder>:<n>:``; leases add a number, the probe ``probe``), so an attempt whose reply was
  lost (a timeout after the script ran) can be taken back;
- admission: while ``remaining - in_flight`` allows (``remaining`` unknown: no bound); an expired
  reset opens a new window (``remaining = limit``, leases still count); an exhausted bucket that
  heard nothing for ``stale`` lets one request through; a bucket nobody knows lets one through
  as a probe and the others wait for its answer;
- answers: within a window whose end is known, keep the smaller ``remaining`` and the earlier
  reset, since answers arrive out of order; an answer to a request sent before the current
  window opened describes an older window and only frees its lease; a 429 means nothing remains
  until its reset (or a period from now).

Keys expire: a state ``keep`` ms after its window ends (or ``lease`` ms after its last change
when no end is known), leases when the longest one would, the route map a day after it last
changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["ADMIT", "UPDATE", "Script"]

_PRELUDE = """
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local FIELDS = {'limit', 'remaining', 'reset_at', 'period', 'answered_at', 'window_start'}

local function load(key)
  local values = redis.call('HMGET', key, unpack(FIELDS))
  local state = {}
  for i, name in ipairs(FIELDS) do state[name] = tonumber(values[i]) end
  return state
end

local function save(key, state, now, keep, lease)
  local set, gone = {}, {}
  for _, name in ipairs(FIELDS) do
    if state[name] then
      set[#set + 1] = name
      set[#set + 1] = string.format('%.0f', state[name])
    else
      gone[#gone + 1] = name
    end
  end
  if #gone > 0 then redis.call('HDEL', key, unpack(gone)) end
  if #set > 0 then
    redis.call('HSET', key, unpack(set))
    if state.reset_at then
      redis.call('PEXPIREAT', key, string.format('%.0f', state.reset_at + keep))
    else
      redis.call('PEXPIRE', key, string.format('%.0f', lease))
    end
  end
end

-- A window that has ended: a new one with the full limit (requests in flight still count against it).
local function roll_over(state, now)
  if state.reset_at and now >= state.reset_at then
    state.remaining = state.limit
    state.window_start = state.reset_at
    state.reset_at = nil
    return true
  end
  return false
end
"""

_ADMIT = """
-- KEYS: route map, the route's probe lock, the state of the bucket the caller believes the route uses, its leases
-- ARGV: route, that bucket ('' none), how many want to go, lease ms, this attempt's name, stale ms, keep ms
local now = clock()
local route, believed = ARGV[1], ARGV[2]
local want, lease, prefix = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local stale, keep = tonumber(ARGV[6]), tonumber(ARGV[7])

local bucket = redis.call('HGET', KEYS[1], route)
if not bucket then
  -- Nobody knows the route's bucket: one request goes as a probe, the others wait for its answer.
  local token = prefix .. 'probe'
  if redis.call('SET', KEYS[2], token, 'NX', 'PX', lease) then
    return {'probe', token}
  end
  return {'wait', redis.call('PTTL', KEYS[2])}
end
if bucket == '' then return {'free'} end
if bucket ~= believed then return {'moved', bucket} end

redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local in_flight = redis.call('ZCARD', KEYS[4])
local state = load(KEYS[3])
local changed = roll_over(state, now)
if not (state.limit or state.remaining or state.reset_at or state.answered_at) then
  state.remaining = in_flight + 1  -- nothing known (new, or expired): one request goes to learn the bucket
  changed = true
elseif state.reset_at and state.remaining and in_flight >= state.remaining and state.answered_at
    and now >= state.answered_at + stale then
  state.remaining = in_flight + 1  -- exhausted and nothing heard for long: one goes to learn the state again
  state.reset_at = nil
  changed = true
end

local granted = 0
if state.remaining == nil then
  granted = want
elseif in_flight < state.remaining then
  granted = math.min(want, state.remaining - in_flight)
elseif state.reset_at == nil and in_flight == 0 then
  granted = 1  -- exhausted with no reset known and no answer coming: never deadlock
end
if granted > 0 then
  local members = {}
  for i = 1, granted do
    members[#members + 1] = string.format('%.0f', now + lease)
    members[#members + 1] = prefix .. i
  end
  redis.call('ZADD', KEYS[4], unpack(members))
  if redis.call('PTTL', KEYS[4]) < lease then redis.call('PEXPIRE', KEYS[4], lease) end
  in_flight = in_flight + granted
end
if changed then save(KEYS[3], state, now, keep, lease) end

local delay, recheck = 0, 0
if state.remaining ~= nil and in_flight >= state.remaining then
  if state.reset_at then
    delay = state.reset_at - now
    recheck = delay
    if state.answered_at then recheck = math.min(recheck, state.answered_at + stale - now) end
  else
    delay, recheck = -1, -1  -- until an answer arrives
  end
  -- A lease that expires (its process died) frees room too.
  local first = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
  if first[2] then
    local expires = tonumber(first[2]) - now
    if recheck < 0 or expires < recheck then recheck = expires end
  end
end
return {'bucket', granted, delay, recheck, state.limit or -1, state.remaining or -1,
        state.reset_at and (state.reset_at - now) or -1, state.period or -1}
"""

_UPDATE = """
-- KEYS: route map, the route's probe lock, the leases of the bucket the ticket reserved in,
--       the state of the bucket the answer names, its leases
-- ARGV: route, lease ('' none), probe token ('' none), the answer's bucket ('' no rate-limit headers),
--       '1' if an answer arrived, limit, remaining, reset ms, period ms ('' each when absent), '1' for a 429,
--       keep ms, lease ms, route map ms
local now = clock()
local route, lease, token, name = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lease_ms = tonumber(ARGV[12])
local sent = nil  -- when the request was let go (its lease's expiry, less the lease)
if lease ~= '' then
  local expiry = tonumber(redis.call('ZSCORE', KEYS[3], lease))
  if expiry then sent = expiry - lease_ms end
  redis.call('ZREM', KEYS[3], lease)
end
if token ~= '' and redis.call('GET', KEYS[2]) == token then redis.call('DEL', KEYS[2]) end
local routes_ms = tonumber(ARGV[13])
if name == '' then
  -- An answer without rate-limit headers: the route is not limited (unless an answer said otherwise).
  if ARGV[5] == '1' and redis.call('HSETNX', KEYS[1], route, '') == 1 then redis.call('PEXPIRE', KEYS[1], routes_ms) end
  return 0
end
if redis.call('HGET', KEYS[1], route) ~= name then
  redis.call('HSET', KEYS[1], route, name)
  redis.call('PEXPIRE', KEYS[1], routes_ms)
end

local keep = tonumber(ARGV[11])
local state = load(KEYS[4])
local rolled = roll_over(state, now)
if sent and state.window_start and sent < state.window_start then
  -- Sent before the current window opened: these numbers describe an older window.
  if rolled then save(KEYS[4], state, now, keep, lease_ms) end
  return 0
end

local limit, remaining, reset, period = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local refused = ARGV[10] == '1'
local within = state.reset_at ~= nil  -- a window whose end is known: answers may arrive out of order
state.answered_at = now
if limit then state.limit = limit end
if period then state.period = period end
if remaining then
  if within and state.remaining then
    state.remaining = math.min(state.remaining, remaining)
  else
    state.remaining = remaining
  end
end
if refused then state.remaining = 0 end
if reset then
  local candidate = now + reset
  if within and not refused then
    state.reset_at = math.min(state.reset_at, candidate)
  else
    state.reset_at = candidate
  end
elseif refused and state.period then
  state.reset_at = now + state.period
end
save(KEYS[4], state, now, keep, lease_ms)
return 1
"""


class Script:
    """A Lua script run by its SHA1 (``EVALSHA``); when Redis has lost it (a restart, ``SCRIPT FLUSH``)
    it is sent whole once (``EVAL``, which also caches it again)."""

    __slots__ = ("sha", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    async def __call__(self, redis: Redis, keys: Sequence[str], args: Sequence[str | int]) -> Any:
        from redis.exceptions import NoScriptError

        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await redis.eval(self.source, len(keys), *keys, *args)


ADMIT = Script(_PRELUDE + _ADMIT)
UPDATE = Script(_PRELUDE + _UPDATE)
