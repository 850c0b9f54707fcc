"""Operator screens of the core area, through the real URLs, views, forms, templates and services.

Every screen is described once in ``SCREENS`` (how to make a record, valid POST data, an edit);
the tests below loop over them: permissions (SPEC G-4), branch scope, writes with their audit
trail (G-3), edge white space refused naming the field (G-2), HTMX quick search and CSV export.
"""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from django import forms as django_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from enlace.core import forms, parameters, roles
from enlace.core.models import (
    AnalyticAccount,
    Branch,
    Department,
    Employee,
    GeneralParameters,
    ObjectChange,
    PaymentCondition,
)
from enlace.core.scope import allowed_branch_ids
from enlace.customers.models import CustomerSettings

User = get_user_model()


# --- The screens ------------------------------------------------------------------------------


@dataclass
class Screen:
    key: str  # model_name: URL names are core:<key>_list, _add, _detail, _edit, _delete, _changes
    model: Any
    form_class: Any
    make: Any  # (fixtures) -> a saved record
    data: Any  # (fixtures) -> valid POST data for a new record
    edit: tuple[str, str]  # (field, new value) for the edit test
    search: str  # a quick-search word that finds the record made by ``make``
    deletable: bool = True
    extra: dict = field(default_factory=dict)


def _branch_data(fx):
    return {
        "name": "Norte",
        "legal_name": "Norte Telecom Ltda",
        "cnpj": "12.345.678/0001-95",
        "phone": "(11) 98888-7777",
        "email": "norte@enlace.test",
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "complement": "sala 1",
        "neighborhood": "Bela Vista",
        "city": "3550308",
        "active": "on",
    }


def _make_employee(fx):
    employee = Employee.objects.create(name="Bruno Técnico", email="bruno@enlace.test", is_technician=True)
    employee.branches.set([fx["branch_a"]])
    return employee


def _make_operator(fx):
    user = User.objects.create_user(
        "joana", "joana@enlace.test", "s3nha-Forte!", first_name="Joana", last_name="Souza"
    )
    user.groups.add(Group.objects.get(name=roles.FINANCE))
    Employee.objects.create(name="Joana Souza", user=user).branches.set([fx["branch_a"]])
    return user


SCREENS = {
    "branch": Screen(
        "branch",
        Branch,
        forms.BranchForm,
        make=lambda fx: fx["branch_a"],
        data=_branch_data,
        edit=("name", "Matriz Centro"),
        search="Matriz",
    ),
    "department": Screen(
        "department",
        Department,
        forms.DepartmentForm,
        make=lambda fx: Department.objects.create(name="Suporte técnico", email="suporte@enlace.test"),
        data=lambda fx: {"name": "Cobrança", "email": "cobranca@enlace.test", "active": "on"},
        edit=("name", "Suporte N2"),
        search="Suporte",
    ),
    "employee": Screen(
        "employee",
        Employee,
        forms.EmployeeForm,
        make=_make_employee,
        data=lambda fx: {
            "name": "Carla Vendas",
            "user": "",
            "email": "carla@enlace.test",
            "phone": "(19) 3333-4444",
            "department": "",
            "branches": [str(fx["branch_a"].pk)],
            "is_salesperson": "on",
            "active": "on",
        },
        edit=("name", "Bruno Instalador"),
        search="Bruno",
    ),
    "paymentcondition": Screen(
        "paymentcondition",
        PaymentCondition,
        forms.PaymentConditionForm,
        make=lambda fx: PaymentCondition.objects.create(name="3x sem juros", instalments=3),
        data=lambda fx: {
            "name": "À vista",
            "instalments": "1",
            "first_due_days": "0",
            "days_between": "30",
            "active": "on",
        },
        edit=("name", "3x no boleto"),
        search="juros",
    ),
    "analyticaccount": Screen(
        "analyticaccount",
        AnalyticAccount,
        forms.AnalyticAccountForm,
        make=lambda fx: AnalyticAccount.objects.create(code="1.01", name="Mensalidades"),
        data=lambda fx: {"code": "1.02", "name": "Instalação", "kind": "R", "parent": "", "active": "on"},
        edit=("name", "Mensalidades de internet"),
        search="Mensalidades",
    ),
    "user": Screen(
        "user",
        User,
        forms.OperatorForm,
        make=_make_operator,
        data=lambda fx: {
            "username": "marcos",
            "first_name": "Marcos",
            "last_name": "Lima",
            "email": "marcos@enlace.test",
            "is_active": "on",
            "groups": [str(Group.objects.get(name=roles.ATTENDANCE).pk)],
            "password": "Vento-Norte-42",
            "password_confirm": "Vento-Norte-42",
        },
        edit=("first_name", "Joaninha"),
        search="joana",
        deletable=False,
    ),
}


