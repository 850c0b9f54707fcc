"""Concurrent writers must queue, not fail: SQLite runs in WAL mode with IMMEDIATE transactions
and a busy timeout; PostgreSQL needs nothing special."""

import threading

import pytest
from django.db import connection, connections, transaction

from enlace.core.models import Department
from enlace.core.services import object_save


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fail_with_database_locked(admin_user):
    errors: list[Exception] = []
    barrier = threading.Barrier(6)

    def writer(n: int):
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():
                    # read, then write inside one transaction: the pattern that deadlocks SQLite
                    # into "database is locked" with DEFERRED transactions
                    Department.objects.filter(name__startswith=f"T{n}-").count()
                    object_save(Department(name=f"T{n}-{i}"), actor=admin_user)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Department.objects.filter(name__startswith="T").count() == 90


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")  # not a missing service: the other database of the CI matrix
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
