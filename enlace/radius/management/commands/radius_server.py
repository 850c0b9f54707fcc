"""``manage.py radius_server`` — run FreeRADIUS in the foreground with Enlace's configuration.

FreeRADIUS (Debian's ``freeradius`` and ``freeradius-postgresql``) reads the configuration in
``deploy/freeradius`` and Enlace's tables in the database of ``DATABASE_URL`` (PostgreSQL, or the
SQLite file Enlace uses). That configuration takes everything that differs between machines from
``ENLACE_RADIUS_*`` environment variables; this command computes them and replaces itself with
``freeradius -f -d deploy/freeradius``. FreeRADIUS needs only the database: it keeps
authenticating when the web application is down. See docs/radius.md.

Inputs (all optional): ``DATABASE_URL``; ``RADIUS_READ_DATABASE_URL`` (a PostgreSQL read replica
for the authorize queries and the NAS list); ``RADIUS_LISTEN`` (127.0.0.1), ``RADIUS_AUTH_PORT``
(1812), ``RADIUS_ACCT_PORT`` (1813); ``RADIUS_STATE_DIR`` (logs, pid file and the post-auth
spool; default ``$ENLACE_VAR_DIR/radius``); ``RADIUS_THREADS`` (16);
``RADIUS_STATEMENT_TIMEOUT_MS`` (2000); ``RADIUS_REJECT_DELAY`` (1 second);
``RADIUS_ACCT_LOADER`` (batch: on PostgreSQL the accounting loader,
``manage.py radius_acct_loader``, is started beside FreeRADIUS; spool: the detail readers);
``RADIUS_ACCT_SYNCHRONOUS_COMMIT`` (off: the detail readers' commits); ``FREERADIUS``
(the binary), ``FREERADIUS_STOCK_DIR`` (Debian's /etc/freeradius/3.0, for the stock queries),
``FREERADIUS_LIBDIR`` (/usr/lib/freeradius); ``RADIUS_REDIS_URL`` (the Redis copy FreeRADIUS
authorizes from, kept by ``manage.py radius_cache``; unset: every authorization asks PostgreSQL) and
``RADIUS_REDIS_PREFIX`` (``enlace:radius:``). Options given on the command line win.

``--print-env`` prints the variables instead (for a systemd ``EnvironmentFile=`` or to start
``freeradius -f -d deploy/freeradius`` by hand).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

CONFIG_DIR = Path(settings.BASE_DIR) / "deploy" / "freeradius"
STOCK_DIRS = ("/etc/freeradius/3.0", "/etc/raddb", "/etc/freeradius")
LIB_DIRS = ("/usr/lib/freeradius", "/usr/lib64/freeradius", "/usr/local/lib/freeradius")
BINARIES = ("freeradius", "radiusd")
#: libpq connection parameters taken over from Django's OPTIONS (dj-database-url puts the
#: query string of DATABASE_URL there, e.g. ?sslmode=require).
LIBPQ_OPTIONS = (
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "connect_timeout",
    "target_session_attrs",
    "keepalives",
    "keepalives_idle",
    "passfile",
    "service",
)


def find_binary() -> str | None:
    wanted = os.environ.get("FREERADIUS")
    if wanted:
        return shutil.which(wanted)
    for name in BINARIES:
        for candidate in (shutil.which(name), f"/usr/sbin/{name}"):
            if candidate and os.access(candidate, os.X_OK):
                return candidate
    return None


def _first_dir(env: str, candidates, marker: str) -> str:
    value = os.environ.get(env)
    if value:
        return value
    for path in candidates:
        if (Path(path) / marker).exists():
            return path
    return candidates[0]


def stock_dir() -> str:
    """Debian's (or the distribution's) stock FreeRADIUS configuration, for its SQL queries."""
    return _first_dir("FREERADIUS_STOCK_DIR", STOCK_DIRS, "mods-config/sql/main")


def stock_problem(dialect: str) -> str | None:
    """Why FreeRADIUS could not read the stock files it needs, or None."""
    base = Path(stock_dir()) / "mods-config"
    for path in (base / "sql" / "main" / dialect / "queries.conf", base / "attr_filter" / "access_reject"):
        if not path.exists():
            return f"{path} is missing (apt-get install freeradius, or set FREERADIUS_STOCK_DIR)"
        if not os.access(path, os.R_OK):
            return (
                f"{path} is not readable by this user (Debian keeps /etc/freeradius for the freerad "
                "group: run as root or freerad, or `sudo adduser $USER freerad` and log in again)"
            )
    return None


def _quote(value) -> str:
    """A libpq conninfo value, single-quoted (backslash and quote escaped) when it needs it."""
    text = str(value)
    if text and not any(c in text for c in " '\\\"\t"):
        return text
    text = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def conninfo(db: dict, *, with_password: bool = False) -> str:
    """libpq ``key='value'`` connection string of a Django database settings dict."""
    parts = {"dbname": db.get("NAME") or "", "user": db.get("USER") or ""}
    if db.get("HOST"):
        parts["host"] = db["HOST"]
    if db.get("PORT"):
        parts["port"] = db["PORT"]
    if with_password and db.get("PASSWORD"):
        parts["password"] = db["PASSWORD"]
    for key in LIBPQ_OPTIONS:
        if (db.get("OPTIONS") or {}).get(key) not in (None, ""):
            parts[key] = db["OPTIONS"][key]
    return " ".join(f"{key}={_quote(value)}" for key, value in parts.items() if value != "")


def _acct_synchronous_commit() -> str:
    value = os.environ.get("RADIUS_ACCT_SYNCHRONOUS_COMMIT", "off").strip().lower()
    if value not in ("on", "off"):
        raise CommandError(f"RADIUS_ACCT_SYNCHRONOUS_COMMIT must be on or off, not {value!r}.")
    return value


def _acct_mode(engine: str) -> str:
    """How accounting reaches radacct: "batch" (lines applied by the accounting loader, PostgreSQL
    only) unless RADIUS_ACCT_LOADER says "spool" (the detail readers and the stock queries)."""
    value = os.environ.get("RADIUS_ACCT_LOADER", "batch").strip().lower()
    if value not in ("batch", "spool"):
        raise CommandError(f"RADIUS_ACCT_LOADER must be batch or spool, not {value!r}.")
    return value if "postgresql" in engine else "spool"


def server_environment(
    db: dict,
    *,
    read_db: dict | None = None,
    state_dir: str | os.PathLike,
    listen: str = "127.0.0.1",
    auth_port: int = 1812,
    acct_port: int = 1813,
    threads: int = 16,
    pool_start: int | None = None,
    statement_timeout_ms: int = 2000,
    reject_delay: int = 1,
    redis_url: str | None = None,
    redis_prefix: str | None = None,
) -> dict[str, str]:
    """The ``ENLACE_RADIUS_*`` variables deploy/freeradius reads, for the Django database settings
    ``db`` (``ENGINE``, ``NAME``, ``USER``, …). ``read_db``: a replica for the authorize queries.
    ``redis_url``: the Redis copy of the logins (``RADIUS_REDIS_URL``; None: authorize from SQL only)."""
    engine = db.get("ENGINE", "")
    if redis_url and "postgresql" not in engine:
        raise CommandError("The Redis copy (RADIUS_REDIS_URL) needs PostgreSQL (it follows its NOTIFY).")
    env = {
        "ENLACE_RADIUS_LIBDIR": _first_dir("FREERADIUS_LIBDIR", LIB_DIRS, "rlm_sql.so"),
        "ENLACE_RADIUS_STOCK_DIR": stock_dir(),
        "ENLACE_RADIUS_STATE_DIR": str(Path(state_dir).resolve()),
        "ENLACE_RADIUS_LISTEN": listen,
        "ENLACE_RADIUS_AUTH_PORT": str(auth_port),
        "ENLACE_RADIUS_ACCT_PORT": str(acct_port),
        "ENLACE_RADIUS_THREADS": str(threads),
        "ENLACE_RADIUS_STATEMENT_TIMEOUT": str(statement_timeout_ms),
        "ENLACE_RADIUS_REJECT_DELAY": str(reject_delay),
        # PostgreSQL's synchronous_commit for the accounting readers (docs/radius.md, "Accounting:
        # four readers"): "off" unless RADIUS_ACCT_SYNCHRONOUS_COMMIT says "on".
        "ENLACE_RADIUS_ACCT_SYNCHRONOUS_COMMIT": _acct_synchronous_commit(),
        # "batch": mods/acct_lines and the accounting loader; "spool": mods/acct_spool and
        # sites/accounting-log (docs/radius.md, "Accounting in batches").
        "ENLACE_RADIUS_ACCT": _acct_mode(engine),
        "ENLACE_RADIUS_SQLITE_FILE": "",
        "ENLACE_RADIUS_PG_CONNINFO": "",
        "ENLACE_RADIUS_PG_READ_CONNINFO": "",
        **redis_environment(redis_url, redis_prefix, threads),
    }
    start = max(1, min(threads, pool_start if pool_start is not None else max(1, threads // 4)))
    env["ENLACE_RADIUS_SQL_POOL_START"] = str(start)
    env["ENLACE_RADIUS_SQL_POOL_SPARE"] = str(max(1, threads - start))
    if "sqlite" in engine:
        env["ENLACE_RADIUS_SQL_DIALECT"] = "sqlite"
        env["ENLACE_RADIUS_SQLITE_FILE"] = str(Path(db["NAME"]).resolve())
    elif "postgresql" in engine:
        env["ENLACE_RADIUS_SQL_DIALECT"] = "postgresql"
        read_db = read_db or db
        # The primary's password goes in PGPASSWORD (libpq reads it), so that it is not in the
        # connection string FreeRADIUS prints in its debug output.
        env["ENLACE_RADIUS_PG_CONNINFO"] = conninfo(db)
        env["ENLACE_RADIUS_PG_READ_CONNINFO"] = conninfo(
            read_db, with_password=read_db.get("PASSWORD") != db.get("PASSWORD")
        )
        if db.get("PASSWORD"):
            env["PGPASSWORD"] = db["PASSWORD"]
    else:
        raise CommandError(f"FreeRADIUS reads PostgreSQL or SQLite, not {engine or 'nothing'}.")
    return env


def redis_environment(url: str | None, prefix: str | None, threads: int) -> dict[str, str]:
    """The ``ENLACE_RADIUS_REDIS_*`` variables of mods/redis: where the Redis copy is
    (docs/radius.md, "The Redis copy"); ``ENLACE_RADIUS_CACHE=no`` when there is none."""
    from enlace.radius.cache import DEFAULT_PREFIX, parse_redis_url

    env = {
        "ENLACE_RADIUS_CACHE": "no",
        # The post-auth log: "batch" (mods/postauth_lines, loaded by radius_cache) with the copy,
        # "spool" (the detail spool and its reader, sites/postauth-log) without.
        "ENLACE_RADIUS_POSTAUTH": "spool",
        "ENLACE_RADIUS_REDIS_HOST": "127.0.0.1",
        "ENLACE_RADIUS_REDIS_PORT": "6379",
        "ENLACE_RADIUS_REDIS_DB": "0",
        "ENLACE_RADIUS_REDIS_PREFIX": prefix or DEFAULT_PREFIX,
        "ENLACE_RADIUS_REDIS_POOL": str(max(1, threads)),
    }
    if url:
        host, port, database = parse_redis_url(url)
        env.update(
            ENLACE_RADIUS_CACHE="yes",
            ENLACE_RADIUS_POSTAUTH="batch",
            ENLACE_RADIUS_REDIS_HOST=host,
            ENLACE_RADIUS_REDIS_PORT=str(port),
            ENLACE_RADIUS_REDIS_DB=str(database),
        )
    return env


#: Accounting readers working in parallel, one spool directory each (a session always in the same one).
ACCT_SHARDS = 4


def prepare_state_dir(state_dir: str | os.PathLike) -> Path:
    path = Path(state_dir)
    # The accounting spool has one directory per reader (ACCT_SHARDS, deploy/freeradius/sites/accounting-log).
    shards = [f"spool/accounting/{n}" for n in range(ACCT_SHARDS)]
    dirs = (
        "log",
        "run",
        "spool/postauth",
        "spool/postauth-batch",
        "spool/accounting",
        "spool/accounting-batch",
    )
    for sub in (*dirs, *shards):
        (path / sub).mkdir(parents=True, exist_ok=True)
    (path / "spool").chmod(0o700)
    return path


def acct_loader_argv(state_dir: str | os.PathLike, *, parent: int) -> list[str]:
    """``manage.py radius_acct_loader`` for ``state_dir``, stopping when process ``parent`` is gone."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    return [
        sys.executable,
        str(manage),
        "radius_acct_loader",
        "--state-dir",
        str(state_dir),
        "--parent",
        str(parent),
    ]