def url(screen: Screen, action: str, obj=None) -> str:
    return reverse(f"core:{screen.key}_{action}", args=[obj.pk] if obj is not None else [])


def record_urls(screen: Screen, obj) -> list[str]:
    actions = ["detail", "edit", "changes"] + (["delete"] if screen.deletable else [])
    return [url(screen, a, obj) for a in actions]


def all_urls(screen: Screen, obj) -> list[str]:
    return [url(screen, "list"), url(screen, "add"), *record_urls(screen, obj)]


# Screens without a record of their own.
PAGES = ["core:city_list", "core:objectchange_list", "core:parameters", "core:parameters_changes"]


@pytest.fixture
def fx(branch_a, branch_b, admin_user):
    return {"branch_a": branch_a, "branch_b": branch_b, "admin": admin_user}


@pytest.fixture(params=list(SCREENS))
def screen(request):
    return SCREENS[request.param]


def changes_of(obj, action=None):
    qs = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    )
    return qs.filter(action=action) if action else qs


def form_errors(response) -> dict:
    return response.context["form"].errors


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_opens_every_page_of_every_screen(admin_web, fx, screen):
    obj = screen.make(fx)
    for address in all_urls(screen, obj):
        response = admin_web.get(address)
        assert response.status_code == 200, address
        assert b"<h1" in response.content, address


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_admin_opens_pages_without_records(admin_web, name):
    response = admin_web.get(reverse(name))
    assert response.status_code == 200
    assert b"<h1" in response.content


@pytest.mark.django_db
def test_user_without_permission_gets_403(noperm_web, fx, screen):
    obj = screen.make(fx)
    for address in all_urls(screen, obj):
        assert noperm_web.get(address).status_code == 403, address
    assert noperm_web.post(url(screen, "add"), screen.data(fx)).status_code == 403
    assert not screen.model.objects.filter(**{screen.edit[0]: screen.data(fx)[screen.edit[0]]}).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_user_without_permission_gets_403_on_pages(noperm_web, name):
    assert noperm_web.get(reverse(name)).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client, fx, screen):
    obj = screen.make(fx)
    for address in [*all_urls(screen, obj), *(reverse(n) for n in PAGES), reverse("core:home")]:
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith("/login/?next="), address


@pytest.mark.django_db
def test_attendance_role_cannot_open_operators(operator_a_web, fx):
    assert operator_a_web.get(reverse("core:user_list")).status_code == 403
    assert operator_a_web.get(reverse("core:user_add")).status_code == 403
    assert operator_a_web.get(reverse("core:user_detail", args=[fx["admin"].pk])).status_code == 403


# --- Branch scope -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_operator_does_not_see_other_branch_in_list(operator_a_web, branch_a, branch_b):
    response = operator_a_web.get(reverse("core:branch_list"))
    assert response.status_code == 200
    assert branch_a.name in response.content.decode()
    assert branch_b.name not in response.content.decode()
    response = operator_a_web.get(reverse("core:branch_list"), {"q": "Campinas"})
    assert branch_b.name not in response.content.decode()


