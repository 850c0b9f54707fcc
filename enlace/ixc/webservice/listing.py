"""``ixcsoft: listar``: IXC's grid parameters turned into a scoped queryset, answered as
``{"page", "total", "registros"}`` and streamed, so ``rp=200000`` runs in bounded memory."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError

from .tables import Table

OPERATORS = {"=": "exact", "!=": "exact", ">": "gt", "<": "lt", ">=": "gte", "<=": "lte", "L": "icontains"}
CHUNK = 2000


def _column(table: Table, name: str):
    name = (name or "").strip()
    prefix, dot, bare = name.rpartition(".")
    if dot and prefix != table.name:
        raise ApplicationError(_("Unknown column %(column)s.") % {"column": name}, code="unknown_column")
    column = table.columns.get(bare if dot else name)
    if column is None:
        raise ApplicationError(_("Unknown column %(column)s.") % {"column": name}, code="unknown_column")
    return column


def condition(table: Table, qtype: str, oper: str, query: str) -> Q:
    """One IXC filter (``qtype``, ``oper``, ``query``) as a Q object."""
    column = _column(table, qtype)
    op = (oper or "=").strip()
    lookup = OPERATORS.get("L" if op.upper() == "L" else op)
    if lookup is None:
        raise ApplicationError(_("Unknown operator %(oper)s.") % {"oper": oper}, code="unknown_operator")
    value = "" if query is None else str(query)
    if lookup == "icontains":
        value = value.strip("%")
    elif column.to_db is not None:
        value = column.to_db(value)
    q = Q(**{f"{column.path}__{lookup}": value})
    return ~q if op == "!=" else q


def filtered(table: Table, params: dict, viewer) -> QuerySet:
    qs = table.visible(viewer)
    qtype, query = params.get("qtype"), params.get("query")
    if qtype and query not in (None, ""):
        qs = qs.filter(condition(table, qtype, params.get("oper") or "=", query))
    grid = params.get("grid_param")
    if grid:
        try:
            items = json.loads(grid) if isinstance(grid, str) else grid
        except ValueError as exc:
            raise ApplicationError(_("grid_param is not valid JSON."), code="grid_param") from exc
        if not isinstance(items, list):
            raise ApplicationError(_("grid_param must be a list."), code="grid_param")
        for item in items:
            if not isinstance(item, dict) or "TB" not in item:
                raise ApplicationError(_("Each grid_param item needs TB, OP and P."), code="grid_param")
            qs = qs.filter(condition(table, item["TB"], item.get("OP") or "=", item.get("P", "")))
    sort = params.get("sortname") or table.default_sort
    order = (params.get("sortorder") or "asc").strip().lower()
    column = _column(table, sort)
    path = column.path
    return qs.order_by(f"-{path}" if order == "desc" else path, "-pk" if order == "desc" else "pk")


def _int(value, default: int, name: str) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ApplicationError(
            _("%(name)s must be a number.") % {"name": name}, code="invalid_number"
        ) from exc
    if number < 1:
        raise ApplicationError(_("%(name)s must be 1 or more.") % {"name": name}, code="invalid_number")
    return number


def listing(table: Table, params: dict, viewer) -> tuple[int, int, Iterator[str]]:
    """(page, total, the JSON chunks of the rows) — rows read in chunks with ``iterator()``."""
    qs = filtered(table, params, viewer)
    page = _int(params.get("page"), 1, "page")
    rp = _int(params.get("rp"), 20, "rp")
    total = qs.count()
    names = list(table.columns)
    paths = list(dict.fromkeys(table.columns[n].path for n in names))
    index = {path: i for i, path in enumerate(paths)}
    outs = [(name, table.columns[name].out, index[table.columns[name].path]) for name in names]
    start = (page - 1) * rp
    rows = qs.values_list(*paths)[start : start + rp]

    def chunks() -> Iterator[str]:
        first = True
        for values in rows.iterator(chunk_size=CHUNK):
            record = {name: out(values[i]) for name, out, i in outs}
            yield ("" if first else ",") + json.dumps(record, ensure_ascii=False)
            first = False

    return page, total, chunks()
