"""``manage.py ensure_database``: create the PostgreSQL database of ``DATABASE_URL`` when it does
not exist yet, so that ``DATABASE_URL=postgres://…/enlace make run`` works on a fresh server.
SQLite creates its file by itself; other engines are left alone."""

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database if it is missing."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        conn = connections[database]
        if conn.vendor != "postgresql":
            return
        params = conn.get_connection_params()
        name = params.pop("dbname", None) or conn.settings_dict["NAME"]
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        try:
            with psycopg.connect(dbname=name, **params):
                return
        except psycopg.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise CommandError(f"Cannot reach PostgreSQL: {exc}") from exc
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise CommandError(f"Cannot create database {name!r}: {exc}") from exc
        self.stdout.write(f"Created PostgreSQL database {name!r}.")
