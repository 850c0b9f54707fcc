"""The API base: authentication, audit actor, error format, pagination, schema and docs."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from enlace.core.models import AnalyticAccount, Branch, Department, ObjectChange, PaymentCondition

from .conftest import url

pytestmark = pytest.mark.django_db


# --- Authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "branches",
        "departments",
        "employees",
        "payment-conditions",
        "analytic-accounts",
        "states",
        "cities",
        "changes",
        "parameters",
    ],
)
def test_unauthenticated_is_refused(path):
    response = APIClient().get(url(path))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_bad_token_is_refused(branch_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert client.get(url("branches")).status_code == 401


def test_drf_create_token_command_makes_a_working_token(admin_user, branch_a):
    out = StringIO()
    call_command("drf_create_token", admin_user.username, stdout=out)
    key = re.search(r"Generated token (\w+) for user admin", out.getvalue()).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(url("branches"))
    assert response.status_code == 200
    assert [b["name"] for b in response.json()["results"]] == ["Matriz"]


def test_session_authentication_works_too(admin_user, branch_a):
    client = APIClient()
    client.force_login(admin_user)
    assert client.get(url("branches", branch_a.pk)).json()["name"] == "Matriz"


def test_api_root_lists_the_resources(admin_api):
    body = admin_api.get("/api/v1/").json()
    for name in (
        "branches",
        "departments",
        "employees",
        "payment-conditions",
        "analytic-accounts",
        "states",
        "cities",
        "changes",
        "parameters",
    ):
        assert body[name].endswith(f"/api/v1/{name}/")


# --- Audit trail attribution ----------------------------------------------------------------


def test_token_write_is_attributed_to_the_token_user(operator_a_admin, operator_a_admin_api):
    response = operator_a_admin_api.post(url("departments"), {"name": "Campo"}, format="json")
    assert response.status_code == 201, response.content
    change = ObjectChange.objects.get(
        object_id=str(response.json()["id"]), action="create", content_type__model="department"
    )
    assert change.user == operator_a_admin
    assert change.user_name == "alice"
    assert change.source == "api"
    assert str(change.request_id) == response["X-Request-ID"]


def test_actor_is_bound_around_the_whole_view(operator_a, operator_a_api):
    """Even a write no service call attributes (the row of parameters made on first read) is the token
    user's, and the binding ends with the response."""
    from enlace.core import context
    from enlace.core.models import GeneralParameters

    GeneralParameters.objects.all().delete()
    assert operator_a_api.get(url("parameters")).status_code == 200
    created = ObjectChange.objects.get(content_type__model="generalparameters", action="create")
    assert created.user == operator_a
    assert created.source == "api"
    assert context.current().user is None


def test_update_and_delete_are_attributed(admin_user, admin_api, department):
    assert (
        admin_api.patch(url("departments", department.pk), {"name": "Suporte N2"}, format="json").status_code
        == 200
    )
    assert admin_api.delete(url("departments", department.pk)).status_code == 204
    changes = ObjectChange.objects.filter(object_id=str(department.pk), content_type__model="department")
    update = changes.get(action="update")
    assert update.user == admin_user and update.source == "api"
    assert ("name", "Suporte", "Suporte N2") in update.diff()
    assert changes.get(action="delete").user == admin_user


# --- Error format ---------------------------------------------------------------------------


def test_protected_record_cannot_be_deleted(admin_api):
    parent = AnalyticAccount.objects.create(code="1", name="Receitas")
    AnalyticAccount.objects.create(code="1.01", name="Serviços", parent=parent)
    response = admin_api.delete(url("analytic-accounts", parent.pk))
    assert response.status_code == 400
    assert response.json()["code"] == "protected"
    assert "detail" in response.json()
    assert AnalyticAccount.objects.filter(pk=parent.pk).exists()


