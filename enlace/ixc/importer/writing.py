"""How the bulk path writes (``bulk``, ``receivables``): new records, their audit rows and their
external ids, in one ``COPY`` per table on PostgreSQL (``bulk_create`` elsewhere).

The values go to ``COPY`` as each field would prepare them for an INSERT (``pre_save`` +
``get_db_prep_save``), with one shortcut: a value whose type is already what the driver writes for
that kind of field (an ``int`` for an integer field or a foreign key to one, a ``str`` for a text
field, a ``Decimal``, a ``date``, an aware ``datetime``, a ``bool``, ``None``) goes as it is — for
Django's own field classes that is what the preparation returns on PostgreSQL. Anything else
(a choice enum, a naive datetime, JSON, a field class of our own, an ``auto_now`` date) goes through
the field's preparation.

The audit rows are what ``core.audit`` records for a created record (``build_change`` for the
actor's part, ``serialize`` for the record), built as rows without a model instance each.
"""

from __future__ import annotations

import datetime
import functools
import operator
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db import models as m
from django.db.models import Model
from django.utils import timezone

from enlace.core.audit import build_change, serialize
from enlace.core.models import ObjectChange

from ..models import ExternalId
from .common import Run

BATCH = 1000

_INTEGERS = (
    m.AutoField,
    m.BigAutoField,
    m.SmallAutoField,
    m.IntegerField,
    m.BigIntegerField,
    m.SmallIntegerField,
    m.PositiveIntegerField,
    m.PositiveBigIntegerField,
    m.PositiveSmallIntegerField,
)
#: Django's field classes (exactly these, not subclasses of ours) → the value type written as is.
_PLAIN: dict[type, type] = {
    **dict.fromkeys(_INTEGERS, int),
    **dict.fromkeys((m.CharField, m.TextField, m.EmailField, m.SlugField, m.URLField), str),
    m.BooleanField: bool,
    m.DateField: datetime.date,
    m.DateTimeField: datetime.datetime,
    m.DecimalField: Decimal,
    m.UUIDField: uuid.UUID,
}


