"""Accounting into ``radacct`` in batches (docs/radius.md, "Accounting in batches"; issue 21).

On PostgreSQL FreeRADIUS appends one line per Accounting-Request to
``$RADIUS_STATE_DIR/spool/accounting-batch/acct-YYYYMMDD-HHMM.tsv`` (``mods/acct_lines``, a
``linelog``) and answers the NAS at once. ``AccountingLoader`` applies the new complete lines with a
few set-based statements per batch instead of one stock query per packet, with the stock queries'
outcome (Debian's ``mods-config/sql/main/postgresql/queries.conf``):

- Start: insert the session, or (the key already there) set its start and update time and
  ``connectinfo_start``, whether or not it was stopped (the stock query and its fallback);
- Interim-Update: update the open session's counters; a session not there is inserted with them
  (its Start was lost); a stopped one is left alone;
- Stop: close the session with its counters (an already stopped one is updated again); a session
  not there is inserted closed;
- Accounting-On/Off: close the NAS's sessions open since before the event (cause ``NAS-Reboot``
  unless the packet gives one);
- any other Acct-Status-Type: nothing (as the stock configuration).

Packets of one session are applied in the order they arrived: a batch is cut into steps in which a
session appears at most once, and an Accounting-On/Off is a step of its own between what came
before and after it. Each batch is one transaction that also moves the file's position
(``RadAcctLoadPosition``): a crash before the commit leaves the position where it was and the lines
are applied by the next run; after it, they are never applied again. A file is deleted once loaded
to its end, when a newer one exists and it has not changed for ``settle`` seconds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

logger = logging.getLogger(__name__)

#: Bytes read from a file per batch (about 5,000 lines).
BATCH_BYTES = 1 << 20
SEPARATOR = b"|"
#: Fields of a line, in the order of mods/acct_lines' format.
FIELDS = (
    "status",
    "ts",
    "uid",
    "sid",
    "nas",
    "port",
    "ptype",
    "stime",
    "auth",
    "info",
    "in_octets",
    "in_giga",
    "out_octets",
    "out_giga",
    "called",
    "calling",
    "cause",
    "svc",
    "proto",
    "ip",
    "ip6",
    "pfx6",
    "ifid",
    "dpfx",
    "username",
)
#: Fields FreeRADIUS writes through %{escape:…} (any byte outside the safe set as =XX).
ESCAPED = frozenset({"sid", "port", "info", "called", "calling", "username"})
STATUSES = {"Start": "start", "Interim-Update": "interim", "Stop": "stop"}
ON_OFF = {"Accounting-On", "Accounting-Off"}
_HEX = re.compile(rb"=([0-9A-F]{2})")


def _unescape(raw: bytes) -> str:
    return _HEX.sub(lambda m: bytes((int(m.group(1), 16),)), raw).decode("utf-8", "replace")


def _int(raw: bytes) -> int | None:
    return int(raw) if raw.strip() else None


@dataclass(slots=True)
class Record:
    """One Accounting-Request as the stock queries would read it."""

    status: str
    ts: int
    uid: str
    sid: str
    username: str
    nas: str
    port: str | None
    ptype: str
    stime: int | None
    auth: str
    info: str
    in_octets: int
    out_octets: int
    called: str
    calling: str
    cause: str
    svc: str
    proto: str
    ip: str | None
    ip6: str | None
    pfx6: str | None
    ifid: str | None
    dpfx: str | None


def parse_line(raw: bytes) -> Record | None:
    """A line of mods/acct_lines, or None for a status the stock queries do nothing with. Raises
    ValueError for a line that is not one."""
    parts = raw.split(SEPARATOR, len(FIELDS) - 1)
    if len(parts) != len(FIELDS):
        raise ValueError(f"{len(parts)} fields")
    f = {
        name: (_unescape(value) if name in ESCAPED else value.decode("utf-8", "replace"))
        for name, value in zip(FIELDS, parts, strict=True)
    }
    status = f["status"]
    if status in ON_OFF:
        kind = "onoff"
    elif status in STATUSES:
        kind = STATUSES[status]
    else:
        return None
    if not f["uid"] and kind != "onoff":
        raise ValueError("no Acct-Unique-Session-Id")
    octets = {}
    for way in ("in", "out"):
        octets[way] = ((_int(parts[FIELDS.index(f"{way}_giga")]) or 0) << 32) + (
            _int(parts[FIELDS.index(f"{way}_octets")]) or 0
        )
    return Record(
        status=kind,
        ts=int(f["ts"]),
        uid=f["uid"],
        sid=f["sid"],
        username=f["username"],
        nas=f["nas"],
        port=f["port"] or None,
        ptype=f["ptype"],
        stime=_int(parts[FIELDS.index("stime")]),
        auth=f["auth"],
        info=f["info"],
        in_octets=octets["in"],
        out_octets=octets["out"],
        called=f["called"],
        calling=f["calling"],
        cause=f["cause"],
        svc=f["svc"],
        proto=f["proto"],
        ip=f["ip"] or None,
        ip6=f["ip6"] or None,
        pfx6=f["pfx6"] or None,
        ifid=f["ifid"] or None,
        dpfx=f["dpfx"] or None,
    )


def parse(data: bytes, log: Callable[[str], None] = logger.warning) -> list[Record]:
    """Records of complete lines; a malformed line is reported and skipped."""
    records = []
    for raw in data.split(b"\n"):
        if not raw:
            continue
        try:
            record = parse_line(raw)
        except (ValueError, IndexError) as exc:
            log(f"radius accounting: skipped a malformed line ({exc}): {raw[:300]!r}")
            continue
        if record is not None:
            records.append(record)
    return records


def steps(records: list[Record]) -> list[list[Record]]:
    """Cut a batch into steps applied one after the other, in which each session appears at most
    once (its packets keep their order across steps); an Accounting-On/Off is a step of its own."""
    out: list[list[Record]] = []
    segment: list[list[Record]] = []
    seen: dict[str, int] = {}
    for record in records:
        if record.status == "onoff":
            out += segment
            out.append([record])
            segment, seen = [], {}
            continue
        generation = seen.get(record.uid, 0)
        seen[record.uid] = generation + 1
        if generation == len(segment):
            segment.append([])
        segment[generation].append(record)
    return out + segment


# --- The statements ---------------------------------------------------------------------------

_DATA = """
WITH d AS (
    SELECT * FROM unnest(
        %(uid)s::text[], %(sid)s::text[], %(username)s::text[], %(nas)s::inet[], %(port)s::text[],
        %(ptype)s::text[], %(ts)s::bigint[], %(stime)s::bigint[], %(auth)s::text[], %(info)s::text[],
        %(in_octets)s::bigint[], %(out_octets)s::bigint[], %(called)s::text[], %(calling)s::text[],
        %(cause)s::text[], %(svc)s::text[], %(proto)s::text[], %(ip)s::inet[], %(ip6)s::inet[],
        %(pfx6)s::inet[], %(ifid)s::text[], %(dpfx)s::inet[]
    ) AS d(uid, sid, username, nas, port, ptype, ts, stime, auth, info, in_octets, out_octets,
           called, calling, cause, svc, proto, ip, ip6, pfx6, ifid, dpfx)
)"""
_COLUMNS = """acctsessionid, acctuniqueid, username, realm, nasipaddress, nasportid, nasporttype,
    acctstarttime, acctupdatetime, acctstoptime, acctsessiontime, acctauthentic, connectinfo_start,
    connectinfo_stop, acctinputoctets, acctoutputoctets, calledstationid, callingstationid,
    acctterminatecause, servicetype, framedprotocol, framedipaddress, framedipv6address,
    framedipv6prefix, framedinterfaceid, delegatedipv6prefix"""
_FRAMED = """framedipaddress = d.ip, framedipv6address = d.ip6, framedipv6prefix = d.pfx6,
    framedinterfaceid = d.ifid, delegatedipv6prefix = d.dpfx"""

# The stock "start" query (INSERT … ON CONFLICT DO UPDATE … WHERE still open) and its fallback
# (the same UPDATE whether or not the session was stopped) are, together, this one statement.
START_SQL = f"""{_DATA}
INSERT INTO radacct ({_COLUMNS})
SELECT sid, uid, username, NULL, nas, port, ptype, to_timestamp(ts), to_timestamp(ts), NULL, 0, auth,
       info, NULL, 0, 0, called, calling, NULL, svc, proto, ip, ip6, pfx6, ifid, dpfx FROM d