def start_acct_loader(state_dir: str | os.PathLike, *, parent: int, **popen) -> subprocess.Popen:
    """Start the accounting loader beside FreeRADIUS (PostgreSQL; same environment and database).
    ``radius_server`` passes its own pid, which FreeRADIUS keeps when it replaces the command."""
    return subprocess.Popen(  # noqa: S603 (our own manage.py)
        acct_loader_argv(state_dir, parent=parent), stdin=subprocess.DEVNULL, **popen
    )


def freeradius_argv(
    binary: str, *, debug: bool = False, log_stdout: bool = False, config_dir: Path = CONFIG_DIR
) -> list[str]:
    argv = [binary, "-f", "-d", str(config_dir)]
    if debug:
        argv.append("-X")
    elif log_stdout:
        argv += ["-l", "stdout"]
    return argv


class Command(BaseCommand):
    help = "Run FreeRADIUS in the foreground against Enlace's database (deploy/freeradius)."

    def add_arguments(self, parser):
        parser.add_argument("--listen", default=os.environ.get("RADIUS_LISTEN", "127.0.0.1"))
        parser.add_argument("--auth-port", type=int, default=int(os.environ.get("RADIUS_AUTH_PORT", "1812")))
        parser.add_argument("--acct-port", type=int, default=int(os.environ.get("RADIUS_ACCT_PORT", "1813")))
        parser.add_argument(
            "--state-dir",
            default=os.environ.get("RADIUS_STATE_DIR") or str(Path(settings.VAR_DIR) / "radius"),
            help="Logs, pid file and post-auth spool (default $ENLACE_VAR_DIR/radius).",
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("RADIUS_THREADS", "16")))
        parser.add_argument(
            "--statement-timeout-ms",
            type=int,
            default=int(os.environ.get("RADIUS_STATEMENT_TIMEOUT_MS", "2000")),
        )
        parser.add_argument(
            "--reject-delay", type=int, default=int(os.environ.get("RADIUS_REJECT_DELAY", "1"))
        )
        parser.add_argument("--debug", "-X", action="store_true", help="FreeRADIUS debug output (-X).")
        parser.add_argument("--stdout", action="store_true", help="Log to standard output, not a file.")
        parser.add_argument("--check", action="store_true", help="Check the configuration and exit (-C).")
        parser.add_argument(
            "--print-env", action="store_true", help="Print the ENLACE_RADIUS_* variables and exit."
        )

    def handle(self, *args, **options):
        db = connections["default"].settings_dict
        read_url = os.environ.get("RADIUS_READ_DATABASE_URL")
        read_db = dj_database_url.parse(read_url) if read_url else None
        env = server_environment(
            db,
            read_db=read_db,
            state_dir=options["state_dir"],
            listen=options["listen"],
            auth_port=options["auth_port"],
            acct_port=options["acct_port"],
            threads=options["threads"],
            statement_timeout_ms=options["statement_timeout_ms"],
            reject_delay=options["reject_delay"],
            redis_url=os.environ.get("RADIUS_REDIS_URL") or None,
            redis_prefix=os.environ.get("RADIUS_REDIS_PREFIX") or None,
        )
        if options["print_env"]:
            # Double-quoted: read alike by a shell (`set -a; . file`) and by systemd's
            # EnvironmentFile=.
            for key, value in env.items():
                escaped = value.replace("\\", "\\\\").replace('"', '\\"')
                self.stdout.write(f'{key}="{escaped}"')
            return
        binary = find_binary()
        if not binary:
            raise CommandError(
                "FreeRADIUS is not installed: apt-get install freeradius freeradius-postgresql "
                "(or set FREERADIUS to the radiusd binary)."
            )
        problem = stock_problem(env["ENLACE_RADIUS_SQL_DIALECT"])
        if problem:
            raise CommandError(problem)
        prepare_state_dir(options["state_dir"])
        argv = freeradius_argv(binary, debug=options["debug"], log_stdout=options["stdout"])
        if options["check"]:
            argv = [binary, "-C", "-d", str(CONFIG_DIR)]
        where = f"{options['listen']}:{options['auth_port']}/{options['acct_port']}"
        database = db["NAME"] if env["ENLACE_RADIUS_SQL_DIALECT"] == "sqlite" else f"PostgreSQL {db['NAME']}"
        self.stderr.write(
            f"FreeRADIUS on {where} reading {database}; state in {env['ENLACE_RADIUS_STATE_DIR']}"
            + ("" if options["stdout"] or options["debug"] else " (log: log/radius.log)")
        )
        sys.stdout.flush()
        sys.stderr.flush()
        connections.close_all()
        if env["ENLACE_RADIUS_ACCT"] == "batch" and not options["check"]:
            start_acct_loader(options["state_dir"], parent=os.getpid())
        os.execve(binary, argv, {**os.environ, **env})  # noqa: S606 (FreeRADIUS replaces this process)
