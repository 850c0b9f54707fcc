"""Fixtures of the IXC tests: a real MariaDB server (tests/helpers/mariadb.py) loaded with an
IXC-shaped database, the branches' wallets and a payment condition."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.helpers.contracts import make_wallet
from tests.helpers.mariadb import mariadb  # noqa: F401 - the session fixture

HERE = Path(__file__).parent
SCHEMA = (HERE / "ixc_schema.sql").read_text()
ROWS = (HERE / "ixc_rows.sql").read_text()


@pytest.fixture
def ixc_db(mariadb):  # noqa: F811
    """A fresh IXC database on the suite's MariaDB (one per xdist worker)."""
    name = "ixc_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
    mariadb.load(name, SCHEMA + "\n" + ROWS)
    mariadb.database = name
    return mariadb


@pytest.fixture
def ixc_setup(admin_user, branch_a, branch_b, condition):
    """What an ISP sets up by hand before importing: branches, a wallet per branch, a condition."""
    return {
        "wallet_a": make_wallet(branch_a),
        "wallet_b": make_wallet(branch_b, name="Carteira Campinas"),
        "branch_a": branch_a,
        "branch_b": branch_b,
    }


def run_import(ixc_db, *extra, capsys=None) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "import_ixc",
        "--mysql",
        "--host=127.0.0.1",
        f"--port={ixc_db.port}",
        f"--database={ixc_db.database}",
        "--user=admin",
        "--no-progress",
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def summary(output: str) -> dict[str, tuple[int, ...]]:
    """{table: (read, created, updated, unchanged, refused)} from the command's closing table."""
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 6 and all(p.isdigit() for p in parts[1:6]):
            rows[parts[0]] = tuple(int(p) for p in parts[1:6])
    return rows