ON CONFLICT (acctuniqueid) DO UPDATE SET
    acctstarttime = EXCLUDED.acctstarttime,
    acctupdatetime = EXCLUDED.acctupdatetime,
    connectinfo_start = EXCLUDED.connectinfo_start"""  # noqa: S608 (constants)

# Stock "interim-update": update the open session; none updated → insert it (ON CONFLICT DO NOTHING,
# so a stopped session stays as it is).
INTERIM_SQL = f"""{_DATA},
u AS (
    UPDATE radacct r SET {_FRAMED},
        acctsessiontime = d.stime,
        acctinterval = d.ts - extract(epoch FROM coalesce(r.acctupdatetime, r.acctstarttime)),
        acctupdatetime = to_timestamp(d.ts),
        acctinputoctets = d.in_octets,
        acctoutputoctets = d.out_octets
    FROM d WHERE r.acctuniqueid = d.uid AND r.acctstoptime IS NULL
    RETURNING r.acctuniqueid)
INSERT INTO radacct ({_COLUMNS})
SELECT sid, uid, username, NULL, nas, port, ptype, to_timestamp(ts), to_timestamp(ts), NULL, stime,
       auth, info, NULL, in_octets, out_octets, called, calling, NULL, svc, proto, ip, ip6, pfx6,
       ifid, dpfx
  FROM d WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.acctuniqueid = d.uid)
