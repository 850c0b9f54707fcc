"""Staff list pages with one user on the load bench's data set (issue 22: every staff list page
≤ 200 ms with one user at 100,000 customers). Run by ``bench/load.py`` after its steps, in its own
process against the scratch database, with ``DEBUG`` off: the Django test ``Client`` logged in as
``administrador001`` requests each page once to warm up, then ``REPEATS`` times; the table gives
the median and the slowest (with five requests, the slowest stands for p95) and the queries.

The pages: every entry of the staff menu (``enlace.core.navigation``: the list of each area,
whatever apps are installed) and the filters operators use most (``FILTERED``)."""

from __future__ import annotations

import datetime
import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench import loadset

REPEATS = 5
GOAL_MS = 200


def filtered(today) -> list[str]:
    month = today.replace(day=1)
    three_months = (month - datetime.timedelta(days=62)).replace(day=1)
    return [
        # "Vencido": open and due before today, over three months
        f"/invoices/?status=A&due_date_after={three_months}&due_date_before={today}",
        f"/invoices/?status=A&due_date_after={month}&due_date_before={today}",
        f"/invoices/?color=red&due_date_after={three_months}&due_date_before={today}",
        f"/invoices/?period={today:%Y-%m}&status=R",
        f"/payments/?date_after={month}&date_before={today}",
        "/tickets/?status=N",
        "/customers/?q=maria",
        "/customers/?q=silva+santos",
        "/contracts/?status=A",
        "/logins/?q=cliente0001",
    ]


def menu_pages() -> list[str]:
    from enlace.core.navigation import _ITEMS

    urls = []
    for item in _ITEMS:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if url not in urls:
            urls.append(url)
    return urls


def measure(user: str | None = None) -> list[tuple[str, float, float, int, int]]:
    """(url, median ms, max ms, queries, status) of every page."""
    settings.DEBUG = False
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(
        get_user_model().objects.get(username=user or loadset.operator_username("administrador", 1))
    )
    rows = []
    for url in ["/", *menu_pages(), *filtered(timezone.localdate())]:
        status = client.get(url).status_code
        times = []
        queries = 0
        for _ in range(REPEATS):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries = len(ctx.captured_queries)
        rows.append((url, statistics.median(times), max(times), queries, status))
    return rows


def print_table(rows) -> None:
    print()
    print(f"Staff pages with one user (median and slowest of {REPEATS}; goal: slowest ≤ {GOAL_MS} ms)")
    print()
    print("| page | median ms | slowest ms | queries | status | goal |")
    print("|---|---:|---:|---:|---:|---|")
    for url, median, slowest, queries, status in rows:
        goal = "yes" if slowest <= GOAL_MS and status == 200 else "NO"
        print(f"| `{url}` | {median:.0f} | {slowest:.0f} | {queries} | {status} | {goal} |")
    met = sum(1 for r in rows if r[2] <= GOAL_MS and r[4] == 200)
    print(f"\n{met} of {len(rows)} pages meet the goal.")
