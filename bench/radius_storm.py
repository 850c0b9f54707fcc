"""RADIUS bench (``bench/radius.py``): the storm drill — every login online (Access-Request then
Accounting-Start) as fast as the concentrators send, then an Interim-Update each — and the CPU of
each process while it is answered."""

import hashlib
import os
import select
import socket
import struct
import sys
import time
from array import array

import psycopg

from bench.radius_data import COPY_PREFIX, SECRET, _count, _pg_params, username
from bench.radius_load import Requests, _machine_ticks, _postgres_pids, _ticks
from bench.radius_setups import Setup

STORM_PREFIX = "storm-"


def accounting_request(secret: bytes, ident: int, i: int, status: int) -> bytes:
    """Accounting-Request (RFC 2866) of login ``i``: Start (1) or Interim-Update (3, with counters
    ``in = 1000 + i``, ``out = 2000 + i`` that the check reads back from radacct)."""
    attr = Requests._attr
    body = (
        attr(1, username(i).encode())
        + attr(40, struct.pack("!I", status))
        + attr(44, f"{STORM_PREFIX}{i:06d}".encode())
        + attr(4, socket.inet_aton("127.0.0.1"))
        + attr(5, struct.pack("!I", i & 0xFFFF))
        + attr(8, socket.inet_aton(f"100.{64 + (i >> 16 & 63)}.{i >> 8 & 255}.{i & 255}"))
        + attr(31, f"02:00:00:{i >> 16 & 255:02X}:{i >> 8 & 255:02X}:{i & 255:02X}".encode())
    )
    if status == 3:
        body += (
            attr(42, struct.pack("!I", 1000 + i))
            + attr(43, struct.pack("!I", 2000 + i))
            + attr(46, struct.pack("!I", 300))
        )
    head = struct.pack("!BBH", 4, ident, 20 + len(body))
    authenticator = hashlib.md5(head + b"\0" * 16 + body + secret, usedforsecurity=False).digest()
    return head + authenticator + body


def storm(setup: "Setup", n: int, *, concurrency: int, interim: bool = False, retry: float = 3.0) -> dict:
    """``concurrency`` concentrators, one packet in flight each, bring ``n`` logins online: an
    Access-Request, then on the Access-Accept an Accounting-Start (or, with ``interim``, only an
    Interim-Update per login). A packet unanswered after ``retry`` seconds is retransmitted as a
    NAS does (same identifier and authenticator)."""
    auth = ("127.0.0.1", setup.port)
    acct = ("127.0.0.1", setup.acct_port)
    requests = Requests(n, SECRET)
    secret = SECRET.encode()
    poller = select.epoll()
    socks, state = {}, {}
    todo = iter(range(n))
    counts = {"auth": 0, "acct": 0, "reject": 0, "retransmissions": 0, "gave_up": 0}
    latency = {"auth": array("d"), "acct": array("d")}
    for _ in range(concurrency):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        socks[sock.fileno()] = sock
        poller.register(sock.fileno(), select.EPOLLIN)
    idents = dict.fromkeys(socks, 0)

    def send(fd, i, stage, now):
        idents[fd] = ident = (idents[fd] + 1) & 0xFF
        if stage == "auth":
            data, dest = requests.make(ident, i), auth
        else:
            data, dest = accounting_request(secret, ident, i, 3 if interim else 1), acct
        socks[fd].sendto(data, dest)
        state[fd] = [i, stage, ident, now, data, dest, 0]

    def next_login(fd, now):
        i = next(todo, None)
        if i is None:
            state.pop(fd, None)
        else:
            send(fd, i, "acct" if interim else "auth", now)

    started = time.perf_counter()
    for fd in socks:
        next_login(fd, started)
    last_sweep = started
    while state:
        events = poller.poll(0.05)
        now = time.perf_counter()
        for fd, _event in events:
            data = socks[fd].recv(4096)
            current = state.get(fd)
            if not current or len(data) < 20 or data[1] != current[2]:
                continue
            i, stage = current[0], current[1]
            if not current[6]:  # answer time of packets not retransmitted
                latency[stage].append(now - current[3])
            if stage == "auth":
                counts["auth"] += 1
                if data[0] == 2:
                    send(fd, i, "acct", now)
                    continue
                counts["reject"] += 1
            else:
                counts["acct"] += 1
            next_login(fd, now)
        if now - last_sweep > 0.2:
            last_sweep = now
            for fd, current in list(state.items()):
                if now - current[3] > retry:
                    if current[6] >= 5:  # a NAS gives up after a few retransmissions
                        counts["gave_up"] += 1
                        next_login(fd, now)
                        continue
                    socks[fd].sendto(current[4], current[5])
                    current[3], current[6] = now, current[6] + 1
                    counts["retransmissions"] += 1
    elapsed = time.perf_counter() - started
    for sock in socks.values():
        sock.close()
    poller.close()
    packets = counts["auth"] + counts["acct"]
    pct = {}
    for stage, values in latency.items():
        ordered = sorted(values)
        for p in (50, 99):
            pct[f"{stage}_p{p}"] = ordered[int(p / 100 * (len(ordered) - 1))] * 1000 if ordered else 0.0
    return {**counts, **pct, "elapsed": elapsed, "rate": packets / elapsed if elapsed else 0}


