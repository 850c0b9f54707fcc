"""RADIUS bench (``bench/radius.py``): the authentication load generator, the measured windows
with the CPU of each process, the post-auth log check and the block probe."""

import hashlib
import os
import random
import select
import socket
import struct
import sys
import time
from array import array
from pathlib import Path

import psycopg
from django.contrib.auth import get_user_model

from bench.radius_data import SECRET, _count, _pg_params, password, username
from bench.radius_setups import Setup
from enlace.radius.models import Login
from enlace.radius.postauth_loader import PostAuthLoader


class Requests:
    """Access-Requests encoded here (RFC 2865), each with a fresh Request Authenticator, so that
    FreeRADIUS never mistakes one for a retransmission."""

    def __init__(self, n: int, secret: str, seed: int = 11):
        self.secret = secret.encode()
        self.rnd = random.Random(seed)
        self.n = n
        self.common = (
            self._attr(4, socket.inet_aton("127.0.0.1"))  # NAS-IP-Address
            + self._attr(6, struct.pack("!I", 2))  # Service-Type = Framed-User
            + self._attr(7, struct.pack("!I", 1))  # Framed-Protocol = PPP
            + self._attr(61, struct.pack("!I", 15))  # NAS-Port-Type = Ethernet
            + self._attr(30, b"pppoe-bench")  # Called-Station-Id
        )

    @staticmethod
    def _attr(kind: int, value: bytes) -> bytes:
        return bytes((kind, len(value) + 2)) + value

    def make(self, ident: int, i: int | None = None) -> bytes:
        if i is None:
            i = self.rnd.randrange(self.n)
        authenticator = self.rnd.randbytes(16)
        secret_hash = hashlib.md5(self.secret + authenticator, usedforsecurity=False).digest()
        clear = password(i).encode().ljust(16, b"\0")
        hidden = bytes(a ^ b for a, b in zip(clear, secret_hash, strict=True))
        mac = f"02:00:{i >> 24 & 255:02X}:{i >> 16 & 255:02X}:{i >> 8 & 255:02X}:{i & 255:02X}".encode()
        body = (
            self._attr(1, username(i).encode())
            + self._attr(2, hidden)
            + self.common
            + self._attr(5, struct.pack("!I", i & 0xFFFF))  # NAS-Port
            + self._attr(31, mac)  # Calling-Station-Id
        )
        return struct.pack("!BBH", 1, ident, 20 + len(body)) + authenticator + body


def generate_load(port: int, *, concurrency: int, duration: float, warmup: float, users: int) -> dict:
    """Closed loop: ``concurrency`` sockets, one request in flight each, for warm-up + duration
    seconds; latencies and answers are counted after the warm-up only."""
    requests = Requests(users, SECRET)
    poller = select.epoll()
    socks, state = {}, {}
    for _ in range(concurrency):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks[s.fileno()] = s
        poller.register(s.fileno(), select.EPOLLIN)
    latencies = array("d")
    counts = {"sent": 0, "accept": 0, "reject": 0, "other": 0, "timeout": 0, "answered": 0}
    begin = time.perf_counter()
    measure_from = begin + warmup
    end = measure_from + duration
    cpu_start = None

    def send(fd, now):
        ident = (state.get(fd, (0, -1))[1] + 1) & 0xFF
        socks[fd].send(requests.make(ident))
        state[fd] = (now, ident)
        counts["sent"] += 1

    now = time.perf_counter()
    for fd in socks:
        send(fd, now)
    last_sweep = now
    while state:
        events = poller.poll(0.05)
        now = time.perf_counter()
        if cpu_start is None and now >= measure_from:
            cpu_start = (time.process_time(), now)
            counts_at_start = dict(counts)
        for fd, _event in events:
            data = socks[fd].recv(4096)
            sent_at, ident = state.get(fd, (None, None))
            if sent_at is None or len(data) < 20 or data[1] != ident:
                continue
            counts["answered"] += 1
            if sent_at >= measure_from and now <= end:
                latencies.append(now - sent_at)
                code = data[0]
                counts["accept" if code == 2 else "reject" if code == 3 else "other"] += 1
            if now < end:
                send(fd, now)
            else:
                del state[fd]
        if now - last_sweep > 0.25:
            last_sweep = now
            for fd, (sent_at, _ident) in list(state.items()):
                if now - sent_at > 3:
                    counts["timeout"] += 1
                    if now < end:
                        send(fd, now)
                    else:
                        del state[fd]
    cpu = time.process_time() - cpu_start[0] if cpu_start else 0.0
    for s in socks.values():
        s.close()
    poller.close()
    measured = len(latencies)
    ordered = sorted(latencies)

    def pick(p):
        return (
            ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000 if ordered else 0
        )

    return {
        **counts,
        "measured": measured,
        "rate": measured / duration,
        "p50": pick(50),
        "p99": pick(99),
        "generator_cpu": cpu / duration,
        "sent_during_warmup": counts_at_start["sent"] if cpu_start else 0,
    }