ON CONFLICT (acctuniqueid) DO NOTHING"""  # noqa: S608 (constants)

# Stock "stop": update the open session; else insert it closed; else (it was already stopped) the
# same update again — so: update the session whatever its state, insert it when absent.
STOP_SQL = f"""{_DATA},
u AS (
    UPDATE radacct r SET
        acctstoptime = to_timestamp(d.ts),
        acctupdatetime = to_timestamp(d.ts),
        acctsessiontime = coalesce(d.stime, d.ts - extract(epoch FROM r.acctstarttime)),
        acctinputoctets = d.in_octets,
        acctoutputoctets = d.out_octets,
        acctterminatecause = d.cause,
        {_FRAMED},
        connectinfo_stop = d.info
    FROM d WHERE r.acctuniqueid = d.uid
    RETURNING r.acctuniqueid)
INSERT INTO radacct ({_COLUMNS})
SELECT sid, uid, username, NULL, nas, port, ptype, to_timestamp(ts - coalesce(stime, 0)),
       to_timestamp(ts), to_timestamp(ts), stime, auth, info, NULL, in_octets, out_octets, called,
       calling, cause, svc, proto, ip, ip6, pfx6, ifid, dpfx
  FROM d WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.acctuniqueid = d.uid)
ON CONFLICT (acctuniqueid) DO NOTHING"""  # noqa: S608 (constants)

# Stock "accounting-on" / "accounting-off" (the bulk close).
ONOFF_SQL = """
UPDATE radacct SET
    acctstoptime = to_timestamp(%(ts)s),
    acctupdatetime = to_timestamp(%(ts)s),
    acctsessiontime = %(ts)s - extract(epoch FROM acctstarttime),
    acctterminatecause = %(cause)s
WHERE acctstoptime IS NULL AND nasipaddress = %(nas)s::inet AND acctstarttime <= to_timestamp(%(ts)s)"""

STATEMENTS = {"start": START_SQL, "interim": INTERIM_SQL, "stop": STOP_SQL}
#: Every value of a record but its status, sent as one array each (``%(name)s`` in the SQL).
_ARRAYS = tuple(field.name for field in dataclasses.fields(Record) if field.name != "status")


def apply(cursor, records: list[Record]) -> None:
    """Apply ``records`` (in arrival order) inside the caller's transaction."""
    for step in steps(records):
        if step[0].status == "onoff":
            record = step[0]
            cursor.execute(
                ONOFF_SQL, {"ts": record.ts, "nas": record.nas, "cause": record.cause or "NAS-Reboot"}
            )
            continue
        for kind, sql in STATEMENTS.items():
            rows = [record for record in step if record.status == kind]
            if rows:
                cursor.execute(sql, {name: [getattr(r, name) for r in rows] for name in _ARRAYS})


# --- The loader -------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running (not gone, not a zombie waiting for its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


POSITION_LOCK_SQL = """
INSERT INTO enlace_radacct_load_position (name, inode, "offset", updated) VALUES (%s, %s, 0, now())
ON CONFLICT (name) DO NOTHING"""


