"""RADIUS bench (``bench/radius.py``): the set-ups — FreeRADIUS processes of Enlace's
configuration (with the Redis copy and the accounting loader), of the stock SQL configuration and
of the stock ``files`` module."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from bench.radius_data import (
    COPY_PREFIX,
    DB_NAME,
    ROOT,
    STOCK_DB_NAME,
    _bench_database_url,
    _truncate_postauth,
    write_users_file,
)
from enlace.radius.management.commands.radius_server import (
    CONFIG_DIR,
    freeradius_argv,
    prepare_state_dir,
    server_environment,
    start_acct_loader,
)


def _strip_listen_sections(text: str) -> str:
    """Remove the ``listen { … }`` sections of a virtual server file (comments kept)."""
    out, depth, skipping = [], 0, False
    for line in text.splitlines(keepends=True):
        code = line.split("#", 1)[0]
        if not skipping and re.match(r"^\s*listen\s*\{", code):
            skipping, depth = True, 0
        if skipping:
            depth += code.count("{") - code.count("}")
            if depth <= 0:
                skipping = False
            continue
        out.append(line)
    return "".join(out)


def stock_config(
    stock_dir: str, target: Path, *, auth_port: int, sql: bool, users: Path | None, acct_port: int = 0
) -> Path:
    """A copy of Debian's stock configuration, changed only where it must be to run here: paths
    under ``target``, listeners on 127.0.0.1 and the bench's port, no user switch; with ``sql`` the
    stock sql module enabled on the scratch database; with ``users`` the files module's
    ``authorize`` replaced."""
    shutil.copytree(stock_dir, target, symlinks=True)
    conf = target / "radiusd.conf"
    text = conf.read_text()
    text = re.sub(r"(?m)^raddbdir = .*$", f"raddbdir = {target}", text)
    text = re.sub(r"(?m)^logdir = .*$", f"logdir = {target}/log", text)
    text = re.sub(r"(?m)^run_dir = .*$", f"run_dir = {target}/run", text)
    text = re.sub(r"(?m)^(\s*)(user|group) = freerad", r"\1#\2 = freerad", text)
    conf.write_text(text)
    for site in ("default", "inner-tunnel"):
        path = target / "sites-available" / site
        path.write_text(_strip_listen_sections(path.read_text()))
    (target / "sites-enabled" / "bench-listen").write_text(
        f"listen {{\n\ttype = auth\n\tipaddr = 127.0.0.1\n\tport = {auth_port}\n\tvirtual_server = default\n}}\n"
        + (
            f"listen {{\n\ttype = acct\n\tipaddr = 127.0.0.1\n\tport = {acct_port}\n\tvirtual_server = default\n}}\n"
            if acct_port
            else ""
        )
    )
    if sql:
        path = target / "mods-available" / "sql"
        db = connection.settings_dict
        text = path.read_text()
        text = re.sub(r'(?m)^(\s*)driver = "rlm_sql_null"', r'\1driver = "rlm_sql_postgresql"', text)
        text = re.sub(r'(?m)^(\s*)dialect = "sqlite"', r'\1dialect = "postgresql"', text)
        text = re.sub(r'(?m)^(\s*)radius_db = "radius"', rf'\1radius_db = "{STOCK_DB_NAME}"', text)
        text = re.sub(
            r'(?m)^(\s*)#\s*server = "localhost"', rf'\1server = "{db.get("HOST") or "localhost"}"', text
        )
        text = re.sub(r"(?m)^(\s*)#\s*port = 3306", rf"\1port = {db.get('PORT') or 5432}", text)
        text = re.sub(r'(?m)^(\s*)#\s*login = "radius"', rf'\1login = "{db.get("USER") or "postgres"}"', text)
        if db.get("PASSWORD"):
            text = re.sub(r'(?m)^(\s*)#\s*password = "radpass"', rf'\1password = "{db["PASSWORD"]}"', text)
        path.write_text(text)
        (target / "mods-enabled" / "sql").symlink_to("../mods-available/sql")
    if users:
        shutil.copy(users, target / "mods-config" / "files" / "authorize")
    (target / "log").mkdir(exist_ok=True)
    (target / "run").mkdir(exist_ok=True)
    return target


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, argv: list[str], env: dict, log: Path):
        self.argv, self.env, self.log = argv, env, log
        self.process = None

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our FreeRADIUS binary and configuration)
            self.argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.exists() and "Ready to process requests" in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        self.stop()
        raise RuntimeError(f"FreeRADIUS did not start ({' '.join(self.argv)}):\n{tail}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


@dataclass
class Setup:
    key: str
    label: str
    server: Server
    port: int
    dbname: str | None = None
    spool: Path | None = None
    acct_port: int = 0
    windows: list = field(default_factory=list)
    lags: list = field(default_factory=list)
    #: (a) with the Redis copy: the ``manage.py radius_cache`` process and redis-server's pid.
    copy_process: subprocess.Popen | None = None
    redis_pid: int | None = None
    #: Ours on PostgreSQL: the state directory whose accounting lines the loader applies, and it.
    loader_state: Path | None = None
    loader: subprocess.Popen | None = None


def start_loader(setup: Setup) -> None:
    """The accounting loader of ``setup`` (ours on PostgreSQL), as ``radius_server`` starts it."""
    setup.loader = start_acct_loader(
        setup.loader_state,
        parent=setup.server.process.pid,
        env={**os.environ, "DATABASE_URL": _bench_database_url()},
    )


def start_copy(args, state: Path) -> tuple[subprocess.Popen, int | None]:
    """``manage.py radius_cache`` on the bench database (a process of its own, so its CPU shows),
    once it has built the copy and set the heartbeat; and redis-server's pid."""
    import redis

    env = {
        **os.environ,
        "DATABASE_URL": _bench_database_url(),
        "RADIUS_REDIS_URL": args.redis_url,
        "RADIUS_REDIS_PREFIX": COPY_PREFIX,
        "RADIUS_STATE_DIR": str(state),
    }
    client = redis.Redis.from_url(args.redis_url)
    client.delete(f"{COPY_PREFIX}fresh")
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "radius_cache"], env=env, stdin=subprocess.DEVNULL
    )
    while not client.exists(f"{COPY_PREFIX}fresh"):
        if process.poll() is not None or time.perf_counter() - started > 600:
            raise RuntimeError("radius_cache did not build the copy")
        time.sleep(0.2)
    print(
        f"  radius_cache: copy of {args.n:,} logins built in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return process, client.info("server").get("process_id")


def _drop_copy(args) -> None:
    import redis

    client = redis.Redis.from_url(args.redis_url)
    keys = list(client.scan_iter(match=f"{COPY_PREFIX}*", count=5000))
    for start in range(0, len(keys), 5000):
        client.delete(*keys[start : start + 5000])


def setup_ours(
    args,
    binary: str,
    work: Path,
    *,
    config: str | None = None,
    key: str = "a",
    copy: bool = True,
    copy_running: bool = False,
) -> Setup:
    """Enlace's configuration; with ``copy`` (set-up (a)) it reads the Redis copy, kept by a
    ``radius_cache`` started here, or by one already running (``copy_running``)."""
    state = prepare_state_dir(work / f"ours-{key}")
    port, acct_port = _free_udp_port(), _free_udp_port()
    copy = copy and key == "a" and not args.no_copy
    env = server_environment(
        connection.settings_dict,
        state_dir=state,
        auth_port=port,
        acct_port=acct_port,
        threads=args.threads,
        pool_start=args.threads,
        statement_timeout_ms=2000,
        reject_delay=1,
        redis_url=args.redis_url if copy else None,
        redis_prefix=COPY_PREFIX,
    )
    _truncate_postauth(DB_NAME)
    argv = freeradius_argv(binary, config_dir=Path(config or args.config or CONFIG_DIR))
    server = Server(argv, {**os.environ, **env}, state / "log" / "radius.log")
    setup = Setup(
        key,
        LABELS[key].format(config=config),
        server,
        port,
        DB_NAME,
        state / "spool" / ("postauth-batch" if copy else "postauth"),
        acct_port=acct_port,
        loader_state=state if env["ENLACE_RADIUS_ACCT"] == "batch" else None,
    )
    if copy and not copy_running:
        setup.copy_process, setup.redis_pid = start_copy(args, state)
    return setup


LABELS = {
    "a0": "(a0) previous Enlace config ({config})",
    "a": "(a) Enlace config (deploy/freeradius), Redis copy",
    "a1": "(a1) Enlace config, no Redis copy (PostgreSQL)",
    "b": "(b) stock SQL config, synchronous post-auth",
    "c": "(c) stock files module, no database",
}


def setup_stock(args, binary: str, work: Path, stock_dir: str) -> Setup:
    port, acct_port = _free_udp_port(), _free_udp_port()
    target = stock_config(
        stock_dir, work / "stock", auth_port=port, sql=True, users=None, acct_port=acct_port
    )
    _truncate_postauth(STOCK_DB_NAME)
    server = Server([binary, "-f", "-d", str(target)], dict(os.environ), target / "log" / "radius.log")
    return Setup(
        "b", "(b) stock SQL config, synchronous post-auth", server, port, STOCK_DB_NAME, acct_port=acct_port
    )


def setup_files(args, binary: str, work: Path, stock_dir: str) -> Setup:
    port = _free_udp_port()
    users = work / "users"
    write_users_file(users)
    target = stock_config(stock_dir, work / "files", auth_port=port, sql=False, users=users)
    server = Server([binary, "-f", "-d", str(target)], dict(os.environ), target / "log" / "radius.log")
    return Setup("c", "(c) stock files module, no database", server, port)
