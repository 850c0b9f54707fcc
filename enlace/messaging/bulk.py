"""Writing queued messages in bulk (the daily run writes 100,000 of them), idempotently: a row whose
``(rule, channel, key)`` is already there is left alone — the unique constraint is what makes a
rerun, two workers, or the daily run after the signal's message write nothing twice.

On PostgreSQL a chunk is one transaction of four statements: a temporary table made like the
messages' columns, ``COPY`` of the chunk into it, ``INSERT … SELECT … ON CONFLICT DO NOTHING
RETURNING id`` (the ids of the rows really written: no second query to find them) and the commit.
The temporary table is dropped at the end (the chunk may run inside a caller's transaction). When
the chunk's transaction is its own, it commits with ``synchronous_commit = off`` — it does not wait for its WAL to reach
the disk. That is safe here: a crash can only lose the queued rows of the last fraction of a
second, which the next daily run writes again (it is idempotent), and no such row can have been
sent meanwhile, since the send's own (synchronous) commit flushes the WAL up to it first. Elsewhere
(SQLite) it is ``bulk_create(ignore_conflicts=True)`` and a query for the new rows' ids.
"""

from __future__ import annotations

from functools import cache
from operator import itemgetter

from django.db import connection, transaction

from .models import Message


@cache
def _fields():
    return [f for f in Message._meta.concrete_fields if not f.primary_key]


def defaults() -> dict:
    """A queued message's column values before the queuer fills in its own (``attname`` keys;
    evaluated per call: ``next_attempt_at`` and ``created_at`` default to now)."""
    return {f.attname: f.get_default() for f in _fields()}


def insert(rows: list[dict]) -> list[int]:
    """Write ``rows`` (dicts of ``attname`` → value, each from ``defaults()``); the ids of the rows
    written (those whose key was already there are skipped)."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows)
    return _insert_portable(rows)


def _insert_postgresql(rows: list[dict]) -> list[int]:
    quote = connection.ops.quote_name
    fields = _fields()
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(Message._meta.db_table)
    values = itemgetter(*(f.attname for f in fields))
    owns_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if owns_transaction:  # never relax the commit of a caller's transaction
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"CREATE TEMPORARY TABLE messaging_message_load ON COMMIT DROP AS "  # noqa: S608 - our names
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY messaging_message_load ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(values(row))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM messaging_message_load "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id"
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        cursor.execute("DROP TABLE messaging_message_load")  # within a caller's transaction too
        return ids


def _insert_portable(rows: list[dict]) -> list[int]:
    messages = [Message(**row) for row in rows]
    keys = {(m.rule_id, m.channel, m.key) for m in messages}
    rule_ids, key_values = {k[0] for k in keys}, {k[2] for k in keys}
    with transaction.atomic():
        before = set(
            Message.objects.filter(rule_id__in=rule_ids, key__in=key_values).values_list(
                "rule_id", "channel", "key"
            )
        )
        new = [m for m in messages if (m.rule_id, m.channel, m.key) not in before]
        Message.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        found = Message.objects.filter(
            rule_id__in=rule_ids, key__in=key_values, created_at__in={m.created_at for m in new}
        ).values_list("pk", "rule_id", "channel", "key")
        wanted = {(m.rule_id, m.channel, m.key) for m in new}
        return [pk for pk, *key in found if tuple(key) in wanted]