def _spool_pending(spool: Path) -> bool:
    """Post-auth answers not in radpostauth yet: lines not loaded (batch) or spool files."""
    if spool.name == "postauth-batch":
        return PostAuthLoader(spool).pending()
    return any(spool.iterdir())


def block_probe(setup: "Setup", args) -> str:
    """While the load runs, block the contract of login 0 through Enlace's service and time the
    first Access-Request of that login sent after the commit (then unblock it)."""
    import threading

    from enlace.contracts.models import Contract
    from enlace.contracts.services import contract_block, contract_unblock

    admin = get_user_model().objects.get(username="bench")
    contract = Contract.objects.get(pk=Login.objects.get(username=username(0)).contract_id)
    load = threading.Thread(
        target=generate_load,
        args=(setup.port,),
        kwargs={"concurrency": args.concurrency, "duration": 3, "warmup": 0, "users": args.n},
    )
    load.start()
    time.sleep(1)
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect(("127.0.0.1", setup.port))
    probe.settimeout(5)
    requests = Requests(args.n, SECRET, seed=99)
    try:
        contract = contract_block(actor=admin, contract=contract, reason="bench")
        committed = time.perf_counter()
        code, sent_after, ident = None, 0.0, 0
        while code != 3 and time.perf_counter() - committed < 5:
            ident = (ident + 1) & 0xFF
            sent = time.perf_counter()
            probe.send(requests.make(ident, 0))
            try:
                data = probe.recv(4096)
            except TimeoutError:
                continue
            code, sent_after = data[0], sent - committed
        answered = time.perf_counter() - committed
    finally:
        contract_unblock(actor=admin, contract=contract, reason="bench")
        probe.close()
        load.join()
    if code != 3:
        return "a blocked login was NOT rejected within 5 s"
    return (
        f"the first Access-Request sent after the commit ({sent_after * 1000:.1f} ms after it) was "
        f"rejected; the reject reached the NAS {answered * 1000:.0f} ms after the commit "
        "(including FreeRADIUS's reject_delay of 1 s)"
    )


def _ticks(pids) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _postgres_pids(dbname: str, application: str | None = None) -> list[int]:
    """The PostgreSQL backends serving ``dbname`` (FreeRADIUS keeps its connections open), plus
    the WAL writer: other databases on the same server are not counted. With ``application``
    (a LIKE pattern), only the backends whose application_name matches."""
    with psycopg.connect(**_pg_params(dbname), autocommit=True) as conn:
        if application:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name LIKE %s",
                (dbname, application),
            ).fetchall()
            return [pid for (pid,) in rows]
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = %s AND pid <> pg_backend_pid()) "
            "OR backend_type = 'walwriter'",
            (dbname,),
        ).fetchall()
    return [pid for (pid,) in rows]


