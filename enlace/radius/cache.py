"""The Redis copy FreeRADIUS authorizes from (docs/radius.md, "The Redis copy"; issue 21).

PostgreSQL stays the source of truth: FreeRADIUS's tables (``radcheck``, ``radreply``,
``radusergroup``, ``radgroupcheck``, ``radgroupreply``, written by ``projection``) and the open
sessions in ``radacct``. ``CopySync`` copies what an authorization reads into Redis — one hash per
login, one per group, the login's open-session count — and keeps it in step:

- triggers on those tables (migration radius 0008) ``NOTIFY enlace_radius`` with ``u<username>``,
  ``g<groupname>``, ``s<username>`` (a session opened or closed) or ``*`` (a TRUNCATE); NOTIFY is
  delivered at commit, so ``CopySync.run`` re-reads exactly what changed, milliseconds after it
  committed (the next authorization sees it: well within the one second of the issue);
- on start, and after any lost connection to PostgreSQL or Redis, the whole copy is rebuilt before
  it is trusted again; every ``reconcile_every`` seconds it is compared with PostgreSQL and repaired
  (``check``: ``manage.py radius_cache --check`` reports the drift);
- a heartbeat key (``<prefix>fresh``) lives while ``run`` is connected to PostgreSQL and has seen
  every notification up to the last ``SELECT 1`` (once a second). Without it the Redis function
  answers ``STALE`` and FreeRADIUS asks PostgreSQL. With ``grace`` > 0, a lost PostgreSQL keeps the
  heartbeat for that many seconds (authentications go on from the last good copy; nothing can be
  committed to an unreachable database meanwhile).

Redis layout (``<prefix>`` is ``enlace:radius:`` unless ``RADIUS_REDIS_PREFIX`` says otherwise):
``u:<username>`` hash (c, m, s, mac, ip, pool, rate, list, auth, g), ``g:<group>`` hash (s, ip, pool,
rate, list, auth, _), ``o:<username>`` open sessions; read by deploy/freeradius/redis/enlace_radius.lua.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import redis
from django.conf import settings

from .postauth_loader import PostAuthLoader

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "enlace:radius:"
CHANNEL = "enlace_radius"
LUA = Path(settings.BASE_DIR) / "deploy" / "freeradius" / "redis" / "enlace_radius.lua"
#: Names per query when re-reading the logins of a batch of notifications.
CHUNK = 2000

USER_FIELDS = ("c", "m", "s", "mac", "ip", "pool", "rate", "list", "auth", "g")
GROUP_FIELDS = ("s", "ip", "pool", "rate", "list", "auth")

# The same reading as enlace_radius_authorize() (migration radius 0006), per login and per group.
USERS_SQL = """
WITH c AS (
    SELECT username,
           max(value) FILTER (WHERE attribute = 'Cleartext-Password') AS c,
           max(value) FILTER (WHERE attribute = 'MD5-Password') AS m,
           max(value) FILTER (WHERE attribute = 'Simultaneous-Use') AS s,
           max(value) FILTER (WHERE attribute = 'Calling-Station-Id' AND op = '==') AS mac,
           max(value) FILTER (WHERE attribute = 'Auth-Type') AS auth
      FROM radcheck {where} GROUP BY username),
r AS (
    SELECT username,
           max(value) FILTER (WHERE attribute = 'Framed-IP-Address') AS ip,
           max(value) FILTER (WHERE attribute = 'Framed-Pool') AS pool,
           max(value) FILTER (WHERE attribute = 'Mikrotik-Rate-Limit') AS rate,
           max(value) FILTER (WHERE attribute = 'Mikrotik-Address-List') AS list
      FROM radreply {where} GROUP BY username),
g AS (
    SELECT DISTINCT ON (username) username, groupname
      FROM radusergroup {where} ORDER BY username, priority)
SELECT c.username, c.c, c.m, c.s, c.mac, r.ip, r.pool, r.rate, r.list, c.auth, coalesce(g.groupname, '')
  FROM c LEFT JOIN r USING (username) LEFT JOIN g USING (username)