@pytest.mark.django_db
def test_other_branch_pages_are_404(operator_a_web, operator_a_admin_web, branch_a, branch_b):
    # Atendimento may view branches, so another branch's page is "not found"; it may not change them
    # at all, so edit/delete are refused before the record is even looked up.
    assert operator_a_web.get(reverse("core:branch_detail", args=[branch_b.pk])).status_code == 404
    assert operator_a_web.get(reverse("core:branch_changes", args=[branch_b.pk])).status_code == 404
    assert operator_a_web.get(reverse("core:branch_detail", args=[branch_a.pk])).status_code == 200
    assert operator_a_web.get(reverse("core:branch_edit", args=[branch_b.pk])).status_code in {403, 404}
    # An administrator limited to branch A: every page of branch B is 404, branch A works.
    for action in ["detail", "edit", "delete", "changes"]:
        assert (
            operator_a_admin_web.get(reverse(f"core:branch_{action}", args=[branch_b.pk])).status_code == 404
        )
        assert (
            operator_a_admin_web.get(reverse(f"core:branch_{action}", args=[branch_a.pk])).status_code == 200
        )
    assert (
        operator_a_admin_web.post(
            reverse("core:branch_edit", args=[branch_b.pk]), {**_branch_data(None), "cnpj": branch_b.cnpj}
        ).status_code
        == 404
    )
    assert operator_a_admin_web.post(reverse("core:branch_delete", args=[branch_b.pk])).status_code == 404
    assert Branch.objects.filter(pk=branch_b.pk, name="Filial Campinas").exists()


@pytest.mark.django_db
def test_operator_does_not_see_employees_of_other_branch(operator_a_web, branch_a, branch_b):
    own = Employee.objects.create(name="Técnico Matriz")
    own.branches.set([branch_a])
    other = Employee.objects.create(name="Técnico Campinas")
    other.branches.set([branch_b])
    content = operator_a_web.get(reverse("core:employee_list")).content.decode()
    assert own.name in content and other.name not in content
    assert operator_a_web.get(reverse("core:employee_detail", args=[other.pk])).status_code == 404


# --- Writes and their audit trail -------------------------------------------------------------


@pytest.mark.django_db
def test_create_edit_delete_through_the_forms(admin_web, admin_user, fx, screen):
    data = screen.data(fx)
    response = admin_web.post(url(screen, "add"), data)
    assert response.status_code == 302, form_errors(response) if response.context else response
    lookup = "username" if screen.model is User else screen.edit[0]
    obj = screen.model.objects.get(**{lookup: data[lookup]})
    assert response["Location"] == url(screen, "detail", obj)
    created = changes_of(obj, ObjectChange.Action.CREATE).get()
    assert created.user == admin_user and created.source == "web"

    name, value = screen.edit
    edited = {**data, name: value}
    if screen.model is User:
        edited.update(password="", password_confirm="")
    response = admin_web.post(url(screen, "edit", obj), edited)
    assert response.status_code == 302, form_errors(response) if response.context else response
    obj.refresh_from_db()
    assert getattr(obj, name) == value
    updated = changes_of(obj, ObjectChange.Action.UPDATE).first()  # the latest
    assert updated.user == admin_user
    assert (name, data[name], value) in updated.diff()

    if screen.deletable:
        pk = obj.pk
        response = admin_web.post(url(screen, "delete", obj))
        assert response.status_code == 302
        assert response["Location"] == url(screen, "list")
        assert not screen.model.objects.filter(pk=pk).exists()
        deleted = ObjectChange.objects.get(
            content_type=created.content_type, object_id=str(pk), action="delete"
        )
        assert deleted.user == admin_user


@pytest.mark.django_db
def test_detail_links_to_its_changes_which_show_before_and_after(admin_web, fx, screen):
    obj = screen.make(fx)
    name, value = screen.edit
    before = getattr(obj, name)
    data = {**_current_values(screen, obj), name: value}
    response = admin_web.post(url(screen, "edit", obj), data)
    assert response.status_code == 302, form_errors(response) if response.context else response

    detail = admin_web.get(url(screen, "detail", obj)).content.decode()
    changes_url = url(screen, "changes", obj)
    assert f'href="{changes_url}" id="changes-link">Alterações</a>' in detail
    page = admin_web.get(changes_url).content.decode()
    assert f'<span class="text-danger">{before}</span> → <span class="text-success">{value}</span>' in page
    assert "admin" in page


