"""A real MariaDB server for the tests, started by the suite (not the machine's own).

``mariadb`` (session): ``mariadb-install-db`` into a temporary data directory, then ``mariadbd``
on a free loopback port and a socket in that directory, without grant tables (root, no
password: the server only listens on 127.0.0.1 for this test session). ``MariaDB.load(name,
sql)`` (re)creates a database and runs a script in it. Without the binaries the tests are
skipped, or fail when ENLACE_REQUIRE_SERVICES is set (CI installs ``mariadb-server``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binaries() -> tuple[str, str] | None:
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    server = (
        shutil.which("mariadbd")
        or shutil.which("mariadbd", path="/usr/sbin")
        or shutil.which("mysqld", path="/usr/sbin")
    )
    return (install, server) if install and server else None


class MariaDB:
    def __init__(self, install: str, server: str, base: Path):
        self.install, self.server = install, server
        self.datadir = base / "data"
        self.socket = str(base / "mariadb.sock")
        self.log = base / "mariadb.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        run_as = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            [
                self.install,
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *run_as,
            ],
            check=True,
            capture_output=True,
        )
        self.port = _free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    self.server,
                    "--no-defaults",
                    f"--datadir={self.datadir}",
                    f"--port={self.port}",
                    "--bind-address=127.0.0.1",
                    f"--socket={self.socket}",
                    f"--pid-file={self.datadir / 'mariadb.pid'}",
                    "--skip-grant-tables",
                    "--skip-name-resolve",
                    "--innodb-buffer-pool-size=64M",
                    "--innodb-flush-log-at-trx-commit=0",
                    *run_as,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                self.connect().close()
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"mariadbd not ready after {timeout} s:\n{self.log.read_text(errors='replace')[-3000:]}"
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def connect(self, database: str | None = None):
        import pymysql

        return pymysql.connect(
            host="127.0.0.1",
            port=self.port,
            user="root",
            password="",
            database=database,
            charset="utf8mb4",
            autocommit=True,
        )

    def load(self, name: str, sql: str) -> None:
        """Create database ``name`` afresh and run ``sql`` (statements separated by ``;`` at line ends)."""
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
                cursor.execute(f"USE `{name}`")
                for statement in split_sql(sql):
                    cursor.execute(statement)
        finally:
            connection.close()

    def execute(self, database: str, sql: str, args=None) -> None:
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
        finally:
            connection.close()


def split_sql(sql: str) -> list[str]:
    statements, current = [], []
    for line in sql.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    from tests.conftest import require_service

    binaries = find_binaries()
    if not binaries:
        require_service("MariaDB", "no mariadbd / mariadb-install-db (apt-get install mariadb-server)")
    server = MariaDB(*binaries, tmp_path_factory.mktemp("mariadb"))
    try:
        server.start()
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        require_service("MariaDB", f"could not start: {exc}")
    yield server
    server.stop()
