#!lua name=enlace_radius
-- The in-memory copy FreeRADIUS authorizes from (docs/radius.md, "The Redis copy"). Loaded into
-- Redis by `manage.py radius_cache` (FUNCTION LOAD REPLACE); called by policy.conf as
--   FCALL enlace_authorize 0 <prefix> <username>
-- It reads what `radius_cache` copied from PostgreSQL (the source of truth):
--   <prefix>u:<username>  hash: c (Cleartext-Password), m (MD5-Password), s (Simultaneous-Use),
--                         mac (Calling-Station-Id ==), ip, pool, rate, list, auth (Auth-Type),
--                         g (the login's group, "" for none)
--   <prefix>g:<group>     hash: s, ip, pool, rate, list, auth, and "_" (present for every group)
--   <prefix>o:<username>  the login's open sessions in radacct (absent: none)
--   <prefix>fresh         present while radius_cache is connected to PostgreSQL and caught up
--                         (it expires a few seconds after radius_cache stops or loses PostgreSQL)
-- and answers one line:
--   STALE                 the copy cannot be trusted now (no heartbeat, or the login's group is
--                         missing): FreeRADIUS asks PostgreSQL instead
--   UNKNOWN               no such login in the copy: FreeRADIUS asks PostgreSQL (a login created
--                         a moment ago may not be copied yet)
--   OK<TAB>simultaneous-use<TAB>mac<TAB>ip<TAB>pool<TAB>rate<TAB>list<TAB>auth-type<TAB>open<TAB>kind<TAB>password
--                         kind is C (clear), M (MD5) or "" (no password); the password comes last
--                         so that any character in it is kept. A group item overrides the
--                         login's own, as rlm_sql applies group rows after the user's.

local USER_FIELDS = {'c', 'm', 's', 'mac', 'ip', 'pool', 'rate', 'list', 'auth', 'g'}
local GROUP_FIELDS = {'s', 'ip', 'pool', 'rate', 'list', 'auth', '_'}

local function first(a, b)
  if a then return a end
  if b then return b end
  return ''
end

local function authorize(keys, args)
  local prefix, username = args[1], args[2]
  if redis.call('EXISTS', prefix .. 'fresh') == 0 then
    return 'STALE'
  end
  local u = redis.call('HMGET', prefix .. 'u:' .. username, unpack(USER_FIELDS))
  if not u[10] then
    return 'UNKNOWN'
  end
  local g = {false, false, false, false, false, false, '1'}
  if u[10] ~= '' then
    g = redis.call('HMGET', prefix .. 'g:' .. u[10], unpack(GROUP_FIELDS))
    if not g[7] then
      return 'STALE'
    end
  end
  local open = redis.call('GET', prefix .. 'o:' .. username) or '0'
  local kind, password = '', ''
  if u[1] and u[1] ~= '' then
    kind, password = 'C', u[1]
  elseif u[2] and u[2] ~= '' then
    kind, password = 'M', u[2]
  end
  return table.concat({
    'OK',
    first(g[1], u[3]),
    first(u[4], nil),
    first(g[2], u[5]),
    first(g[3], u[6]),
    first(g[4], u[7]),
    first(g[5], u[8]),
    first(g[6], u[9]),
    open,
    kind,
    password,
  }, '\t')
end

redis.register_function{
  function_name = 'enlace_authorize',
  callback = authorize,
  flags = {'no-writes', 'allow-stale'},
}
