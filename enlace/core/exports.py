"""CSV exports of the lists the way a Brazilian operator opens them in a spreadsheet: the file named
after the list and the day (``clientes-2026-12-07.csv``), headers by the columns' verbose names
with a capital letter, yes/no as "Sim"/"Não", dates and times in the local time zone
(``dd/mm/aaaa hh:mm``) and decimals with a comma. Cells then pass through ``csvsafe``."""

import datetime
import decimal

from django.utils import formats, timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from .csvsafe import neutralise_row

_BOOLEAN_TEXT = {"True": True, "False": False}


def filename(verbose_name_plural, day: datetime.date | None = None) -> str:
    """``clientes-2026-12-07.csv`` (the list's name in the operator's language, local date)."""
    day = day or timezone.localdate()
    return f"{slugify(str(verbose_name_plural)) or 'export'}-{day.isoformat()}.csv"


def cell(value):
    """One exported value as the operator reads it."""
    if value is None:
        return ""
    if isinstance(value, bool) or (isinstance(value, str) and value in _BOOLEAN_TEXT):
        flag = value if isinstance(value, bool) else _BOOLEAN_TEXT[value]
        return _("Yes") if flag else _("No")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, decimal.Decimal | float):
        return formats.number_format(value, use_l10n=True, force_grouping=False)
    return value


def rows(table, exclude=("actions",)):
    """The table's header (capitalised) and rows, ready for ``csv.writer``. A column that exports
    the plain text of a date, time, decimal or yes/no value (``str(value)``) is written from the
    value itself, in the operator's format; a column that renders its own text keeps it."""
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude)
    ]
    yield neutralise_row([capfirst(str(column.header)) for column in columns])
    for row in table.rows:
        values = []
        for column in columns:
            value = row.get_cell_value(column.name)
            if isinstance(value, str) and value:
                raw = column.accessor.resolve(row.record, quiet=True) if column.accessor else None
                if isinstance(raw, _TYPED) and str(raw) == value:
                    value = raw
            values.append(cell(value))
        yield neutralise_row(values)


_TYPED = (bool, datetime.date, decimal.Decimal)