def _current_values(screen: Screen, obj) -> dict:
    """POST data that keeps `obj` as it is (the unique fields of the sample data would clash)."""
    return _form_values(screen.form_class(instance=obj, user=User(is_superuser=True)))


def _parameters_values() -> dict:
    """POST data that keeps the general parameters (every app's settings row) as they are."""
    return _form_values(forms.ParametersForm(user=User(is_superuser=True)))


def _form_values(form) -> dict:
    data = {}
    for name, bound in ((n, form[n]) for n in form.fields):
        value = bound.value()
        if isinstance(form.fields[name].widget, django_forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif name not in {"password", "password_confirm"}:
            data[name] = "" if value is None else str(value)
    return data


# --- G-2: no value starts or ends with white space ---------------------------------------------


def _char_fields(form_class):
    form = form_class(user=User(is_superuser=True))
    return [name for name, f in form.fields.items() if isinstance(f, django_forms.CharField)]


EDGE_CASES = [(key, name) for key, screen in SCREENS.items() for name in _char_fields(screen.form_class)] + [
    ("parameters", name)
    for model in parameters.models()  # the text fields of every app's settings row
    for name in _char_fields(parameters.form_class_of(model))
]


def _expected_message(form_class, name):
    label = capfirst(form_class(user=User(is_superuser=True)).fields[name].label)
    return str(forms.EnlaceFormMixin.edge_whitespace_message) % {"field": label}


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "name"), EDGE_CASES, ids=[f"{k}-{n}" for k, n in EDGE_CASES])
@pytest.mark.parametrize("where", ["leading", "trailing"])
def test_edge_space_in_any_text_field_is_refused_naming_the_field(admin_web, fx, key, name, where):
    if key == "parameters":
        form_class, address = forms.ParametersForm, reverse("core:parameters")
        data = _parameters_values()
        before = data[name]
        data[name] = data[name] or "Valor"
        model = parameters.model_of(name)
    else:
        screen = SCREENS[key]
        form_class, address, data, model = (
            screen.form_class,
            url(screen, "add"),
            screen.data(fx),
            screen.model,
        )
    data[name] = f" {data[name]}" if where == "leading" else f"{data[name]} "
    count, audit = model.objects.count(), ObjectChange.objects.count()

    response = admin_web.post(address, data)

    assert response.status_code == 200
    with translation.override("pt-br"):
        message = _expected_message(form_class, name)
    assert form_errors(response)[name] == [message]
    assert message in response.content.decode()
    assert model.objects.count() == count
    assert ObjectChange.objects.count() == audit
    if key == "parameters":
        assert getattr(parameters.load(), name) == before  # nothing was saved


@pytest.mark.django_db
def test_edit_with_leading_space_changes_nothing(admin_web, branch_a):
    data = {**_current_values(SCREENS["branch"], branch_a), "legal_name": " Enlace Telecom S/A"}
    response = admin_web.post(reverse("core:branch_edit", args=[branch_a.pk]), data)
    assert response.status_code == 200
    assert "legal_name" in form_errors(response)
    branch_a.refresh_from_db()
    assert branch_a.legal_name == "Enlace Telecom Ltda"
    assert not changes_of(branch_a, ObjectChange.Action.UPDATE).exists()


# --- Branch specifics: CNPJ -------------------------------------------------------------------


@pytest.mark.django_db
def test_invalid_cnpj_is_refused(admin_web, fx):
    response = admin_web.post(reverse("core:branch_add"), {**_branch_data(fx), "cnpj": "12.345.678/0001-00"})
    assert response.status_code == 200
    assert "cnpj" in form_errors(response)
    assert "12.345.678/0001-00" in response.content.decode()
    assert not Branch.objects.filter(name="Norte").exists()


