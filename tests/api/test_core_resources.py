"""CRUD, permissions, branch scope and filters of the core resources."""

import pytest

from enlace.core.models import (
    AnalyticAccount,
    Branch,
    Department,
    Employee,
    PaymentCondition,
)

from .conftest import url

pytestmark = pytest.mark.django_db

MODELS = {
    "branches": Branch,
    "departments": Department,
    "employees": Employee,
    "payment-conditions": PaymentCondition,
    "analytic-accounts": AnalyticAccount,
}
WRITABLE = list(MODELS)

# A text field to change with PATCH, per resource.
PATCH_FIELD = {
    "branches": ("legal_name", "Enlace Santos Ltda"),
    "departments": ("name", "Cobrança"),
    "employees": ("name", "Bruno S. Souza"),
    "payment-conditions": ("name", "3x cartão"),
    "analytic-accounts": ("name", "Mensalidades de internet"),
}


# --- CRUD -----------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", WRITABLE)
def test_create_retrieve_patch_list_delete(admin_api, payloads, resource):
    model = MODELS[resource]
    created = admin_api.post(url(resource), payloads[resource], format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    obj = model.objects.get(pk=pk)
    assert created.json()["display"] == str(obj)

    detail = admin_api.get(url(resource, pk))
    assert detail.status_code == 200
    assert detail.json() == created.json()

    field, value = PATCH_FIELD[resource]
    patched = admin_api.patch(url(resource, pk), {field: value}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()[field] == value
    obj.refresh_from_db()
    assert getattr(obj, field) == value

    listed = admin_api.get(url(resource)).json()
    assert pk in [row["id"] for row in listed["results"]]

    assert admin_api.delete(url(resource, pk)).status_code == 204
    assert not model.objects.filter(pk=pk).exists()
    assert admin_api.get(url(resource, pk)).status_code == 404


@pytest.mark.parametrize("resource", WRITABLE)
def test_put_replaces_the_record(admin_api, payloads, resource):
    pk = admin_api.post(url(resource), payloads[resource], format="json").json()["id"]
    field, value = PATCH_FIELD[resource]
    body = {**payloads[resource], field: value}
    response = admin_api.put(url(resource, pk), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()[field] == value


def test_branch_cnpj_mask_is_accepted_and_stored_as_digits(admin_api, payloads):
    response = admin_api.post(url("branches"), payloads["branches"], format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cnpj"] == "12345678000195"
    assert body["phone"] == "1333334444"
    assert body["cep"] == "11010000"
    assert body["city"] == 3548500
    assert body["state"] == "SP"
    branch = Branch.objects.get(pk=body["id"])
    assert branch.cnpj == "12345678000195"
    assert branch.cnpj_display == "12.345.678/0001-95"


def test_branch_state_is_read_only_and_null_without_city(admin_api, payloads):
    body = {**payloads["branches"], "city": None, "state": "RJ"}
    response = admin_api.post(url("branches"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] is None
    assert response.json()["city"] is None


@pytest.mark.parametrize("cnpj", ["11.222.333/0001-82", "123", "AB.CDE.FGH/IJKL-MN", "1122233300018100000"])
def test_invalid_cnpj_is_400_on_cnpj(admin_api, payloads, cnpj):
    response = admin_api.post(url("branches"), {**payloads["branches"], "cnpj": cnpj}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["cnpj"]
    assert not Branch.objects.exists()


def test_unknown_city_code_is_400(admin_api, payloads):
    response = admin_api.post(url("branches"), {**payloads["branches"], "city": 1234567}, format="json")
    assert response.status_code == 400
    assert "city" in response.json()


def test_employee_branches_and_user_are_ids(admin_api, payloads, branch_a, branch_b, django_user_model):
    user = django_user_model.objects.create_user("bruno", password="s3nha-Forte!")
    body = {**payloads["employees"], "branches": [branch_a.pk, branch_b.pk], "user": user.pk}
    response = admin_api.post(url("employees"), body, format="json")
    assert response.status_code == 201, response.content
    assert sorted(response.json()["branches"]) == sorted([branch_a.pk, branch_b.pk])
    assert response.json()["user"] == user.pk
    assert response.json()["phone"] == "11988887777"  # mask removed
    employee = Employee.objects.get(pk=response.json()["id"])
    assert set(employee.branches.all()) == {branch_a, branch_b}

    # PATCH without `branches` keeps them; with it, replaces them.
    pk = employee.pk
    kept = admin_api.patch(url("employees", pk), {"name": "Bruno"}, format="json").json()["branches"]
    assert sorted(kept) == sorted([branch_a.pk, branch_b.pk])
    response = admin_api.patch(url("employees", pk), {"branches": [branch_b.pk]}, format="json")
    assert response.json()["branches"] == [branch_b.pk]
    assert list(employee.branches.all()) == [branch_b]


def test_employee_user_is_unique(admin_api, payloads, operator_a):
    response = admin_api.post(
        url("employees"), {**payloads["employees"], "user": operator_a.pk}, format="json"
    )
    assert response.status_code == 400
    assert "user" in response.json()


def test_payment_condition_range_is_validated(admin_api, payloads):
    response = admin_api.post(
        url("payment-conditions"), {**payloads["payment-conditions"], "instalments": 0}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["instalments"]


def test_analytic_account_kind_choice(admin_api, payloads):
    response = admin_api.post(
        url("analytic-accounts"), {**payloads["analytic-accounts"], "kind": "X"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]
    parent = AnalyticAccount.objects.create(code="1", name="Receitas")
    response = admin_api.post(
        url("analytic-accounts"), {**payloads["analytic-accounts"], "parent": parent.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["parent"] == parent.pk
    assert response.json()["depth"] == 2


# --- G-2: no edge white space ---------------------------------------------------------------

TEXT_FIELDS = [
    ("branches", "name"),
    ("branches", "legal_name"),
    ("branches", "cnpj"),
    ("branches", "phone"),
    ("branches", "email"),
    ("branches", "cep"),
    ("branches", "street"),
    ("branches", "number"),
    ("branches", "complement"),
    ("branches", "neighborhood"),
    ("departments", "name"),
    ("departments", "email"),
    ("employees", "name"),
    ("employees", "email"),
    ("employees", "phone"),
    ("payment-conditions", "name"),
    ("analytic-accounts", "code"),
    ("analytic-accounts", "name"),
]


@pytest.mark.parametrize(("resource", "field"), TEXT_FIELDS)
@pytest.mark.parametrize("where", ["leading", "trailing"])
def test_edge_white_space_is_refused_naming_the_field(admin_api, payloads, resource, field, where):
    body = dict(payloads[resource])
    body[field] = f" {body[field]}" if where == "leading" else f"{body[field]}\t"
    before = MODELS[resource].objects.count()
    response = admin_api.post(url(resource), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0] == "Must not start or end with spaces."
    assert MODELS[resource].objects.count() == before


@pytest.mark.parametrize(("resource", "field"), [tf for tf in TEXT_FIELDS if tf[0] != "branches"])
def test_edge_white_space_refused_on_patch_and_nothing_changes(admin_api, payloads, resource, field):
    pk = admin_api.post(url(resource), payloads[resource], format="json").json()["id"]
    before = admin_api.get(url(resource, pk)).json()
    response = admin_api.patch(url(resource, pk), {field: f"{payloads[resource][field]} "}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert admin_api.get(url(resource, pk)).json() == before


def test_inner_spaces_are_kept(admin_api):
    response = admin_api.post(url("departments"), {"name": "Suporte  N2"}, format="json")
    assert response.status_code == 201
    assert Department.objects.get().name == "Suporte  N2"


def test_blank_only_required_text_is_refused(admin_api):
    response = admin_api.post(url("departments"), {"name": "   "}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert not Department.objects.exists()


# --- Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("resource", [*WRITABLE, "states", "cities", "changes", "parameters"])
def test_user_without_permission_gets_403(noperm_api, resource):
    assert noperm_api.get(url(resource)).status_code == 403


@pytest.mark.parametrize("resource", WRITABLE)
def test_user_without_permission_cannot_write(noperm_api, payloads, resource):
    before = MODELS[resource].objects.count()
    assert noperm_api.post(url(resource), payloads[resource], format="json").status_code == 403
    assert MODELS[resource].objects.count() == before


@pytest.mark.parametrize("resource", WRITABLE)
def test_read_only_role_reads_but_cannot_write(operator_a_api, payloads, resource):
    """Atendimento has ``core.view_*`` only."""
    before = MODELS[resource].objects.count()
    assert operator_a_api.get(url(resource)).status_code == 200
    assert operator_a_api.post(url(resource), payloads[resource], format="json").status_code == 403
    assert MODELS[resource].objects.count() == before


def test_read_only_role_cannot_patch_or_delete(operator_a_api, branch_a, department):
    assert operator_a_api.patch(url("branches", branch_a.pk), {"name": "X"}, format="json").status_code == 403
    assert operator_a_api.delete(url("departments", department.pk)).status_code == 403
    branch_a.refresh_from_db()
    assert branch_a.name == "Matriz"
    assert Department.objects.filter(pk=department.pk).exists()


def test_read_only_resources_refuse_writes(admin_api):
    assert (
        admin_api.post(url("states"), {"code": 99, "abbr": "XX", "name": "X"}, format="json").status_code
        == 405
    )
    assert admin_api.delete(url("cities", 3550308)).status_code == 405
    assert admin_api.post(url("changes"), {}, format="json").status_code == 405


# --- Branch scope ---------------------------------------------------------------------------


def test_scoped_operator_lists_only_own_branch(operator_a_api, branch_a, branch_b):
    body = operator_a_api.get(url("branches")).json()
    assert [b["id"] for b in body["results"]] == [branch_a.pk]
    assert body["count"] == 1


@pytest.mark.parametrize("api", ["operator_a_api", "operator_a_admin_api"])
def test_other_branch_detail_is_404(request, api, branch_a, branch_b):
    client = request.getfixturevalue(api)
    assert client.get(url("branches", branch_a.pk)).status_code == 200
    assert client.get(url("branches", branch_b.pk)).status_code == 404


def test_scoped_admin_cannot_touch_other_branch(operator_a_admin_api, branch_a, branch_b):
    assert (
        operator_a_admin_api.patch(url("branches", branch_b.pk), {"name": "X"}, format="json").status_code
        == 404
    )
    assert operator_a_admin_api.delete(url("branches", branch_b.pk)).status_code == 404
    branch_b.refresh_from_db()
    assert branch_b.name == "Filial Campinas"
    response = operator_a_admin_api.patch(
        url("branches", branch_a.pk), {"phone": "(11) 3333-4444"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "1133334444"


def test_employees_are_scoped_through_their_branches(operator_a_api, operator_a, branch_a, branch_b):
    only_b = Employee.objects.create(name="Beto")
    only_b.branches.set([branch_b])
    both = Employee.objects.create(name="Bia")
    both.branches.set([branch_a, branch_b])
    names = [e["name"] for e in operator_a_api.get(url("employees")).json()["results"]]
    assert "Beto" not in names
    assert "Bia" in names
    assert names.count("Bia") == 1
    assert operator_a_api.get(url("employees", only_b.pk)).status_code == 404
    assert operator_a_api.get(url("employees", both.pk)).status_code == 200


def test_scoped_admin_cannot_assign_other_branch(operator_a_admin_api, payloads, branch_a, branch_b):
    body = {**payloads["employees"], "branches": [branch_b.pk]}
    response = operator_a_admin_api.post(url("employees"), body, format="json")
    assert response.status_code == 400
    assert "branches" in response.json()
    assert not Employee.objects.filter(name="Bruno Souza").exists()
    body["branches"] = [branch_a.pk]
    assert operator_a_admin_api.post(url("employees"), body, format="json").status_code == 201


def test_unscoped_reference_data_is_shared(operator_a_api, department):
    assert operator_a_api.get(url("departments", department.pk)).status_code == 200


# --- Filters --------------------------------------------------------------------------------


def column(client, resource, params, key="name"):
    """One field of every row listed with the given query parameters."""
    response = client.get(url(resource), params)
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


def test_quick_search_and_active_filter_on_branches(admin_api, branch_a, branch_b):
    branch_b.active = False
    branch_b.save()

    def names(params):
        return column(admin_api, "branches", params)

    assert names({"q": "campinas"}) == ["Filial Campinas"]
    assert names({"q": "11.444.777/0001-61"}) == ["Filial Campinas"]  # the masked CNPJ
    assert names({"q": "enlace ltda"}) == ["Filial Campinas", "Matriz"]
    assert names({"q": "enlace campinas"}) == ["Filial Campinas"]  # every word must match
    assert names({"active": "true"}) == ["Matriz"]
    assert names({"active": "false"}) == ["Filial Campinas"]
    assert names({"state": "sp"}) == ["Filial Campinas", "Matriz"]
    assert names({"city": 3509502}) == ["Filial Campinas"]


def test_filters_on_departments_and_payment_conditions(admin_api):
    Department.objects.create(name="Suporte", email="suporte@x.com")
    Department.objects.create(name="Cobrança", email="cob@x.com", active=False)
    deps = [d["name"] for d in admin_api.get(url("departments"), {"q": "COB"}).json()["results"]]
    assert deps == ["Cobrança"]
    deps = [d["name"] for d in admin_api.get(url("departments"), {"active": "true"}).json()["results"]]
    assert deps == ["Suporte"]
    PaymentCondition.objects.create(name="À vista", instalments=1)
    PaymentCondition.objects.create(name="Parcelado", instalments=6)
    conds = [
        c["name"] for c in admin_api.get(url("payment-conditions"), {"instalments": 6}).json()["results"]
    ]
    assert conds == ["Parcelado"]


def test_employee_filters(admin_api, operator_a, branch_a, branch_b, department):
    tech = Employee.objects.create(name="Téo Técnico", is_technician=True, department=department)
    tech.branches.set([branch_b])

    def results(params):
        return column(admin_api, "employees", params)

    assert results({"branch": branch_b.pk}) == ["Téo Técnico"]
    assert results({"branch": branch_a.pk}) == ["Ana"]
    assert results({"is_technician": "true"}) == ["Téo Técnico"]
    assert results({"q": "ana"}) == ["Ana"]  # the operator's employee record
    assert results({"department": department.pk}) == ["Téo Técnico"]


def test_analytic_account_filters(admin_api):
    root = AnalyticAccount.objects.create(code="1", name="Receitas")
    AnalyticAccount.objects.create(code="1.01", name="Mensalidades", parent=root)
    AnalyticAccount.objects.create(code="2", name="Despesas", kind="D")

    def codes(params):
        return column(admin_api, "analytic-accounts", params, "code")

    assert codes({"code": "1"}) == ["1", "1.01"]
    assert codes({"kind": "D"}) == ["2"]
    assert codes({"parent": root.pk}) == ["1.01"]
    assert codes({"q": "mensal"}) == ["1.01"]


def test_invalid_filter_value_is_400(admin_api):
    response = admin_api.get(url("employees"), {"branch": 999999})
    assert response.status_code == 400
    assert "branch" in response.json()
