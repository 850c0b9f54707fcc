"""``manage.py radius_acct_loader`` — apply FreeRADIUS's accounting lines to ``radacct`` in batches
(docs/radius.md, "Accounting in batches"; enlace/radius/acct_loader.py).

``manage.py radius_server`` starts it beside FreeRADIUS on PostgreSQL (``--parent``: it stops when
FreeRADIUS is gone); run it by hand only when FreeRADIUS is started some other way, as the user
FreeRADIUS runs as (it reads and deletes the files), with the same ``RADIUS_STATE_DIR``.

Inputs: ``DATABASE_URL`` (PostgreSQL, the primary), ``RADIUS_STATE_DIR`` (``$ENLACE_VAR_DIR/radius``).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from enlace.radius.acct_loader import AccountingLoader
from enlace.radius.management.commands.radius_server import conninfo

#: How the loader's connection shows in pg_stat_activity.
APPLICATION_NAME = "enlace-radius-acct"


class Command(BaseCommand):
    help = "Apply FreeRADIUS's accounting lines to radacct in batches (started by radius_server)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--state-dir",
            default=os.environ.get("RADIUS_STATE_DIR") or str(Path(settings.VAR_DIR) / "radius"),
            help="FreeRADIUS's state directory (its lines are in spool/accounting-batch).",
        )
        parser.add_argument(
            "--parent", type=int, default=None, help="Stop when this process (FreeRADIUS) is gone."
        )
        parser.add_argument("--interval", type=float, default=0.2, help="Seconds between looks.")
        parser.add_argument(
            "--once",
            action="store_true",
            help="Apply what is there, then exit (no deletion of the last file).",
        )

    def handle(self, *args, **options):
        db = connections["default"].settings_dict
        if "postgresql" not in db.get("ENGINE", ""):
            raise CommandError(
                "The accounting loader needs PostgreSQL (on SQLite FreeRADIUS writes radacct itself)."
            )
        info = conninfo(db, with_password=True)
        connections.close_all()
        directory = Path(options["state_dir"]) / "spool" / "accounting-batch"
        loader = AccountingLoader(directory, log=lambda text: self.stderr.write(text))

        def connect():
            # Synchronous commit: a batch leaves its file only once PostgreSQL has flushed it.
            return psycopg.connect(
                info,
                autocommit=True,
                application_name=APPLICATION_NAME,
                options="-c statement_timeout=60000 -c synchronous_commit=on",
            )

        if options["once"]:
            with connect() as conn:
                count = loader.load(conn)
            self.stdout.write(f"{count} accounting records applied.")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        loader.run(connect, stop, interval=options["interval"], parent=options["parent"])