@pytest.mark.django_db
def test_masked_cnpj_phone_and_cep_are_saved_as_digits(admin_web, fx):
    response = admin_web.post(reverse("core:branch_add"), _branch_data(fx))
    assert response.status_code == 302
    branch = Branch.objects.get(name="Norte")
    assert branch.cnpj == "12345678000195"
    assert branch.phone == "11988887777"
    assert branch.cep == "01310100"
    detail = admin_web.get(response["Location"]).content.decode()
    assert "12.345.678/0001-95" in detail


@pytest.mark.django_db
def test_duplicate_cnpj_is_refused(admin_web, fx):
    response = admin_web.post(reverse("core:branch_add"), {**_branch_data(fx), "cnpj": "11.222.333/0001-81"})
    assert response.status_code == 200
    assert "cnpj" in form_errors(response)
    assert Branch.objects.count() == 2


# --- Lists: HTMX quick search and CSV export ---------------------------------------------------


@pytest.mark.django_db
def test_htmx_quick_search_returns_only_the_table(admin_web, fx, screen):
    obj = screen.make(fx)
    response = admin_web.get(
        url(screen, "list"), {"q": screen.search}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content and 'id="nav-menu"' not in content
    assert 'id="objects"' in content
    assert str(getattr(obj, screen.edit[0])) in content
    full = admin_web.get(url(screen, "list"), {"q": screen.search}).content.decode()
    assert "<html" in full and 'id="object-table"' in full and 'id="filter-form"' in full


@pytest.mark.django_db
def test_quick_search_filters_rows(admin_web, branch_a, branch_b):
    content = admin_web.get(
        reverse("core:branch_list"), {"q": "campinas"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table"
    ).content.decode()
    assert branch_b.name in content and branch_a.name not in content
    content = admin_web.get(reverse("core:branch_list"), {"q": "11.222.333/0001-81"}).content.decode()
    assert branch_a.name in content and branch_b.name not in content


@pytest.mark.django_db
def test_csv_export(admin_web, fx, screen):
    obj = screen.make(fx)
    response = admin_web.get(url(screen, "list"), {"export": "csv", "q": screen.search})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) >= 2
    assert any(str(getattr(obj, screen.edit[0])) in ";".join(row) for row in rows[1:])


@pytest.mark.django_db
def test_csv_export_does_not_freeze_the_list(admin_web, branch_a, city):
    """Regression: the class-level queryset used to keep the rows of the first CSV export."""
    admin_web.get(reverse("core:branch_list"), {"export": "csv"})
    Branch.objects.create(name="Nova filial", legal_name="Nova Ltda", cnpj="98765432000198", city=city)
    assert "Nova filial" in admin_web.get(reverse("core:branch_list")).content.decode()
    response = admin_web.get(reverse("core:branch_list"), {"export": "csv"})
    assert "Nova filial" in response.content.decode("utf-8-sig")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["core:city_list", "core:objectchange_list"])
