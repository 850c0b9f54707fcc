"""`make run` with a PostgreSQL DATABASE_URL creates the database when the server lacks it."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_creates_a_missing_postgresql_database():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL run only")  # the SQLite run of the CI matrix has nothing to create
    params = {k: v for k, v in connection.get_connection_params().items() if k in {"host", "port", "user"}}
    name = f"enlace_probe_{uuid.uuid4().hex[:8]}"
    url = (
        f"postgres://{params['user']}@{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}/{name}"
    )
    env = {**os.environ, "DATABASE_URL": url}
    try:
        for _ in range(2):  # the second run finds it and does nothing
            subprocess.run([sys.executable, "manage.py", "ensure_database"], cwd=ROOT, env=env, check=True)
        with psycopg.connect(dbname=name, **params):
            pass
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_sqlite_needs_nothing(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    out = subprocess.run(
        [sys.executable, "manage.py", "ensure_database"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout == ""