"""

GROUPS_SQL = """
WITH n AS (
    SELECT groupname FROM radgroupcheck {where}
    UNION SELECT groupname FROM radgroupreply {where}
    UNION SELECT groupname FROM radusergroup {where}),
gc AS (
    SELECT groupname,
           max(value) FILTER (WHERE attribute = 'Simultaneous-Use') AS s,
           max(value) FILTER (WHERE attribute = 'Auth-Type') AS auth
      FROM radgroupcheck {where} GROUP BY groupname),
gr AS (
    SELECT groupname,
           max(value) FILTER (WHERE attribute = 'Framed-IP-Address') AS ip,
           max(value) FILTER (WHERE attribute = 'Framed-Pool') AS pool,
           max(value) FILTER (WHERE attribute = 'Mikrotik-Rate-Limit') AS rate,
           max(value) FILTER (WHERE attribute = 'Mikrotik-Address-List') AS list
      FROM radgroupreply {where} GROUP BY groupname)
SELECT n.groupname, gc.s, gr.ip, gr.pool, gr.rate, gr.list, gc.auth
  FROM n LEFT JOIN gc USING (groupname) LEFT JOIN gr USING (groupname)
"""

OPEN_SQL = """
SELECT username, count(*) FROM radacct WHERE acctstoptime IS NULL {where} GROUP BY username
"""


def parse_redis_url(url: str) -> tuple[str, int, int]:
    """``redis://host:port/db`` → (host, port, db). A password is not supported by FreeRADIUS's
    configuration here: keep that Redis on the machine (or a private network) without one."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", ""):
        raise ValueError(f"RADIUS_REDIS_URL must be redis://host:port/db, not {url!r}")
    if parsed.password:
        raise ValueError("RADIUS_REDIS_URL: a Redis password is not supported (use a local Redis)")
    database = int((parsed.path or "/0").strip("/") or 0)
    return parsed.hostname or "127.0.0.1", parsed.port or 6379, database


def _user_mapping(row) -> dict[str, str]:
    """The hash of a login: only the items it has (an absent field is NULL in PostgreSQL)."""
    return {name: value for name, value in zip(USER_FIELDS, row[1:], strict=True) if value is not None}


def _group_mapping(row) -> dict[str, str]:
    mapping = {name: value for name, value in zip(GROUP_FIELDS, row[1:], strict=True) if value is not None}
    mapping["_"] = "1"
    return mapping


@dataclass
class Drift:
    """Differences between the copy and PostgreSQL, by kind: ``users``, ``groups``, ``sessions``
    (each a list of names that are missing, extra or different in Redis)."""

    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.users) + len(self.groups) + len(self.sessions)


