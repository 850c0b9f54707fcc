"""CSV cells that a spreadsheet will not run (CSV/formula injection).

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or ``@``
(also after a leading tab or carriage return) as a formula, and a formula can reach the network
or run commands (DDE). Text typed by anyone — a customer's name from the portal, a ticket's
subject — ends up in exports, so every cell written by ``ObjectListView.export_csv`` goes
through ``neutralise``: such a cell gets a leading apostrophe, which the spreadsheet shows as
text. Plain numbers ("-12.50", "+5511…" without other characters) are left alone: they cannot be
formulas and must stay numbers for whoever sums the column.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def neutralise(value):
    """``value`` unchanged, or prefixed with ``'`` when a spreadsheet would read it as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_row(row) -> list:
    return [neutralise(value) for value in row]