def measure(setup: Setup, args) -> dict:
    """One measured window against ``setup``, with the CPU its processes used."""
    hz = os.sysconf("SC_CLK_TCK")
    pg_pids = _postgres_pids(setup.dbname) if setup.dbname else []
    pg_before = {pid: _ticks([pid]) for pid in pg_pids}
    radius_before = _ticks([setup.server.process.pid])
    copy_pids = [setup.copy_process.pid] if setup.copy_process else []
    redis_pids = [setup.redis_pid] if setup.redis_pid else []
    copy_before, redis_before = _ticks(copy_pids), _ticks(redis_pids)
    machine_before = _machine_ticks()
    wall = time.perf_counter()
    result = generate_load(
        setup.port, concurrency=args.concurrency, duration=args.duration, warmup=args.warmup, users=args.n
    )
    wall = time.perf_counter() - wall
    radius_cpu = (_ticks([setup.server.process.pid]) - radius_before) / hz / wall
    copy_cpu = (_ticks(copy_pids) - copy_before) / hz / wall
    # redis-server may serve others on a shared machine: its whole CPU is counted (an upper bound).
    redis_cpu = (_ticks(redis_pids) - redis_before) / hz / wall
    # Backends opened during the run (a pool growing) count whole.
    pg_pids = set(pg_pids) | set(_postgres_pids(setup.dbname) if setup.dbname else [])
    pg_after = {pid: _ticks([pid]) for pid in pg_pids}
    pg_cpu = sum(after - pg_before.get(pid, 0) for pid, after in pg_after.items()) / hz / wall
    # The post-auth log's share (its backend names itself "... (sql_log)"), so the per-request
    # cost and the log's show apart.
    log_pids = _postgres_pids(setup.dbname, application="%(sql_log)%") if setup.dbname else []
    log_cpu = sum(pg_after.get(pid, 0) - pg_before.get(pid, 0) for pid in log_pids) / hz / wall
    busy, total = (a - b for a, b in zip(_machine_ticks(), machine_before, strict=True))
    total_cpu = radius_cpu + pg_cpu + redis_cpu + copy_cpu
    result["cpu_per_auth"] = total_cpu / result["rate"] * 1000 if result["rate"] else 0
    per_auth = {
        name: value / result["rate"] * 1000 if result["rate"] else 0
        for name, value in (("radiusd", radius_cpu), ("postgres", pg_cpu), ("redis", redis_cpu + copy_cpu))
    }
    result["cpu_split"] = per_auth
    result["cpu"] = (
        f"CPU: radiusd {radius_cpu * 100:.0f}% + postgres {pg_cpu * 100:.0f}% "
        f"(of which the post-auth log's INSERTs {log_cpu * 100:.0f}%)"
        + (
            f" + redis-server {redis_cpu * 100:.0f}% + radius_cache {copy_cpu * 100:.0f}%"
            if copy_pids
            else ""
        )
        + f" = {result['cpu_per_auth']:.3f} ms per auth (radiusd {per_auth['radiusd']:.3f}, "
        f"postgres {per_auth['postgres']:.3f}, redis {per_auth['redis']:.3f}); load generator {result['generator_cpu'] * 100:.0f}%; "
        f"whole machine busy {busy / total * 100:.0f}% of {os.cpu_count()} CPUs"
    )
    print(
        f"  {setup.label}: {result['rate']:,.0f} auth/s, p50 {result['p50']:.2f} ms, "
        f"p99 {result['p99']:.2f} ms, {result['accept']} accepted, {result['reject']} rejected, "
        f"{result['timeout']} timeouts; {result['cpu']}",
        file=sys.stderr,
    )
    return result


def wait_logged(setup: Setup, timeout: float) -> float:
    """Seconds until the post-auth spool of ``setup`` is empty (every answer in radpostauth)."""
    started = time.perf_counter()
    while _spool_pending(setup.spool) and time.perf_counter() - started < timeout:
        time.sleep(0.1)
    return time.perf_counter() - started


def logged_note(setup: Setup, args) -> str:
    answered = sum(w["answered"] for w in setup.windows)
    if setup.key == "c":
        return "no"
    logged = _count(setup.dbname, "SELECT count(*) FROM radpostauth")
    with_password = _count(setup.dbname, "SELECT count(*) FROM radpostauth WHERE coalesce(pass, '') <> ''")
    if setup.key in ("a", "a0", "a1"):
        pending = _spool_pending(setup.spool)
        lag = max(setup.lags) if setup.lags else 0
        note = (
            f"yes: {logged:,} of {answered:,} answered in radpostauth, at most {lag:.1f} s after a run"
            if logged >= answered and not pending
            else f"NO: {logged:,} of {answered:,} answered in radpostauth {args.drain_timeout:.0f} s after"
        )
    else:
        note = f"yes, before the answer: {logged:,} of {answered:,} in radpostauth"
    if with_password:
        note += f" ({with_password:,} rows with the password)"
    return note