def test_read_only_lists_search_and_export(admin_web, branch_a, name):
    q = "Campinas" if name == "core:city_list" else "Matriz"
    partial = admin_web.get(reverse(name), {"q": q}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert q in partial.content.decode()
    export = admin_web.get(reverse(name), {"q": q, "export": "csv"})
    assert export["Content-Type"].startswith("text/csv") and q in export.content.decode("utf-8-sig")


# --- General parameters -----------------------------------------------------------------------


@pytest.mark.django_db
def test_parameters_page_shows_tabs_and_saves(admin_web, admin_user, branch_a):
    response = admin_web.get(reverse("core:parameters"))
    content = response.content.decode()
    with translation.override("pt-br"):
        titles = [str(tab.label) for tab in parameters.tabs()]
    for number, title in enumerate(titles, start=1):
        assert f'data-bs-target="#tab-{number}"' in content and title in content
    assert 'id="save-button"' in content

    data = _parameters_values()
    data.update(company_name="Fibra Sul Telecom", default_branch=str(branch_a.pk), name_length_warning="35")
    data.pop("cpf_cnpj_required", None)
    response = admin_web.post(reverse("core:parameters"), data)
    assert response.status_code == 302 and response["Location"] == reverse("core:parameters")
    params = parameters.load()
    assert params.company_name == "Fibra Sul Telecom"
    assert params.default_branch == branch_a and params.name_length_warning == 35
    assert params.cpf_cnpj_required is False
    change = changes_of(GeneralParameters.load(), ObjectChange.Action.UPDATE).get()
    assert change.user == admin_user
    assert ("company_name", "Enlace Telecom", "Fibra Sul Telecom") in change.diff()
    registry = changes_of(CustomerSettings.load(), ObjectChange.Action.UPDATE).get()  # the same save
    assert registry.user == admin_user and registry.request_id == change.request_id
    assert ("name_length_warning", 40, 35) in registry.diff()
    response = admin_web.get(reverse("core:parameters_changes"))
    assert "Fibra Sul Telecom" in response.content.decode()
    assert {change, registry} <= set(response.context["changes"])  # every app's row


@pytest.mark.django_db
def test_parameters_invalid_value_is_refused(admin_web):
    data = _parameters_values()
    response = admin_web.post(reverse("core:parameters"), {**data, "name_length_warning": "-3"})
    assert response.status_code == 200
    assert "name_length_warning" in form_errors(response)
    assert CustomerSettings.load().name_length_warning == 40


@pytest.mark.django_db
def test_attendance_sees_parameters_but_cannot_change_them(operator_a_web):
    response = operator_a_web.get(reverse("core:parameters"))
    assert response.status_code == 200
    assert 'id="save-button"' not in response.content.decode()
    assert all(f.disabled for f in response.context["form"].fields.values())
    response = operator_a_web.post(reverse("core:parameters"), {"company_name": "Hacked"})
    assert response.status_code == 403
    assert GeneralParameters.load().company_name == "Enlace Telecom"


# --- Operators (Configurações ➜ Operadores) ---------------------------------------------------


@pytest.mark.django_db
def test_operator_list_shows_roles_branches_and_last_login(admin_web, fx):
    _make_operator(fx)
    content = admin_web.get(reverse("core:user_list")).content.decode()
    assert "joana" in content and "Joana Souza" in content and "joana@enlace.test" in content
    assert roles.FINANCE in content
    assert fx["branch_a"].name in content
    assert 'href="/operators/' in content


@pytest.mark.django_db
def test_new_operator_gets_hashed_password_roles_and_audit(admin_web, admin_user, fx):
    response = admin_web.post(reverse("core:user_add"), SCREENS["user"].data(fx))
    assert response.status_code == 302
    user = User.objects.get(username="marcos")
    assert user.check_password("Vento-Norte-42")
    assert list(user.groups.values_list("name", flat=True)) == [roles.ATTENDANCE]
    change = changes_of(user, ObjectChange.Action.CREATE).get()
    assert change.user == admin_user
    assert change.postchange_data["password"] == "********"
    assert change.postchange_data["groups"] == [roles.ATTENDANCE]
    assert user.password not in str(change.postchange_data)
    assert "Vento-Norte-42" not in str(change.postchange_data)
    detail = admin_web.get(response["Location"]).content.decode()
    assert "marcos@enlace.test" in detail and roles.ATTENDANCE in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [
        ("", "", "password"),
        ("Vento-Norte-42", "Vento-Norte-43", "password_confirm"),
        ("123", "123", "password"),
        ("marcos-lima", "marcos-lima", "password"),
        ("password", "password", "password"),
    ],
    ids=["missing", "mismatch", "short", "like-username", "common"],
)
def test_new_operator_password_is_validated(admin_web, fx, password, confirm, field):
    data = {**SCREENS["user"].data(fx), "password": password, "password_confirm": confirm}
    response = admin_web.post(reverse("core:user_add"), data)
    assert response.status_code == 200
    assert field in form_errors(response)
    assert not User.objects.filter(username="marcos").exists()