class AccountingLoader:
    """Applies the accounting lines of ``directory`` to radacct, batch by batch (see the module)."""

    def __init__(self, directory: Path, *, settle: float = 2.0, log: Callable[[str], None] | None = None):
        self.directory = Path(directory).resolve()
        self.settle = settle
        self.log = log or logger.warning
        self.host = socket.gethostname()
        self.loaded = 0
        self.batches = 0

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("acct-*.tsv")) if self.directory.exists() else []

    def key(self, path: Path) -> str:
        return f"{self.host}:{path}"

    def _position(self, cursor, path: Path, inode: int, *, lock: bool) -> int:
        """The file's applied length (0 for a new file, or a new file under an old name)."""
        if lock:
            cursor.execute(POSITION_LOCK_SQL, (self.key(path), inode))
        cursor.execute(
            'SELECT inode, "offset" FROM enlace_radacct_load_position WHERE name = %s'  # noqa: S608
            + (" FOR UPDATE" if lock else ""),
            (self.key(path),),
        )
        row = cursor.fetchone()
        if row is None or row[0] != inode:
            return 0
        return row[1]

    def pending(self, conn) -> bool:
        """Lines not applied yet (the bench and the tests wait for none)."""
        with conn.cursor() as cursor:
            for path in self.files():
                try:
                    stat = path.stat()
                except FileNotFoundError:  # loaded and deleted meanwhile
                    continue
                if stat.st_size > self._position(cursor, path, stat.st_ino, lock=False):
                    return True
        return False

    def load_batch(self, conn, path: Path) -> tuple[int, bool]:
        """Apply the next batch of ``path``: (records applied, whether more complete lines wait)."""
        inode = path.stat().st_ino
        with conn.transaction(), conn.cursor() as cursor:
            # The position row is locked for the batch: a second loader on the same files waits,
            # then starts after what this one committed.
            offset = self._position(cursor, path, inode, lock=True)
            with path.open("rb") as f:
                f.seek(offset)
                data = f.read(BATCH_BYTES)
            end = data.rfind(b"\n") + 1
            if not end:
                return 0, False
            records = parse(data[:end], self.log)
            self._apply(conn, cursor, records)
            cursor.execute(
                'UPDATE enlace_radacct_load_position SET inode = %s, "offset" = %s, updated = now() '
                "WHERE name = %s",
                (inode, offset + end, self.key(path)),
            )
        self.loaded += len(records)
        self.batches += 1
        return len(records), len(data) == BATCH_BYTES

    def _apply(self, conn, cursor, records: list[Record]) -> None:
        """The batch at once; if PostgreSQL refuses a value in it (an address that is not one, a
        number out of range), record by record, reporting and skipping the refused ones."""
        try:
            with conn.transaction():
                apply(cursor, records)
            return
        except (psycopg.DataError, psycopg.IntegrityError) as exc:
            self.log(f"radius accounting: a batch was refused ({exc}); applying it line by line")
        for record in records:
            try:
                with conn.transaction():
                    apply(cursor, [record])
            except (psycopg.DataError, psycopg.IntegrityError) as exc:
                self.log(f"radius accounting: skipped a record PostgreSQL refused ({exc}): {record!r}")

    def load(self, conn) -> int:
        """Apply every complete line not applied yet; returns the number of records applied."""
        applied = 0
        files = self.files()
        for index, path in enumerate(files):
            try:
                while True:
                    count, more = self.load_batch(conn, path)
                    applied += count
                    if not more:
                        break
                self._forget_if_done(conn, path, last=index == len(files) - 1)
            except FileNotFoundError:  # removed by another loader meanwhile
                continue
        return applied

    def _forget_if_done(self, conn, path: Path, *, last: bool) -> None:
        """Delete a file loaded to its end once a newer one exists and it has settled; its position
        row goes after the file (a crash in between leaves a row for a file that is gone)."""
        if last:
            return
        stat = path.stat()
        if time.time() - stat.st_mtime <= self.settle:
            return
        with conn.cursor() as cursor:
            if self._position(cursor, path, stat.st_ino, lock=False) < stat.st_size:
                return
        path.unlink()
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("DELETE FROM enlace_radacct_load_position WHERE name = %s", (self.key(path),))

    def run(self, connect: Callable[[], object], stop, *, interval: float = 0.2, parent: int | None = None):
        """Load until ``stop`` is set (or the process ``parent`` is gone); a lost database is
        retried every second, the lines waiting in their files meanwhile."""
        conn = None
        while not stop.is_set():
            if parent is not None and not _alive(parent):
                self.log("radius accounting: FreeRADIUS is gone; the loader stops.")
                break
            try:
                if conn is None or conn.closed:
                    conn = connect()
                self.load(conn)
            except Exception as exc:  # noqa: BLE001 (the loader keeps going; lines wait on disk)
                self.log(f"radius accounting: {type(exc).__name__}: {exc}; retrying in 1 s")
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
                conn = None
                stop.wait(1.0)
                continue
            stop.wait(interval)
        if conn is not None:
            conn.close()
