"""The home page's dashboard: figures and monthly charts contributed by each app, computed per
branch, cached, and summed over the viewer's branches.

An app declares what it shows in ``enlace/<app>/dashboard.py`` (found by ``autodiscover``, like
``demo.py``; core never imports a higher app):

- ``figure(key, label, section, url_name, filterset, params, ...)``: a count (and optionally an
  amount) of the rows of the list page ``url_name`` filtered by ``params``. The figure is counted
  with that list's own FilterSet and the same parameters, so it equals the count of the list it
  links to (within the viewer's branches: the list applies the branch scope, the figure sums the
  per-branch counts of those branches). ``split`` shows one figure per value of a field (open
  tickets per department).
- ``series(key, chart, label, model, date_field, ...)``: the last 12 months of a count or a sum by
  month, drawn as columns by ``charts.column_chart``; ``hourly(...)`` does the same for the last 24
  hours (online sessions).

Computing every figure at a million customers takes seconds, so the page never does it per
request: ``refresh()`` (task ``enlace.core.tasks.refresh_dashboard``, every 5 minutes on beat)
stores the per-branch numbers in the cache with the time they were taken; the page reads them (one
cache read) and shows "updated at". When the cache is empty or older than ``STALE_AFTER`` the page
asks for a refresh (run in the request when there is no broker: a small installation).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .discovery import discover
from .scope import allowed_branch_ids, scope_rule
from .types import Viewer

logger = logging.getLogger(__name__)

CACHE_KEY = "enlace:dashboard:v1"
LOCK_KEY = "enlace:dashboard:lock"
#: Seconds after which the page asks for fresh numbers (beat refreshes every 5 minutes).
STALE_AFTER = 600
MONTHS = 12

#: Sections of the page, in order.
SECTIONS = {
    "customers": _("Customers and contracts"),
    "network": _("Network"),
    "finance": _("Finance"),
    "support": _("Support"),
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    section: str
    url_name: str
    filterset: type
    params: Callable[[datetime.date], dict]
    permission: str
    amount: Any = None  # an expression summed per branch (money), or None
    split: str | None = None  # a field: one figure per value
    split_labels: Callable[[Iterable], dict] | None = None
    order: int = 100


@dataclass(frozen=True)
class Series:
    key: str
    chart: str
    chart_title: Any
    label: Any
    queryset: Callable[[], QuerySet]
    date_field: str
    branch_path: str
    permission: str
    value: Any = None  # an expression summed per month, or None to count
    colour: str = "primary"
    hourly: bool = False  # sessions open at each of the last 24 hours (``end_field`` null or later)
    end_field: str = ""
    money: bool = False


_FIGURES: dict[str, Figure] = {}
_SERIES: dict[str, Series] = {}


def figure(
    key: str,
    label,
    section: str,
    url_name: str,
    filterset: type,
    params: Callable[[datetime.date], dict],
    permission: str,
    **options,
) -> None:
    """Register a figure (see the module's docstring); ``params(today)`` are the list's query
    parameters (a value may be a list: repeated parameter)."""
    if section not in SECTIONS:
        raise ValueError(f"unknown dashboard section {section!r}")
    _FIGURES[key] = Figure(key, label, section, url_name, filterset, params, permission, **options)


def series(
    key: str,
    chart: str,
    chart_title,
    label,
    queryset,
    date_field: str,
    branch_path: str,
    permission: str,
    **options,
) -> None:  # noqa: E501
    """Register one series of a chart: ``queryset()`` rows counted (or ``value`` summed) by the
    month of ``date_field`` (by hour with ``hourly=True``), per branch (``branch_path``)."""
    _SERIES[key] = Series(
        key, chart, chart_title, label, queryset, date_field, branch_path, permission, **options
    )


def autodiscover() -> None:
    """Import ``enlace.<app>.dashboard`` of every installed Enlace app (once)."""
    discover("dashboard")


# --- computing (the task) --------------------------------------------------------------------


def _branch_path(model) -> str:
    rule = scope_rule(model)
    if not isinstance(rule, str) or rule == "pk":
        raise ValueError(f"{model._meta.label}: the dashboard needs a branch path, not {rule!r}")
    return rule


def _figure_rows(fig: Figure, today: datetime.date) -> dict:
    """{split value or "": {branch id or "": [count, amount]}} of one figure, for every branch."""
    model = fig.filterset._meta.model
    filterset = fig.filterset(_query_dict(fig.params(today)), queryset=model.objects.all(), request=None)
    if not filterset.is_valid():
        raise ValueError(f"dashboard figure {fig.key}: {filterset.errors.as_json()}")
    path = _branch_path(model)
    keys = [path] if fig.split is None else [path, fig.split]
    aggregates = {"n": Count("pk")}
    if fig.amount is not None:
        aggregates["amount"] = Sum(fig.amount)
    result: dict = defaultdict(dict)
    for row in filterset.qs.order_by().values(*keys).annotate(**aggregates):
        split = "" if fig.split is None else row[fig.split]
        branch = row[path] if row[path] is not None else ""
        result[split][branch] = [row["n"], str(row.get("amount") or Decimal("0.00"))]
    return dict(result)


def _query_dict(params: dict):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for name, value in params.items():
        if isinstance(value, list | tuple):
            query.setlist(name, [str(v) for v in value])
        else:
            query[name] = str(value)
    return query


def month_starts(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    first = today.replace(day=1)
    months = []
    for _n in range(count):
        months.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def _series_rows(item: Series, now: datetime.datetime) -> dict:
    """{branch id or "": {period key: value}} of one series."""
    qs = item.queryset().order_by()
    result: dict = defaultdict(dict)
    if item.hourly:
        hours = [
            now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=h)
            for h in range(23, -1, -1)
        ]
        for hour in hours:
            active = qs.filter(**{f"{item.date_field}__lte": hour}).filter(
                Q(**{f"{item.end_field}__isnull": True}) | Q(**{f"{item.end_field}__gt": hour})
            )
            for row in active.values(item.branch_path).annotate(n=Count("pk")):
                branch = row[item.branch_path] if row[item.branch_path] is not None else ""
                result[branch][hour.isoformat()] = row["n"]
        return dict(result)
    today = timezone.localdate(now)
    start = month_starts(today)[0]
    field_ = item.queryset().model._meta.get_field(item.date_field.split("__")[0])
    lower = (
        start
        if field_.get_internal_type() == "DateField"
        else timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    )
    aggregate = Count("pk") if item.value is None else Sum(item.value)
    rows = (
        qs.filter(**{f"{item.date_field}__gte": lower})
        .annotate(_month=TruncMonth(item.date_field))
        .values(item.branch_path, "_month")
        .annotate(v=aggregate)
    )
    for row in rows:
        month = row["_month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        branch = row[item.branch_path] if row[item.branch_path] is not None else ""
        key = month.strftime("%Y-%m")
        result[branch][key] = str(Decimal(result[branch].get(key, 0)) + Decimal(row["v"] or 0))
    return dict(result)


def compute() -> dict:
    """Every registered figure and series, per branch, now."""
    autodiscover()
    now = timezone.now()
    today = timezone.localdate(now)
    data = {"updated_at": now.isoformat(), "today": today.isoformat(), "figures": {}, "series": {}}
    for fig in _FIGURES.values():
        data["figures"][fig.key] = _figure_rows(fig, today)
    for item in _SERIES.values():
        data["series"][item.key] = _series_rows(item, now)
    return data


def refresh() -> dict:
    """Compute the numbers and keep them in the cache (the task)."""
    data = compute()
    cache.set(CACHE_KEY, data, timeout=None)
    cache.delete(LOCK_KEY)
    return data


def cached(*, refresh_when_stale: bool = True) -> dict:
    """The cached numbers; computed now when there are none, a refresh asked for when stale."""
    data = cache.get(CACHE_KEY)
    if data is None:
        return refresh()
    age = (timezone.now() - datetime.datetime.fromisoformat(data["updated_at"])).total_seconds()
    if refresh_when_stale and age > STALE_AFTER and cache.add(LOCK_KEY, 1, timeout=120):
        from .tasks import refresh_dashboard

        refresh_dashboard.delay()
        data = cache.get(CACHE_KEY) or data
    return data


# --- the viewer's page -----------------------------------------------------------------------


def _in_scope(rows: dict, ids: frozenset[int] | None) -> list:
    count, amount = 0, Decimal("0.00")
    for branch, (n, value) in rows.items():
        if ids is None or branch == "" or int(branch) in ids:
            count += n
            amount += Decimal(value)
    return [count, amount]


def _url(fig: Figure, today: datetime.date, extra: dict | None = None) -> str:
    params = {**fig.params(today), **(extra or {})}
    return f"{reverse(fig.url_name)}?{urlencode(params, doseq=True)}"


def for_viewer(user: Viewer, data: dict | None = None) -> dict:
    """What ``user`` sees: sections of figures (label, count, amount, url) and charts, summed over
    the user's branches, only those the user has the permission of."""
    autodiscover()
    data = data if data is not None else cached()
    ids = allowed_branch_ids(user)
    today = datetime.date.fromisoformat(data["today"])
    sections: dict[str, list] = {key: [] for key in SECTIONS}
    for fig in sorted(_FIGURES.values(), key=lambda f: f.order):
        if not user.has_perm(fig.permission) or fig.key not in data["figures"]:
            continue
        rows = data["figures"][fig.key]
        if fig.split is None:
            count, amount = _in_scope(rows.get("", {}), ids)
            sections[fig.section].append(_shown(fig, fig.label, count, amount, _url(fig, today)))
            continue
        values = [value for value in rows if value != ""]
        labels = fig.split_labels(values) if fig.split_labels else {v: str(v) for v in values}
        for value in sorted(values, key=lambda v: str(labels.get(v, v))):
            count, amount = _in_scope(rows[value], ids)
            if count:
                label = f"{fig.label} — {labels.get(value, value)}"
                shown = _shown(fig, label, count, amount, _url(fig, today, {fig.split: value}))
                shown["key"] = f"{fig.key}-{value}"
                sections[fig.section].append(shown)
    return {
        "updated_at": datetime.datetime.fromisoformat(data["updated_at"]),
        "sections": [
            {"key": key, "title": SECTIONS[key], "figures": figs} for key, figs in sections.items() if figs
        ],
        "charts": _charts(user, data, ids, today),
    }


def _shown(fig: Figure, label, count: int, amount: Decimal, url: str) -> dict:
    return {
        "key": fig.key,
        "label": label,
        "count": count,
        "amount": amount if fig.amount is not None else None,
        "url": url,
    }


def _charts(user: Viewer, data: dict, ids, today: datetime.date) -> list[dict]:
    from .charts import column_chart

    charts: dict[str, dict] = {}
    for item in _SERIES.values():
        if not user.has_perm(item.permission) or item.key not in data["series"]:
            continue
        if item.hourly:
            now = datetime.datetime.fromisoformat(data["updated_at"])
            hours = [
                now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=h)
                for h in range(23, -1, -1)
            ]
            periods = [(hour.isoformat(), timezone.localtime(hour).strftime("%Hh")) for hour in hours]
        else:
            periods = [(month.strftime("%Y-%m"), month.strftime("%m/%y")) for month in month_starts(today)]
        values = []
        for period, _label in periods:
            total = Decimal(0)
            for branch, by_period in data["series"][item.key].items():
                if ids is None or branch == "" or int(branch) in ids:
                    total += Decimal(by_period.get(period, 0))
            values.append(total)
        chart = charts.setdefault(
            item.chart,
            {"key": item.chart, "title": item.chart_title, "labels": [p[1] for p in periods], "series": []},
        )
        chart["series"].append(
            {"label": item.label, "values": values, "colour": item.colour, "money": item.money}
        )
    return [column_chart(chart) for chart in charts.values()]