@pytest.mark.django_db
def test_editing_operator_keeps_or_changes_password(admin_web, fx):
    user = _make_operator(fx)
    data = _current_values(SCREENS["user"], user)
    assert (
        admin_web.post(
            reverse("core:user_edit", args=[user.pk]), {**data, "last_name": "Souza Lima"}
        ).status_code
        == 302
    )
    user.refresh_from_db()
    assert user.check_password("s3nha-Forte!") and user.last_name == "Souza Lima"

    weak = {**data, "password": "123", "password_confirm": "123"}
    assert "password" in form_errors(admin_web.post(reverse("core:user_edit", args=[user.pk]), weak))

    new = {**data, "password": "Outra-Senha-77", "password_confirm": "Outra-Senha-77"}
    assert admin_web.post(reverse("core:user_edit", args=[user.pk]), new).status_code == 302
    user.refresh_from_db()
    assert user.check_password("Outra-Senha-77")
    change = changes_of(user, ObjectChange.Action.UPDATE).first()
    assert ("password_changed", None, True) in change.diff()
    assert change.prechange_data["password"] == change.postchange_data["password"] == "********"


@pytest.mark.django_db
def test_roles_are_checkboxes_and_can_be_changed(admin_web, fx):
    user = _make_operator(fx)
    page = admin_web.get(reverse("core:user_edit", args=[user.pk])).content.decode()
    for role in roles.DEFAULT_ROLES:
        assert role in page
    assert page.count('type="checkbox" name="groups"') == Group.objects.count()
    data = {
        **_current_values(SCREENS["user"], user),
        "groups": [
            str(Group.objects.get(name=roles.TECHNICIAN).pk),
            str(Group.objects.get(name=roles.FINANCE).pk),
        ],
    }
    assert admin_web.post(reverse("core:user_edit", args=[user.pk]), data).status_code == 302
    assert set(user.groups.values_list("name", flat=True)) == {roles.TECHNICIAN, roles.FINANCE}
    change = changes_of(user, ObjectChange.Action.UPDATE).get()
    assert ("groups", [roles.FINANCE], sorted([roles.FINANCE, roles.TECHNICIAN])) in change.diff()


@pytest.mark.django_db
def test_superuser_flag_only_for_superusers(admin_web, operator_a_admin_web, fx):
    user = _make_operator(fx)
    assert 'name="is_superuser"' in admin_web.get(reverse("core:user_edit", args=[user.pk])).content.decode()
    page = operator_a_admin_web.get(reverse("core:user_edit", args=[user.pk])).content.decode()
    assert 'name="is_superuser"' not in page
    data = {**_current_values(SCREENS["user"], user), "is_superuser": "on", "last_name": "Promovida"}
    assert operator_a_admin_web.post(reverse("core:user_edit", args=[user.pk]), data).status_code == 302
    user.refresh_from_db()
    assert user.last_name == "Promovida" and not user.is_superuser
    # ... nor may such an administrator see or change a superuser (e.g. its password).
    admin = fx["admin"]
    assert operator_a_admin_web.get(reverse("core:user_detail", args=[admin.pk])).status_code == 404
    assert operator_a_admin_web.get(reverse("core:user_edit", args=[admin.pk])).status_code == 404
    response = operator_a_admin_web.post(
        reverse("core:user_edit", args=[admin.pk]),
        {"username": "admin", "password": "Tomada-123!", "password_confirm": "Tomada-123!"},
    )
    assert response.status_code == 404
    admin.refresh_from_db()
    assert admin.check_password("s3nha-Forte!")