class Copy:
    """The copy in Redis: read from PostgreSQL (a psycopg connection), written to Redis."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX):
        self.redis = client
        self.prefix = prefix

    # --- Keys --------------------------------------------------------------------------------

    def user_key(self, username: str) -> str:
        return f"{self.prefix}u:{username}"

    def group_key(self, groupname: str) -> str:
        return f"{self.prefix}g:{groupname}"

    def open_key(self, username: str) -> str:
        return f"{self.prefix}o:{username}"

    @property
    def fresh_key(self) -> str:
        return f"{self.prefix}fresh"

    def load_function(self) -> None:
        """Load (or replace) the Redis function FreeRADIUS calls."""
        self.redis.function_load(LUA.read_text(), replace=True)

    def beat(self, seconds: float) -> None:
        self.redis.set(self.fresh_key, "1", px=max(1, int(seconds * 1000)))

    def unbeat(self) -> None:
        self.redis.delete(self.fresh_key)

    def is_fresh(self) -> bool:
        return bool(self.redis.exists(self.fresh_key))

    # --- Reading PostgreSQL ------------------------------------------------------------------

    @staticmethod
    def _rows(conn: psycopg.Connection, sql: str, column: str, names: list[str] | None):
        if names is None:
            return conn.execute(sql.format(where="")).fetchall()
        rows = []
        for start in range(0, len(names), CHUNK):
            chunk = names[start : start + CHUNK]
            where = f"WHERE {column} = ANY(%(names)s)"
            if sql is OPEN_SQL:
                where = f"AND {column} = ANY(%(names)s)"
            rows += conn.execute(sql.format(where=where), {"names": chunk}).fetchall()
        return rows

    def pg_users(self, conn, names: list[str] | None = None) -> dict[str, dict[str, str]]:
        return {row[0]: _user_mapping(row) for row in self._rows(conn, USERS_SQL, "username", names)}

    def pg_groups(self, conn, names: list[str] | None = None) -> dict[str, dict[str, str]]:
        return {row[0]: _group_mapping(row) for row in self._rows(conn, GROUPS_SQL, "groupname", names)}

    def pg_open(self, conn, names: list[str] | None = None) -> dict[str, str]:
        return {row[0]: str(row[1]) for row in self._rows(conn, OPEN_SQL, "username", names)}

    # --- Writing Redis -----------------------------------------------------------------------

    def _write(
        self, key_of: Callable[[str], str], wanted: dict, names: Iterable[str], *, hashes: bool
    ) -> None:
        # MULTI/EXEC: a hash is replaced as a whole (a field that vanished must not linger), and
        # FreeRADIUS never reads it half written.
        pipe = self.redis.pipeline(transaction=True)
        for count, name in enumerate(names, 1):
            key = key_of(name)
            value = wanted.get(name)
            if hashes:
                pipe.delete(key)
                if value:
                    pipe.hset(key, mapping=value)
            elif value and value != "0":
                pipe.set(key, value)
            else:
                pipe.delete(key)
            if count % 5000 == 0:
                pipe.execute()
        pipe.execute()

    def write_users(self, users: dict, names: Iterable[str]) -> None:
        self._write(self.user_key, users, names, hashes=True)

    def write_groups(self, groups: dict, names: Iterable[str]) -> None:
        self._write(self.group_key, groups, names, hashes=True)

    def write_open(self, counts: dict, names: Iterable[str]) -> None:
        self._write(self.open_key, counts, names, hashes=False)

    # --- Whole copy ----------------------------------------------------------------------------

    def _redis_names(self, kind: str) -> set[str]:
        start = len(self.prefix) + len(kind) + 1
        return {key[start:] for key in self.redis.scan_iter(match=f"{self.prefix}{kind}:*", count=5000)}

    def _redis_hashes(self, key_of, names: Iterable[str]) -> dict[str, dict[str, str]]:
        names = list(names)
        result = {}
        for start in range(0, len(names), 5000):
            chunk = names[start : start + 5000]
            pipe = self.redis.pipeline(transaction=False)
            for name in chunk:
                pipe.hgetall(key_of(name))
            result.update(zip(chunk, pipe.execute(), strict=True))
        return result

    def rebuild(self, conn) -> dict[str, int]:
        """Write the whole copy from PostgreSQL and delete what PostgreSQL no longer has."""
        self.load_function()
        users, groups, counts = self.pg_users(conn), self.pg_groups(conn), self.pg_open(conn)
        self.write_groups(groups, groups)
        self.write_users(users, users)
        self.write_open(counts, counts)
        for kind, wanted, key_of in (
            ("u", users, self.user_key),
            ("g", groups, self.group_key),
            ("o", counts, self.open_key),
        ):
            stale = [key_of(name) for name in self._redis_names(kind) - set(wanted)]
            for start in range(0, len(stale), 5000):
                self.redis.delete(*stale[start : start + 5000])
        return {"users": len(users), "groups": len(groups), "open": len(counts)}

    def check(self, conn, *, repair: bool = False) -> Drift:
        """Compare the copy with PostgreSQL; with ``repair``, rewrite what differs."""
        drift = Drift()
        users, groups, counts = self.pg_users(conn), self.pg_groups(conn), self.pg_open(conn)
        for kind, wanted, key_of, found in (
            ("u", users, self.user_key, drift.users),
            ("g", groups, self.group_key, drift.groups),
        ):
            names = set(wanted) | self._redis_names(kind)
            have = self._redis_hashes(key_of, sorted(names))
            found += sorted(name for name in names if have.get(name, {}) != wanted.get(name, {}))
        names = set(counts) | self._redis_names("o")
        values = self.redis.mget([self.open_key(n) for n in sorted(names)]) if names else []
        have_open = dict(zip(sorted(names), values, strict=True))
        drift.sessions += sorted(n for n in names if (have_open.get(n) or "0") != counts.get(n, "0"))
        if repair:
            self.write_groups(groups, drift.groups)
            self.write_users(users, drift.users)
            self.write_open(counts, drift.sessions)
        return drift

    # --- Changes -------------------------------------------------------------------------------

    def apply(self, conn, payloads: Iterable[str]) -> int:
        """Re-read what a batch of notifications names and write it; returns the number of names.
        ``*`` (a TRUNCATE) rebuilds the whole copy."""
        users, groups, sessions = set(), set(), set()
        for payload in payloads:
            if payload == "*":
                self.rebuild(conn)
                return -1
            kind, name = payload[:1], payload[1:]
            {"u": users, "g": groups, "s": sessions}.get(kind, set()).add(name)
        if users:
            wanted = self.pg_users(conn, sorted(users))
            # A login's group must be in the copy before the login points at it.
            new_groups = {mapping.get("g") for mapping in wanted.values()} - {None, ""}
            groups |= {g for g in new_groups if not self.redis.exists(self.group_key(g))}
            if groups:
                self.write_groups(self.pg_groups(conn, sorted(groups)), groups)
            self.write_users(wanted, users)
        elif groups:
            self.write_groups(self.pg_groups(conn, sorted(groups)), groups)
        if sessions:
            self.write_open(self.pg_open(conn, sorted(sessions)), sessions)
        return len(users) + len(groups) + len(sessions)


class CopySync:
    """Keeps the copy in step with PostgreSQL: ``run`` until ``stop`` is set (``manage.py
    radius_cache`` runs it; the tests run it in a thread)."""

    def __init__(
        self,
        conninfo: str,
        redis_url: str,
        prefix: str = DEFAULT_PREFIX,
        *,
        fresh_seconds: float = 3.0,
        grace: float = 0.0,
        reconcile_every: float = 300.0,
        postauth_dir: Path | None = None,
        log: Callable[[str], None] | None = None,
    ):
        # A silent network must not look like a quiet database: libpq gives up on an unanswered
        # packet after 2 s, so the heartbeat stops within fresh_seconds of losing PostgreSQL.
        self.conninfo = f"{conninfo} keepalives=1 keepalives_idle=1 keepalives_interval=1 keepalives_count=2 tcp_user_timeout=2000"
        self.redis_url = redis_url
        self.prefix = prefix
        self.fresh_seconds = fresh_seconds
        self.grace = grace
        self.reconcile_every = reconcile_every
        self.log = log or logger.info
        # The post-auth lines FreeRADIUS writes with the copy (mods/postauth_lines), loaded here.
        self.postauth = PostAuthLoader(postauth_dir, log=self.log) if postauth_dir else None
        self.ready = threading.Event()
        self.rebuilds = 0
        self.repaired = 0
        self._pg_ok_at = 0.0

    def _copy(self) -> Copy:
        client = redis.Redis.from_url(
            self.redis_url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2
        )
        return Copy(client, self.prefix)

    def run(self, stop: threading.Event) -> None:
        if self.postauth:
            # Its own thread and connection: a slow COPY never delays a change reaching the copy.
            threading.Thread(target=self._postauth_run, args=(stop,), daemon=True, name="postauth").start()
        while not stop.is_set():
            copy = None
            try:
                copy = self._copy()
                self._session(copy, stop)
            except (psycopg.Error, redis.RedisError, OSError) as exc:
                self.ready.clear()
                self.log(f"radius_cache: {type(exc).__name__}: {str(exc).strip()[:200]}; retrying")
                self._grace_or_unbeat(copy)
                stop.wait(1.0)

    def _grace_or_unbeat(self, copy: Copy | None) -> None:
        """PostgreSQL or Redis lost: keep the heartbeat for ``grace`` seconds after the last moment
        PostgreSQL answered (only if Redis answers), otherwise drop it so FreeRADIUS asks PostgreSQL."""
        if copy is None:
            return
        try:
            remaining = self._pg_ok_at + self.grace - time.monotonic()
            if self.grace > 0 and self._pg_ok_at and remaining > 0:
                copy.beat(min(remaining, self.fresh_seconds))
            else:
                copy.unbeat()
        except redis.RedisError:
            pass

    def _postauth_run(self, stop: threading.Event) -> None:
        """Load the post-auth lines every half second (asynchronous commit, like the accounting
        readers: a crash of PostgreSQL itself may lose the last fraction of a second of log rows)."""
        while not stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute("SET synchronous_commit = off")
                    while not stop.is_set():
                        try:
                            self.postauth.load(conn)
                        except psycopg.DataError as exc:  # a line PostgreSQL refuses: reported, skipped
                            self.log(f"radius_cache: post-auth batch refused by PostgreSQL: {exc}")
                            for path in self.postauth.files():
                                self.postauth.skip_to_end(path)
                        stop.wait(0.5)
            except (psycopg.Error, OSError) as exc:
                self.log(
                    f"radius_cache: post-auth log: {type(exc).__name__}: {str(exc).strip()[:200]}; retrying"
                )
                stop.wait(1.0)

    def _session(self, copy: Copy, stop: threading.Event) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            # Listening first: a change committed during the rebuild arrives as a notification.
            copy.unbeat()
            started = time.monotonic()
            stats = copy.rebuild(conn)
            self.rebuilds += 1
            self.log(
                f"radius_cache: copy rebuilt in {time.monotonic() - started:.1f} s "
                f"({stats['users']} logins, {stats['groups']} groups, {stats['open']} with open sessions)"
            )
            conn.execute("SELECT 1")
            self._pg_ok_at = time.monotonic()
            copy.beat(self.fresh_seconds)
            self.ready.set()
            last_beat = last_reconcile = time.monotonic()
            while not stop.is_set():
                payloads = _buffered_notifications(conn)
                payloads += [n.payload for n in conn.notifies(timeout=0 if payloads else 0.25, stop_after=1)]
                if payloads:
                    payloads += [n.payload for n in conn.notifies(timeout=0.005, stop_after=50000)]
                    if copy.apply(conn, payloads) < 0:
                        self.rebuilds += 1
                now = time.monotonic()
                if now - last_reconcile >= self.reconcile_every:
                    drift = copy.check(conn, repair=True)
                    if drift.total:
                        self.repaired += drift.total
                        # Session counts of the last moments are in flight during an accounting
                        # burst (their notifications not applied yet): rewriting them is harmless.
                        self.log(
                            f"radius_cache: repaired {len(drift.users)} login(s), {len(drift.groups)} "
                            f"group(s) and {len(drift.sessions)} session count(s) that differed from PostgreSQL"
                        )
                    last_reconcile = now
                if now - last_beat >= min(1.0, self.fresh_seconds / 3):
                    # Every notification committed before this answer has been received above.
                    conn.execute("SELECT 1")
                    self._pg_ok_at = time.monotonic()
                    copy.beat(self.fresh_seconds)
                    last_beat = now
        copy.unbeat()


def _buffered_notifications(conn: psycopg.Connection) -> list[str]:
    """Notifications libpq has already read from the socket but nobody took yet: ``notifies()``
    waits for the socket to become readable, and would leave them until the next packet."""
    payloads = []
    while notify := conn.pgconn.notifies():
        payloads.append(notify.extra.decode())
    return payloads