def _storm_rows(dbname: str, *, interim: bool) -> int:
    where = f"acctsessionid LIKE '{STORM_PREFIX}%' AND acctstoptime IS NULL"
    if interim:
        where += " AND acctinputoctets >= 1000 AND acctoutputoctets = acctinputoctets + 1000"
    return _count(dbname, f"SELECT count(*) FROM radacct WHERE {where}")  # noqa: S608 (constants)


def wait_radacct(setup: "Setup", n: int, *, interim: bool, timeout: float) -> tuple[float, int]:
    """Seconds until ``n`` storm sessions (with the interim counters) are in radacct, and how many."""
    started = time.perf_counter()
    while True:
        rows = _storm_rows(setup.dbname, interim=interim)
        if rows >= n or time.perf_counter() - started > timeout:
            return time.perf_counter() - started, rows
        time.sleep(0.25)


def storm_drill(setup: "Setup", args) -> dict:
    """All logins online (auth + Accounting-Start) as fast as ``args.nas`` concentrators send,
    then an Interim-Update for each; what reached radacct, and when."""
    with psycopg.connect(**_pg_params(setup.dbname), autocommit=True) as conn:
        conn.execute(f"DELETE FROM radacct WHERE acctsessionid LIKE '{STORM_PREFIX}%'")  # noqa: S608
    if setup.copy_process:
        _wait_copy_sessions(setup, args)
    out = {}
    for phase, interim in (("start", False), ("interim", True)):
        if interim:
            # Statistics from before the storm make PostgreSQL plan the stock Interim-Update as a
            # walk of a whole partial index (50 ms a row). In production autovacuum analyzes radacct
            # soon after (migration radius 0006 lowers its threshold); the bench does not wait for it.
            with psycopg.connect(**_pg_params(setup.dbname), autocommit=True) as conn:
                conn.execute("ANALYZE radacct")
        cpu = StormCpu(setup)
        result = storm(setup, args.n, concurrency=args.nas, interim=interim)
        answered_cpu = cpu.split()
        lag, rows = wait_radacct(setup, args.n, interim=interim, timeout=args.drain_timeout)
        result["online"] = result["elapsed"] + lag
        result["rows"] = rows
        result["rows_per_s"] = rows / result["online"] if result["online"] else 0
        out[phase] = result
        print(f"  {setup.label} storm {phase}, CPU while answering: {answered_cpu}", file=sys.stderr)
        print(
            f"  {setup.label} storm {phase}: answer times p50/p99 "
            + (f"auth {result['auth_p50']:.1f}/{result['auth_p99']:.1f} ms, " if not interim else "")
            + f"accounting {result['acct_p50']:.1f}/{result['acct_p99']:.1f} ms; "
            f"{result['rows_per_s']:,.0f} rows/s into radacct (storm start to the last row)",
            file=sys.stderr,
        )
        print(
            f"  {setup.label} storm {phase}: {result['rate']:,.0f} packets/s answered, "
            f"{result['auth']:,} auth + {result['acct']:,} acct in {result['elapsed']:.1f} s, "
            f"{result['retransmissions']:,} retransmissions, {result['reject']} rejected, "
            f"{result['gave_up']} given up; {rows:,} of {args.n:,} in radacct after {result['online']:.1f} s",
            file=sys.stderr,
        )
    with psycopg.connect(**_pg_params(setup.dbname), autocommit=True) as conn:
        conn.execute(f"DELETE FROM radacct WHERE acctsessionid LIKE '{STORM_PREFIX}%'")  # noqa: S608
    return out


class StormCpu:
    """CPU of each process of a set-up (and of this load generator) from now to ``split()``."""

    def __init__(self, setup: "Setup"):
        self.pids = {
            "radiusd": [setup.server.process.pid],
            "postgres": _postgres_pids(setup.dbname),
            "loader": [setup.loader.pid] if setup.loader else [],
            "radius_cache": [setup.copy_process.pid] if setup.copy_process else [],
            "redis": [setup.redis_pid] if setup.redis_pid else [],
        }
        self.before = {name: _ticks(pids) for name, pids in self.pids.items()}
        self.client = time.process_time()
        self.machine = _machine_ticks()
        self.wall = time.perf_counter()

    def split(self) -> str:
        hz, wall = os.sysconf("SC_CLK_TCK"), time.perf_counter() - self.wall
        parts = [
            f"{name} {(_ticks(pids) - self.before[name]) / hz / wall * 100:.0f}%"
            for name, pids in self.pids.items()
            if pids
        ]
        parts.append(f"load generator {(time.process_time() - self.client) / wall * 100:.0f}%")
        busy, total = (a - b for a, b in zip(_machine_ticks(), self.machine, strict=True))
        return ", ".join(parts) + f"; machine busy {busy / total * 100:.0f}% of {os.cpu_count()} CPUs"


def _wait_copy_sessions(setup: "Setup", args, timeout: float = 120) -> None:
    """Wait until the copy's open-session counts have caught up with sessions just deleted (by
    an earlier drill on the same database): a login still counted would be refused."""
    import redis

    client = redis.Redis.from_url(args.redis_url)
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        counted = sum(1 for _ in client.scan_iter(match=f"{COPY_PREFIX}o:*", count=10000))
        if counted <= _count(
            setup.dbname, "SELECT count(DISTINCT username) FROM radacct WHERE acctstoptime IS NULL"
        ):
            return
        time.sleep(0.5)