@pytest.mark.django_db
def test_branch_limited_administrator_manages_only_operators_of_its_branches(operator_a_admin_web, fx):
    """An account of another branch, of every branch (no branches, or no employee record) is
    out of reach: changing its password would let a branch-limited administrator work in every
    branch. An account it creates is limited to its branches at once."""
    own = _make_operator(fx)  # employee in branch_a
    other = User.objects.create_user("bruno", "bruno@enlace.test", "s3nha-Forte!")
    Employee.objects.create(name="Bruno", user=other).branches.set([fx["branch_b"]])
    both = User.objects.create_user("carla", "carla@enlace.test", "s3nha-Forte!")
    Employee.objects.create(name="Carla", user=both).branches.set([fx["branch_a"], fx["branch_b"]])
    everywhere = User.objects.create_user("davi", "davi@enlace.test", "s3nha-Forte!")
    Employee.objects.create(name="Davi", user=everywhere)
    no_employee = User.objects.create_user("eva", "eva@enlace.test", "s3nha-Forte!")

    listing = operator_a_admin_web.get(reverse("core:user_list")).content.decode()
    assert "joana" in listing
    for user in (other, both, everywhere, no_employee):
        assert f">{user.username}<" not in listing
        for name in ("core:user_detail", "core:user_edit", "core:user_changes"):
            assert operator_a_admin_web.get(reverse(name, args=[user.pk])).status_code == 404
        response = operator_a_admin_web.post(
            reverse("core:user_edit", args=[user.pk]),
            {"username": user.username, "password": "Tomada-123!", "password_confirm": "Tomada-123!"},
        )
        assert response.status_code == 404
        user.refresh_from_db()
        assert user.check_password("s3nha-Forte!")
    assert operator_a_admin_web.get(reverse("core:user_edit", args=[own.pk])).status_code == 200

    response = operator_a_admin_web.post(reverse("core:user_add"), SCREENS["user"].data(fx))
    assert response.status_code == 302
    created = User.objects.get(username="marcos")
    assert set(created.employee.branches.all()) == {fx["branch_a"]}
    assert allowed_branch_ids(created) == frozenset({fx["branch_a"].pk})


@pytest.mark.django_db
def test_superuser_may_create_superuser(admin_web, fx):
    data = {**SCREENS["user"].data(fx), "is_superuser": "on"}
    assert admin_web.post(reverse("core:user_add"), data).status_code == 302
    assert User.objects.get(username="marcos").is_superuser


@pytest.mark.django_db
def test_operator_cannot_deactivate_own_account(admin_web, admin_user):
    data = {**_current_values(SCREENS["user"], admin_user)}
    data.pop("is_active")
    response = admin_web.post(reverse("core:user_edit", args=[admin_user.pk]), data)
    assert response.status_code == 200
    assert "is_active" in form_errors(response)
    admin_user.refresh_from_db()
    assert admin_user.is_active


@pytest.mark.django_db
def test_duplicate_username_is_refused(admin_web, fx):
    _make_operator(fx)
    data = {**SCREENS["user"].data(fx), "username": "joana"}
    response = admin_web.post(reverse("core:user_add"), data)
    assert response.status_code == 200
    assert "username" in form_errors(response)
    assert User.objects.filter(username="joana").count() == 1


@pytest.mark.django_db
def test_operator_quick_search_and_role_filter(admin_web, fx):
    _make_operator(fx)
    partial = admin_web.get(
        reverse("core:user_list"), {"q": "souza"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table"
    ).content.decode()
    assert "joana" in partial and ">admin</a>" not in partial
    finance = Group.objects.get(name=roles.FINANCE)
    content = admin_web.get(reverse("core:user_list"), {"role": finance.pk}).content.decode()
    assert "joana" in content and ">admin</a>" not in content


# --- Error pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_403_and_404_pages_render_in_portuguese(noperm_web, admin_web):
    response = noperm_web.get(reverse("core:branch_list"))
    assert response.status_code == 403
    content = response.content.decode()
    assert 'lang="pt-br"' in content
    assert "Acesso negado" in content
    assert ">Início<" in content

    response = admin_web.get(reverse("core:branch_detail", args=[999999]))
    assert response.status_code == 404
    content = response.content.decode()
    assert 'lang="pt-br"' in content
    assert "Página não encontrada" in content
    assert ">Início<" in content
