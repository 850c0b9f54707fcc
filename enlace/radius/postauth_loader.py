"""The post-auth log in batches (docs/radius.md, "Post-auth log in batches"; issue 21).

With the Redis copy, FreeRADIUS appends one line per answered Access-Request to
``$RADIUS_STATE_DIR/spool/postauth-batch/auth-YYYYMMDD-HHMM.tsv`` (``mods/postauth_lines``, a
``linelog``: time, answer, Calling-Station-Id, Called-Station-Id, user name — never a password), and
``manage.py radius_cache`` loads the new lines into ``radpostauth`` with one ``COPY`` per batch
instead of one INSERT per authentication.

Each file's loaded length is kept beside it (``auth-….offset``), written after the commit: nothing is
lost when PostgreSQL is away (the lines wait in the file), and a crash between the commit and that
write loads the last batch twice (a duplicate log row, never a missing one). A file is deleted once
loaded to its end, when a newer one exists and it has not changed for ``settle`` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

COPY_SQL = "COPY radpostauth (username, pass, reply, calledstationid, callingstationid, authdate) FROM STDIN"
#: Bytes read from a file per batch (about 10,000 lines).
BATCH_BYTES = 1 << 20


def parse(data: bytes, log: Callable[[str], None] = logger.warning) -> list[tuple]:
    """Rows of radpostauth from complete lines ``time\\treply\\tcalling\\tcalled\\tuser``: the
    separator is the two characters backslash and ``t`` (as linelog writes it; a tab or line break
    inside a value is escaped too). The user name, the one field a subscriber chooses, comes last and
    keeps whatever it holds."""
    rows = []
    for raw in data.split(b"\n"):
        if not raw:
            continue
        line = raw.decode("utf-8", "replace")
        fields = line.split("\\t", 4)
        try:
            when = datetime.fromtimestamp(float(fields[0]), UTC)
        except (ValueError, OverflowError):
            fields = []
        if len(fields) != 5:
            log(f"radius post-auth log: skipped a malformed line: {line[:200]!r}")
            continue
        _, reply, calling, called, username = fields
        rows.append((username, None, reply, called or None, calling or None, when))
    return rows


class PostAuthLoader:
    def __init__(self, directory: Path, *, settle: float = 2.0, log: Callable[[str], None] | None = None):
        self.directory = Path(directory)
        self.settle = settle
        self.log = log or logger.warning
        self.loaded = 0

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("auth-*.tsv")) if self.directory.exists() else []

    @staticmethod
    def _offset_path(path: Path) -> Path:
        return path.with_suffix(".offset")

    def offset(self, path: Path) -> int:
        try:
            return int(self._offset_path(path).read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def skip_to_end(self, path: Path) -> None:
        """Give up the complete lines of ``path`` not loaded yet (after PostgreSQL refused them)."""
        with path.open("rb") as f:
            data = f.read()
        self._offset_path(path).write_text(str(data.rfind(b"\n") + 1))

    def pending(self) -> bool:
        """Lines not loaded yet (the bench and the tests wait for none)."""
        for path in self.files():
            try:
                if path.stat().st_size > self.offset(path):
                    return True
            except FileNotFoundError:  # loaded and deleted meanwhile
                continue
        return False

    def load(self, conn) -> int:
        """Load every complete line not loaded yet; returns the number of rows written."""
        written = 0
        files = self.files()
        for index, path in enumerate(files):
            offset = self.offset(path)
            # Up to the length seen now: FreeRADIUS keeps appending, the next call takes the rest.
            size = path.stat().st_size
            while offset < size:
                with path.open("rb") as f:
                    f.seek(offset)
                    data = f.read(min(BATCH_BYTES, size - offset))
                end = data.rfind(b"\n") + 1
                if not end:
                    break
                rows = parse(data[:end], self.log)
                with conn.transaction(), conn.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
                    for row in rows:
                        copy.write_row(row)
                offset += end
                self._offset_path(path).write_text(str(offset))
                written += len(rows)
            stat = path.stat()
            if (
                index < len(files) - 1
                and offset >= stat.st_size
                and time.time() - stat.st_mtime > self.settle
            ):
                path.unlink()
                self._offset_path(path).unlink(missing_ok=True)
        self.loaded += written
        return written
