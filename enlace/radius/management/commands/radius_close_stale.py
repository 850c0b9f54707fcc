"""``manage.py radius_close_stale [--intervals N] [--interval SECONDS]`` — close accounting sessions
whose concentrator stopped sending updates (SPEC L-12: the sessions FreeRADIUS writes show which
logins are online now).

A session without an accounting update for N × the interim interval (defaults: the general
parameters "close sessions after missed interims" and "accounting interim interval") is closed
at its last update, with terminate cause ``Stale-Session``. The same work runs every five minutes
from Celery beat (``enlace.radius.tasks.close_stale_sessions``).
"""

from django.core.management.base import BaseCommand, CommandError

from enlace.core import context
from enlace.radius.models import RadiusSettings
from enlace.radius.sessions import close_stale_sessions


class Command(BaseCommand):
    help = "Close RADIUS accounting sessions without updates for N interim intervals."

    def add_arguments(self, parser):
        parser.add_argument(
            "--intervals",
            type=int,
            default=None,
            help="Missed interim intervals before a session is stale (default: general parameters).",
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=None,
            help="Interim interval in seconds (default: general parameters).",
        )

    def handle(self, *args, intervals=None, interval=None, **options):
        params = RadiusSettings.load()
        intervals = params.radius_stale_intervals if intervals is None else intervals
        interval = params.radius_interim_interval if interval is None else interval
        if intervals < 1 or interval < 1:
            raise CommandError("--intervals and --interval must be at least 1.")
        with context.acting_as(None, source="command"):
            closed = close_stale_sessions(intervals=intervals, interval=interval)
        self.stdout.write(f"{closed} stale session(s) closed (no update for {intervals} × {interval} s).")
