"""Sources of IXC rows: a MariaDB server with IXC's database, or IXC's webservice.

Each yields the rows of one table in id order as dicts of column → string, the shape IXC's
webservice answers in (dates ``YYYY-MM-DD``, money ``12.34``, NULL and zero dates as ``""``).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Protocol


class SourceError(Exception):
    """The source cannot be read (connection refused, table missing, HTTP error). ``fatal``: the
    whole source is unusable (refused credentials, unreachable), not only one table."""

    def __init__(self, message: str, *, fatal: bool = False):
        super().__init__(message)
        self.fatal = fatal


def _same(value: str) -> str:
    return value


#: The usual column types, converted without walking the checks below (the same results).
_TEXT = {
    str: _same,
    int: str,
    type(None): lambda value: "",
    decimal.Decimal: lambda value: format(value, "f"),
    datetime.date: datetime.date.isoformat,
    datetime.datetime: lambda value: value.strftime("%Y-%m-%d %H:%M:%S"),
}


def as_text(value) -> str:
    convert = _TEXT.get(type(value))
    if convert is not None:
        return convert(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class Source(Protocol):
    def count(self, table: str) -> int | None: ...

    def rows(self, table: str) -> Iterator[dict[str, str]]: ...

    def has_table(self, table: str) -> bool: ...


class MysqlSource:
    """IXC's database on a MariaDB/MySQL server (read with pymysql, streamed: unbuffered cursor)."""

    def __init__(
        self, *, host="127.0.0.1", port=3306, user="root", password="", database="ixcprovedor", socket=None
    ):
        import pymysql

        try:
            self.connection = pymysql.connect(
                host=host,
                port=int(port),
                user=user,
                password=password,
                database=database,
                unix_socket=socket or None,
                charset="utf8mb4",
                cursorclass=pymysql.cursors.SSDictCursor,
            )
        except pymysql.MySQLError as exc:
            raise SourceError(f"Cannot connect to MariaDB {host}:{port}/{database}: {exc}") from exc
        with self.connection.cursor(pymysql.cursors.Cursor) as cursor:
            cursor.execute("SHOW TABLES")
            self.tables = {row[0] for row in cursor.fetchall()}

    def has_table(self, table: str) -> bool:
        return table in self.tables

    def count(self, table: str) -> int | None:
        import pymysql

        with self.connection.cursor(pymysql.cursors.Cursor) as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM `{table}`")  # noqa: S608 - table from our list
            return int(cursor.fetchone()[0])

    def rows(self, table: str) -> Iterator[dict[str, str]]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM `{table}` ORDER BY id")  # noqa: S608 - table from our list
            for row in cursor:
                yield {key: as_text(value) for key, value in row.items()}

    def close(self) -> None:
        self.connection.close()


class WebserviceSource:
    """A running IXC's webservice: ``POST <base>/<tabela>`` with ``ixcsoft: listar``, paged by ``rp``."""

    def __init__(
        self, *, base_url: str, user_id: str, token: str, page_size: int = 1000, timeout: float = 60
    ):
        self.base_url = base_url.rstrip("/")
        credentials = base64.b64encode(f"{user_id}:{token}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {credentials}",
            "ixcsoft": "listar",
            "Content-Type": "application/json",
        }
        self.page_size = page_size
        self.timeout = timeout
        self._totals: dict[str, int] = {}

    def _list(self, table: str, page: int, rp: int) -> dict:
        body = {
            "qtype": f"{table}.id",
            "query": "0",
            "oper": ">",
            "page": str(page),
            "rp": str(rp),
            "sortname": f"{table}.id",
            "sortorder": "asc",
        }
        request = urllib.request.Request(  # noqa: S310 - the operator's IXC address
            f"{self.base_url}/{table}", data=json.dumps(body).encode(), headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise SourceError(
                f"{table}: HTTP {exc.code} {exc.read()[:200]!r}", fatal=exc.code in (401, 403)
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SourceError(f"{table}: {exc}", fatal=True) from exc
        except ValueError as exc:
            raise SourceError(f"{table}: {exc}") from exc
        if isinstance(answer, dict) and answer.get("type") == "error":
            raise SourceError(f"{table}: {answer.get('message')}")
        return answer

    def has_table(self, table: str) -> bool:
        try:
            self.count(table)
        except SourceError as exc:
            if exc.fatal:
                raise
            return False
        return True

    def count(self, table: str) -> int | None:
        if table not in self._totals:
            self._totals[table] = int(self._list(table, 1, 1).get("total") or 0)
        return self._totals[table]

    def rows(self, table: str) -> Iterator[dict[str, str]]:
        page = 1
        while True:
            answer = self._list(table, page, self.page_size)
            registros = answer.get("registros") or []
            for row in registros:
                yield {key: as_text(value) for key, value in row.items()}
            if len(registros) < self.page_size:
                return
            page += 1

    def close(self) -> None:
        pass
