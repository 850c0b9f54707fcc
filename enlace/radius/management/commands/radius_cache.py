"""``manage.py radius_cache`` — keep the Redis copy FreeRADIUS authorizes from (docs/radius.md,
"The Redis copy").

Runs in the foreground (a systemd unit beside FreeRADIUS's): rebuilds the copy from PostgreSQL,
then follows PostgreSQL's NOTIFY so that a change reaches the copy milliseconds after its commit,
keeps the heartbeat FreeRADIUS checks, and compares the whole copy with PostgreSQL every
``--reconcile-every`` seconds, repairing what differs.

``--check`` compares once and exits 1 when the copy differs from PostgreSQL (a change committed in
the last instant may show as a difference while the running process has not applied it yet);
``--repair`` also rewrites what differs; ``--rebuild`` rewrites the whole copy once.

Inputs: ``DATABASE_URL`` (PostgreSQL), ``RADIUS_REDIS_URL`` (redis://host:port/db),
``RADIUS_REDIS_PREFIX`` (``enlace:radius:``), ``RADIUS_CACHE_FRESH_SECONDS`` (3: how long the copy
is trusted after the last sign of life of this process), ``RADIUS_CACHE_GRACE_SECONDS`` (0: how long
FreeRADIUS keeps authorizing from the copy while PostgreSQL is unreachable; 0 = not at all),
``RADIUS_STATE_DIR`` (FreeRADIUS's, ``$ENLACE_VAR_DIR/radius``): the process also loads the post-auth
lines FreeRADIUS writes with the copy into ``radpostauth`` (enlace/radius/postauth_loader.py), so run
it as the user FreeRADIUS runs as.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from enlace.radius.cache import DEFAULT_PREFIX, Copy, CopySync, parse_redis_url
from enlace.radius.management.commands.radius_server import conninfo


class Command(BaseCommand):
    help = "Keep the Redis copy of the logins FreeRADIUS authorizes from (or --check it)."

    def add_arguments(self, parser):
        parser.add_argument("--redis-url", default=os.environ.get("RADIUS_REDIS_URL", ""))
        parser.add_argument("--prefix", default=os.environ.get("RADIUS_REDIS_PREFIX") or DEFAULT_PREFIX)
        parser.add_argument("--check", action="store_true", help="Report drift once (exit 1 if any).")
        parser.add_argument("--repair", action="store_true", help="Report and repair drift once.")
        parser.add_argument("--rebuild", action="store_true", help="Rewrite the whole copy once.")
        parser.add_argument(
            "--fresh-seconds", type=float, default=float(os.environ.get("RADIUS_CACHE_FRESH_SECONDS", "3"))
        )
        parser.add_argument(
            "--grace", type=float, default=float(os.environ.get("RADIUS_CACHE_GRACE_SECONDS", "0"))
        )
        parser.add_argument("--reconcile-every", type=float, default=300.0)
        parser.add_argument(
            "--state-dir",
            default=os.environ.get("RADIUS_STATE_DIR") or str(Path(settings.VAR_DIR) / "radius"),
            help="FreeRADIUS's state directory (its post-auth lines are loaded from spool/postauth-batch).",
        )

    def handle(self, *args, **options):
        db = connections["default"].settings_dict
        if "postgresql" not in db.get("ENGINE", ""):
            raise CommandError("The Redis copy needs PostgreSQL (it follows PostgreSQL's NOTIFY).")
        if not options["redis_url"]:
            raise CommandError("Set RADIUS_REDIS_URL (or --redis-url), e.g. redis://127.0.0.1:6379/2.")
        try:
            parse_redis_url(options["redis_url"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        info = conninfo(db, with_password=True)
        connections.close_all()
        if options["check"] or options["repair"] or options["rebuild"]:
            return self._once(info, options)
        sync = CopySync(
            info,
            options["redis_url"],
            options["prefix"],
            fresh_seconds=options["fresh_seconds"],
            grace=options["grace"],
            reconcile_every=options["reconcile_every"],
            postauth_dir=Path(options["state_dir"]) / "spool" / "postauth-batch",
            log=lambda text: self.stderr.write(text),
        )
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        sync.run(stop)

    def _once(self, info: str, options) -> None:
        client = redis.Redis.from_url(options["redis_url"], decode_responses=True)
        copy = Copy(client, options["prefix"])
        with psycopg.connect(info, autocommit=True) as conn:
            if options["rebuild"]:
                stats = copy.rebuild(conn)
                self.stdout.write(f"Copy rebuilt: {stats['users']} logins, {stats['groups']} groups.")
                return
            drift = copy.check(conn, repair=options["repair"])
        for kind in ("users", "groups", "sessions"):
            names = getattr(drift, kind)
            if names:
                shown = ", ".join(names[:20]) + (" …" if len(names) > 20 else "")
                self.stdout.write(f"{kind}: {len(names)} differ: {shown}")
        if not drift.total:
            self.stdout.write("The Redis copy matches PostgreSQL.")
        elif options["repair"]:
            self.stdout.write(f"{drift.total} item(s) repaired.")
        else:
            raise CommandError(f"{drift.total} item(s) of the Redis copy differ from PostgreSQL.")
