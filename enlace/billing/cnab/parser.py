"""``parse_return``: read a bank return file of either layout."""

from __future__ import annotations

import hashlib

from . import cnab240, cnab400
from .common import CnabError, Line, ReturnFile, split_lines


def _unbroken(lines: list[str]) -> list[str]:
    """Some banks deliver every record on one line with no line breaks: split such a file into
    records when the single line is a whole number of records of the layout its header shows."""
    if len(lines) != 1:
        return lines
    text = lines[0]
    for length, looks_like in (
        (cnab240.LENGTH, cnab240.looks_like_header),
        (cnab400.LENGTH, cnab400.looks_like_header),
    ):
        if len(text) > length and len(text) % length == 0 and looks_like(text):
            return [text[i : i + length] for i in range(0, len(text), length)]
    return lines


def parse_return(data: bytes) -> ReturnFile:
    """Parse a CNAB 240 or CNAB 400 return file ("arquivo de retorno").

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
    sha256 = hashlib.sha256(data).hexdigest()
    texts = _unbroken(split_lines(data))
    if not texts or not texts[0].strip():
        raise CnabError("the file is empty" if not texts else "the first line is empty", line=1)

    first = texts[0]
    if cnab240.looks_like_header(first):
        layout, length = cnab240, cnab240.LENGTH
    elif cnab400.looks_like_header(first):
        layout, length = cnab400, cnab400.LENGTH
    else:
        raise CnabError(
            "cannot tell the layout: the first line is neither a CNAB 240 file header (bank code, "
            "lot 0000, record type 0 in positions 1-8) nor a CNAB 400 return header "
            f"('02RETORNO' in positions 1-9); it starts with {first[:20]!r}",
            line=1,
        )

    lines = []
    for number, text in enumerate(texts, start=1):
        if len(text) > length:
            if text[length:].strip():
                raise CnabError(
                    f"the line has {len(text)} characters; CNAB {length} records have {length}", line=number
                )
            text = text[:length]
        lines.append(Line(number, text.ljust(length)))
    return layout.parse(lines, sha256)
