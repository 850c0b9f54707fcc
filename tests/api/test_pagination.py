"""Ids-first pagination of API lists with computed columns (issue 22): ``/api/v1/logins/`` pages
over ids, then loads and annotates (online status, session address) only the page's rows. The
answer is the one plain OFFSET paging gave, and a page costs the same queries wherever it is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enlace.api import pagination
from enlace.radius import services
from tests.helpers.nas import open_session

pytestmark = pytest.mark.django_db

URL = "/api/v1/logins/"


@pytest.fixture
def logins(admin_user, active_contract):
    made = [
        services.login_create(
            actor=admin_user, contract=active_contract, username=f"cliente{n:02d}", password="segredo123"
        )
        for n in range(7)
    ]
    for n in (1, 2, 5):  # three of them online, each at its own address
        open_session(made[n].username, ip=f"100.64.0.{10 + n}")
    return made


def pages(api, params: dict, size: int) -> list[dict]:
    """Every page's body, following ``next`` from page 1."""
    bodies = [api.get(URL, {**params, "page_size": size}).json()]
    while bodies[-1]["next"]:
        bodies.append(api.get(bodies[-1]["next"]).json())
    return bodies


@pytest.mark.parametrize("params", [{}, {"ordering": "-username"}, {"online": "true"}, {"online": "false"}])
def test_pages_are_the_ones_offset_paging_gave(admin_api, logins, monkeypatch, params):
    ids_first = pages(admin_api, params, 3)
    monkeypatch.setattr(pagination, "wide_rows", lambda queryset: False)
    plain = pages(admin_api, params, 3)

    assert ids_first == plain
    rows = [row for body in ids_first for row in body["results"]]
    assert len(rows) == ids_first[0]["count"]
    assert len({row["id"] for row in rows}) == len(rows)
    if params == {}:
        assert len(ids_first) == 3 and [r["username"] for r in rows] == sorted(r["username"] for r in rows)
        online = {r["username"]: (r["online"], r["ip"]) for r in rows}
        assert online["cliente01"] == (True, "100.64.0.11") and online["cliente00"] == (False, None)


def test_a_page_costs_the_same_queries_wherever_it_is(admin_api, logins):
    admin_api.get(URL)  # warm the token's and the permissions' caches alike for every page

    counts = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            response = admin_api.get(URL, {"page_size": 3, "page": page})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
        # The skipped rows' online status is never computed: only the page's rows are annotated.
        annotated = [
            q["sql"] for q in ctx.captured_queries if "radacct" in q["sql"] and "COUNT(" not in q["sql"]
        ]
        assert len(annotated) == 1 and " IN (" in annotated[0]
    assert counts[0] == counts[1] == counts[2]
    assert counts[0] <= 8


def test_lists_of_narrow_rows_page_as_before(admin_api, branch_a, branch_b):
    from enlace.core.models import Department

    Department.objects.create(name="Suporte")
    Department.objects.create(name="Financeiro")
    with CaptureQueriesContext(connection) as ctx:
        body = admin_api.get("/api/v1/departments/", {"page_size": 1}).json()
    assert body["count"] >= 2 and len(body["results"]) == 1
    assert not any('"id" IN (' in q["sql"] for q in ctx.captured_queries)


def test_joined_rows_page_over_ids(admin_api, branch_a, branch_b):
    """Branches come with their city (``select_related``): the page's ids first, then its rows."""
    first = admin_api.get("/api/v1/branches/", {"page_size": 1}).json()
    with CaptureQueriesContext(connection) as ctx:
        second = admin_api.get("/api/v1/branches/", {"page_size": 1, "page": 2}).json()
    assert second["count"] == first["count"] >= 2
    assert second["results"][0]["id"] != first["results"][0]["id"]
    assert any('"id" IN (' in q["sql"] for q in ctx.captured_queries)
