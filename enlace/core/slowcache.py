"""Figures that cost too much to recompute on every page view, kept for a short while.

A list page's summary (the receivables' amount by colour and row count) is one aggregate over the
filtered rows: a few milliseconds for a customer's invoices or a month, but a scan of the whole
table when the filter is broad (1.2 M invoices: 0.6 s on an idle 2-core machine). ``when_slow``
computes the figure; when that took longer than ``SLOW_SECONDS`` it keeps the result in the cache
(Redis in production, shared by every process) for ``TTL_SECONDS`` under a key made of the query's
SQL and parameters, and the next views of the same list within that time show it with the time it
was computed ("figures of 14:32"). Cheap figures are never cached, so a settlement shows at once
in any narrow list; a broad one may lag by up to ``TTL_SECONDS``.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.utils import timezone

T = TypeVar("T")

SLOW_SECONDS = 0.25
TTL_SECONDS = 120


def query_key(prefix: str, queryset: QuerySet, *extra) -> str | None:
    """A cache key for ``queryset``'s rows: its SQL with its parameters (the filters, the branch
    scope) and ``extra`` (e.g. today's date, which the colours depend on); None for a queryset
    that can match no row (nothing worth keeping)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    digest = hashlib.sha256(repr((sql, params, extra)).encode()).hexdigest()
    return f"enlace:slow:{prefix}:{digest}"


def when_slow(key: str | None, compute: Callable[[], T]) -> tuple[T, datetime.datetime | None]:
    """``(value, computed_at)``: ``computed_at`` is None when the value was computed now."""
    if key is None:
        return compute(), None
    kept = cache.get(key)
    if kept is not None:
        value, computed_at = kept
        return value, computed_at
    started = time.perf_counter()
    value = compute()
    if time.perf_counter() - started > SLOW_SECONDS:
        cache.set(key, (value, timezone.now()), TTL_SECONDS)
    return value, None