def test_model_validation_maps_to_field_errors(admin_api):
    """Rules of ``full_clean`` (in the service) come back as ``{"field": ["message"]}``."""
    account = AnalyticAccount.objects.create(code="2", name="Despesas", kind="D")
    child = AnalyticAccount.objects.create(code="2.01", name="Pessoal", kind="D", parent=account)
    response = admin_api.patch(url("analytic-accounts", account.pk), {"parent": child.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]
    account.refresh_from_db()
    assert account.parent is None


def test_unique_conflict_names_the_field(admin_api, branch_a):
    response = admin_api.post(
        url("branches"),
        {"name": "Outra", "legal_name": "Outra Ltda", "cnpj": "11.222.333/0001-81"},
        format="json",
    )
    assert response.status_code == 400
    assert "cnpj" in response.json()
    assert Branch.objects.count() == 1


def test_malformed_json_is_400(admin_api):
    response = admin_api.generic("POST", url("departments"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Department.objects.exists()


# --- Pagination -----------------------------------------------------------------------------


def test_list_is_paginated_with_page_size(admin_api):
    PaymentCondition.objects.bulk_create(PaymentCondition(name=f"Cond {i:02d}") for i in range(7))
    body = admin_api.get(url("payment-conditions"), {"page_size": 3}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 7
    assert len(body["results"]) == 3
    assert body["previous"] is None
    assert "page=2" in body["next"]
    page3 = admin_api.get(url("payment-conditions"), {"page_size": 3, "page": 3}).json()
    assert [c["name"] for c in page3["results"]] == ["Cond 06"]
    assert page3["next"] is None


def test_ordering_parameter(admin_api):
    PaymentCondition.objects.create(name="A vista", instalments=1)
    PaymentCondition.objects.create(name="Boleto 10x", instalments=10)
    names = [
        c["name"]
        for c in admin_api.get(url("payment-conditions"), {"ordering": "-instalments"}).json()["results"]
    ]
    assert names == ["Boleto 10x", "A vista"]


# --- Schema and docs ------------------------------------------------------------------------


def test_schema_lists_the_paths(admin_api):
    response = admin_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for resource in ("branches", "departments", "employees", "payment-conditions", "analytic-accounts"):
        assert set(paths[f"/api/v1/{resource}/"]) >= {"get", "post"}
        assert set(paths[f"/api/v1/{resource}/{{id}}/"]) >= {"get", "patch", "put", "delete"}
    assert set(paths["/api/v1/states/"]) == {"get"}
    assert set(paths["/api/v1/cities/{code}/"]) == {"get"}
    assert set(paths["/api/v1/changes/"]) == {"get"}
    assert set(paths["/api/v1/parameters/"]) == {"get", "patch"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_command_validates_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    assert '"/api/v1/parameters/"' in out.getvalue()


@pytest.mark.django_db
def test_schema_and_docs_need_authentication(client, admin_web):
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/").status_code == 401
    assert admin_web.get("/api/schema/").status_code == 200  # a staff session is enough


def test_swagger_ui_is_served_from_local_static_files(admin_web):
    client = admin_web
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = [a.replace("&amp;", "&") for a in re.findall(r'(?:src|href)="([^"]+)"', html)]
    assert assets, html
    # Static files, and the start-up script served by the view itself (no inline script: CSP).
    assert all(a.startswith(("/static/", "/api/docs/?")) for a in assets), assets
    assert not re.search(r"https?://", html)  # no CDN; BaseLayout has no online validator badge
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


# --- Base classes ---------------------------------------------------------------------------


def test_drf_mixins_never_bypass_the_services():
    """Whatever the order of the bases, ``perform_*`` are the service hooks, not DRF's save()/delete()."""
    from rest_framework import mixins

    from enlace.api.viewsets import EnlaceGenericViewSet, ServiceWriteMixin

    class DrfStyle(
        mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, EnlaceGenericViewSet
    ):
        queryset = Department.objects.all()

    class OwnHook(DrfStyle):
        def perform_destroy(self, instance):
            raise AssertionError

    for name in ("perform_create", "perform_update", "perform_destroy"):
        assert getattr(DrfStyle, name) is ServiceWriteMixin.__dict__[name]
    assert OwnHook.perform_destroy is not ServiceWriteMixin.__dict__["perform_destroy"]


def test_serializer_does_not_save_by_itself(admin_user):
    from enlace.core.api import DepartmentSerializer

    serializer = DepartmentSerializer(data={"name": "X"})
    assert serializer.is_valid()
    with pytest.raises(NotImplementedError):
        serializer.save()
    assert not Department.objects.exists()
