"""``{% table_rows table %}``: the ``<tr>`` rows of a django-tables2 table, as the library's
``bootstrap5.html`` writes them (``templates/django_tables2/enlace.html``, the project's table
template), in Python.

The library's template asks every cell for its column's ``attrs`` (a dict rebuilt per call, with
the ordering classes) and goes through the template engine per cell: about a third of the CPU of
a list page (bench/load.py). Here a column's ``<td>`` attributes are computed once per table when
they hold no callable (one computed from the record is still asked per cell), and each cell is
rendered with ``render_value_in_context`` as ``{{ cell }}`` would be (local time, localisation,
escaping)."""

from django import template
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _static_td(bound_column) -> str | None:
    """The ``<td>`` attributes of a column when they do not depend on the row."""
    column_attrs = bound_column.column.attrs or {}
    table_attrs = bound_column._table.attrs or {}
    for attrs in (column_attrs, table_attrs):
        td = attrs.get("td", attrs.get("cell", {})) or {}
        if any(callable(value) for value in td.values()):
            return None
    return bound_column.attrs["td"].as_html()


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    columns = list(table.columns)
    static = {column.name: _static_td(column) for column in columns}
    parts = []
    for row in table.paginated_rows:
        parts.append(f"<tr {row.attrs.as_html()}>")
        for column, cell in row.items():
            td = static[column.name]
            if td is None:
                td = column.attrs["td"].as_html()
            if column.localize is None:
                text = render_value_in_context(cell, context)
            elif column.localize:
                text = render_value_in_context(formats.localize(cell, use_l10n=True), context)
            else:
                text = conditional_escape(str(cell))
            parts.append(f"<td {td}>{text}</td>")
        parts.append("</tr>")
    if not parts and table.empty_text:
        parts.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or the library's safe HTML