def _plain_type(field) -> type | None:
    """The value type written as is for ``field``, or None (always prepared by the field)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return None
    if type(field) in (m.ForeignKey, m.OneToOneField):
        return int if type(field.target_field) in _INTEGERS else None
    return _PLAIN.get(type(field))


class _Table:
    """How the rows of one model go to ``COPY`` (module docstring). A row's values are taken in
    one step; the columns whose value is not of the plain type (a choice enum, JSON…) are found
    by the row's tuple of value types, worked out once per distinct tuple: the rows of a table
    mostly share it, so most rows need no per-value work."""

    def __init__(self, model: type[Model], names: tuple[str, ...], *, from_records: bool):
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        self.fields = fields = [by_attname[name] for name in names]
        self.plain = [_plain_type(f) for f in fields]
        # Written from records: a field whose pre_save does more than read the value (auto_now,
        # files) is asked every time. Written from value rows: the caller gives the value.
        self.pre_save = (
            [
                i
                for i, f in enumerate(fields)
                if type(f).pre_save is not m.Field.pre_save and self.plain[i] is None
            ]
            if from_records
            else []
        )
        getter = operator.itemgetter(*names)
        self.get = getter if len(names) > 1 else (lambda values: (getter(values),))
        self.fixes: dict[tuple, tuple[int, ...]] = {}

    def _fixes(self, kinds: tuple) -> tuple[int, ...]:
        fixes = self.fixes.get(kinds)
        if fixes is None:
            fixes = self.fixes[kinds] = tuple(
                i
                for i, kind in enumerate(kinds)
                if i not in self.pre_save
                and kind is not type(None)
                and (kind is not self.plain[i] or kind is datetime.datetime)
                # a choice enum is a str: a text field's preparation gives it back as it is
                and not (self.plain[i] is str and issubclass(kind, str))
            )
        return fixes

    def row(self, values: tuple, obj=None) -> tuple | list:
        fixes = self._fixes(tuple(map(type, values)))
        if not fixes and not self.pre_save:
            return values
        values = list(values)
        fields = self.fields
        for i in self.pre_save:
            values[i] = fields[i].get_db_prep_save(fields[i].pre_save(obj, True), connection)
        for i in fixes:
            value = values[i]
            if type(value) is not datetime.datetime or value.tzinfo is None:
                values[i] = fields[i].get_db_prep_save(value, connection)
        return values


@functools.cache
def _table(model: type[Model], names: tuple[str, ...], from_records: bool) -> _Table:
    return _Table(model, names, from_records=from_records)


class _Background:
    """The ``COPY`` statements of a run, one after the other in a thread of their own, so that
    PostgreSQL works on the rows written while the importer goes on in Python (the chunk's audit
    rows; the next chunk read from the source): the two use the machine's two cores instead of
    taking turns. The rows are prepared by the importer; the thread only sends them on the run's
    connection (the raw one: the importer does not use it meanwhile).

    Before any other statement of the importer reaches the database (a query, a savepoint, its
    release at the end of a chunk) the pending ``COPY`` statements are waited for (``drain``,
    hooked as the connection's execute wrapper): the database sees the same statements in the same
    order as without the thread, and a ``COPY`` that fails raises its error there, inside the
    chunk's savepoint (the chunk is rolled back and imported row by row, as before)."""

    def __init__(self):
        self.raw = connection.connection
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ixc-copy")
        self.pending: list[Future] = []

    def submit(self, sql: str, rows: list) -> None:
        self.pending.append(self.executor.submit(self._copy, sql, rows))

    def _copy(self, sql: str, rows: list) -> None:
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def drain(self) -> None:
        pending, self.pending = self.pending, []
        errors = [exc for exc in (future.exception() for future in pending) if exc is not None]
        if errors:
            with connection.wrap_database_errors:  # psycopg's error as Django's (IntegrityError…)
                raise errors[0]

    def before_query(self, execute, sql, params, many, context):
        self.drain()
        return execute(sql, params, many, context)


_running = threading.local()  # .writer: the _Background of the import running in this thread


@contextmanager
def background() -> Iterator[None]:
    """Run the bulk path's ``COPY`` statements in a thread (``_Background``) within this block, on
    PostgreSQL; elsewhere (SQLite writes in this process anyway) nothing changes."""
    if connection.vendor != "postgresql" or getattr(_running, "writer", None) is not None:
        yield
        return
    connection.ensure_connection()
    _running.writer = writer = _Background()
    try:
        with connection.execute_wrapper(writer.before_query):
            yield
            writer.drain()
    finally:
        if writer.pending:  # leaving on an error: the transaction rolls back, wait for the thread
            for future in writer.pending:
                future.exception()
        writer.executor.shutdown()
        _running.writer = None


@contextmanager
def checked_per_statement() -> Iterator[None]:
    """Within this block the foreign keys of the rows written are checked by each statement, not at
    the end of the transaction (Django makes PostgreSQL's foreign keys ``DEFERRABLE INITIALLY
    DEFERRED``): the checks of a chunk's ``COPY`` run while the importer goes on with the next one
    (``background``) instead of piling up — millions of queued checks for 100,000 customers, all
    run at the commit — and a row that breaks one fails its own chunk, which is then imported row
    by row, instead of the whole import at the end."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    # Back to deferred (on an error, the rollback to the enclosing savepoint restores it).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _copy(model: type[Model], fields: list, rows: Iterable[Sequence]) -> None:
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
    writer = getattr(_running, "writer", None)
    if writer is not None:
        writer.submit(sql, list(rows))
        return
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def take_ids(model: type[Model], objects: list) -> None:
    """Give the new records their ids from the table's sequence (PostgreSQL), before writing them:
    taken for all the records of a chunk first, the writes need not be waited for in between."""
    if not objects or connection.vendor != "postgresql":
        return
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objects)],
        )
        for obj, (value,) in zip(objects, cursor.fetchall(), strict=True):
            setattr(obj, opts.pk.attname, value)


def insert(model: type[Model], objects: list, *, ids: bool = True) -> None:
    """Write new records: ``bulk_create``, or on PostgreSQL one ``COPY`` (several times faster than
    INSERT batches, as the billing run writes its invoices) with ids taken from the table's
    sequence first when the caller needs them (``ids``, unless ``take_ids`` gave them already;
    else the column's default gives them)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    opts = model._meta
    if ids and objects[0].pk is None:
        take_ids(model, objects)
    names = tuple(f.attname for f in opts.concrete_fields if ids or not f.primary_key)
    table = _table(model, names, True)
    get, row = table.get, table.row
    _copy(model, table.fields, (row(get(obj.__dict__), obj) for obj in objects))
    for obj in objects:
        obj._state.adding, obj._state.db = False, "default"


def insert_rows(model: type[Model], names: tuple[str, ...], rows: list[tuple]) -> None:
    """Write new records given as value rows (``names``: their fields' attribute names, without
    the primary key), without a model instance each on PostgreSQL."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return
    table = _table(model, tuple(names), False)
    _copy(model, table.fields, (table.row(values) for values in rows))


# --- Audit rows and external ids ------------------------------------------------------------------

AUDIT_FIELDS = (
    "time",
    "user_id",
    "user_name",
    "request_id",
    "source",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "prechange_data",
    "postchange_data",
)


def audit_created(objects: list) -> None:
    """The audit rows ``object_save`` would write for these new records (SPEC G-3: who, when, the
    record after the change): the actor's part built once (``build_change``), each model's
    content type asked once."""
    if not objects:
        return
    template = build_change(objects[0], ObjectChange.Action.CREATE, None, None)
    now, action = timezone.now(), ObjectChange.Action.CREATE.value
    content_types: dict[type, int] = {}
    rows = []
    for obj in objects:
        model = type(obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        rows.append(
            (
                now,
                template.user_id,
                template.user_name,
                template.request_id,
                template.source,
                action,
                content_types[model],
                str(obj.pk),
                str(obj)[:200],
                None,
                serialize(obj, with_m2m=False),
            )
        )
    insert_rows(ObjectChange, AUDIT_FIELDS, rows)


def remember(run: Run, kind: str, pairs: list[tuple[str, int]]) -> None:
    """The ``ExternalId`` of each new record (IXC id → Enlace id), written and kept in the run's map."""
    now = timezone.now()
    insert_rows(
        ExternalId,
        ("kind", "ixc_id", "object_id", "imported_at"),
        [(kind, ixc_id, object_id, now) for ixc_id, object_id in pairs],
    )
    run.id_map(kind).update(pairs)
