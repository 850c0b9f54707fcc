"""Reading a bank return file of either layout: ``open_return`` streams a file object (the header
at once, then the titles one by one), ``parse_return`` reads bytes already in memory whole."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from itertools import chain
from types import ModuleType
from typing import BinaryIO

from . import cnab240, cnab400
from .common import CnabError, Line, ReturnFile, ReturnRecord, iter_lines


def _unbroken(text: str) -> list[str]:
    """Some banks deliver every record on one line with no line breaks: split such a file into
    records when the single line is a whole number of records of the layout its header shows."""
    for length, looks_like in (
        (cnab240.LENGTH, cnab240.looks_like_header),
        (cnab400.LENGTH, cnab400.looks_like_header),
    ):
        if len(text) > length and len(text) % length == 0 and looks_like(text):
            return [text[i : i + length] for i in range(0, len(text), length)]
    return [text]


def _lines(texts: Iterable[str], length: int) -> Iterator[Line]:
    """Numbered ``Line``s padded to the layout's length; a line longer than the layout is refused
    (blanks past the end excepted)."""
    for number, text in enumerate(texts, start=1):
        if len(text) > length:
            if text[length:].strip():
                raise CnabError(
                    f"the line has {len(text)} characters; CNAB {length} records have {length}", line=number
                )
            text = text[:length]
        yield Line(number, text.ljust(length))


class ReturnReader:
    """A return file read from a binary stream while it is iterated: never whole in memory.

    Opening reads the header and refuses, with ``CnabError``, a file whose layout cannot be told
    (or an empty one, a remittance, an unsupported CNAB 400 bank); ``header`` then holds the
    header's fields (the ``ReturnFile`` fields but ``sha256`` and ``records``). Iterating gives
    the titles one by one and raises ``CnabError`` at the first wrong line, which can be the last
    (a trailer whose counts do not match, a truncated file): a consumer that acts on titles as
    they come must be able to undo it all (the import runs in one transaction). A reader is
    iterated once. Once it is iterated, ``warnings`` lists what was accepted without being
    checked (a Bradesco trailer whose counts are blank).
    """

    def __init__(self, stream: BinaryIO):
        texts = iter_lines(stream)
        first = next(texts, None)
        if first is None or not first.strip():
            raise CnabError("the file is empty" if first is None else "the first line is empty", line=1)
        second = next(texts, None)
        all_texts = _unbroken(first) if second is None else chain((first, second), texts)

        layout: ModuleType
        if cnab240.looks_like_header(first):
            layout = cnab240
        elif cnab400.looks_like_header(first):
            layout = cnab400
        else:
            raise CnabError(
                "cannot tell the layout: the first line is neither a CNAB 240 file header (bank code, "
                "lot 0000, record type 0 in positions 1-8) nor a CNAB 400 return header "
                f"('02RETORNO' in positions 1-9); it starts with {first[:20]!r}",
                line=1,
            )
        self._layout = layout
        self._lines = _lines(all_texts, layout.LENGTH)
        self._header = next(self._lines)
        self.header: dict = layout.header_fields(self._header)
        self.warnings: list[str] = []

    @property
    def layout(self) -> str:
        return self.header["layout"]

    @property
    def bank_code(self) -> str:
        return self.header["bank_code"]

    def __iter__(self) -> Iterator[ReturnRecord]:
        return self._layout.records(self._header, self._lines, self.warnings)


def open_return(stream: BinaryIO) -> ReturnReader:
    """Start reading a CNAB 240 or CNAB 400 return file from a binary stream (an upload, an open
    file), read in chunks of 64 KB. See ``ReturnReader`` and ``parse_return``."""
    return ReturnReader(stream)


def parse_return(data: bytes) -> ReturnFile:
    """Parse a CNAB 240 or CNAB 400 return file ("arquivo de retorno") held in memory.

    The layout is told by the header record: a CNAB 240 file header starts with the bank code
    followed by lot ``0000`` and record type ``0``; a CNAB 400 return header starts with
    ``02RETORNO``. Lines may end in CRLF, LF or CR, are decoded as Latin-1, and may come with their
    trailing blanks trimmed (they are padded back to the layout's length); a line longer than the
    layout is refused.

    Raises ``CnabError`` (a ``ValueError``) naming the line, and the field where there is one, for
    anything that cannot be read safely: nothing is returned from a malformed file.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_return() takes the file's bytes")
    data = bytes(data)
    reader = open_return(io.BytesIO(data))
    records = tuple(reader)
    return ReturnFile(
        **reader.header,
        sha256=hashlib.sha256(data).hexdigest(),
        records=records,
        warnings=tuple(reader.warnings),
    )
