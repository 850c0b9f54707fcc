"""seed_demo builds a small ISP, and running it again creates nothing twice."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from stdnum.br import cnpj

from enlace.core import roles
from enlace.core.management.commands.seed_demo import DEFAULT_PASSWORD
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

MODELS = [Branch, Department, Employee, PaymentCondition, AnalyticAccount, ObjectChange]


def _counts():
    User = get_user_model()
    return {m._meta.label: m.objects.count() for m in [*MODELS, User]}


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_twice(monkeypatch, rf):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    first = _seed()
    after_first = _counts()
    second = _seed()
    assert _counts() == after_first
    assert "Demo ISP ready" in first and "Demo ISP ready" in second

    assert after_first["core.Branch"] == 2
    assert after_first["auth.User"] == 5
    assert set(Department.objects.values_list("name", flat=True)) >= {
        "Suporte técnico", "Financeiro", "Comercial", "Instalação"
    }  # fmt: skip
    for branch in Branch.objects.all():
        assert cnpj.is_valid(branch.cnpj)
        assert branch.city is not None

    # Written through the services, attributed to the command.
    changes = ObjectChange.objects.filter(action="create")
    assert changes.exists()
    assert set(changes.values_list("source", flat=True)) == {"command"}
    assert changes.filter(content_type__app_label="auth", content_type__model="user").count() == 5

    params = GeneralParameters.load()
    assert params.company_name != "Enlace Telecom"
    assert params.default_branch is not None
    assert CustomerSettings.load().default_analytic_account.code == "1.01.001"

    mensalidades = AnalyticAccount.objects.get(code="1.01.001")
    assert mensalidades.parent.code == "1.01" and mensalidades.parent.parent.code == "1"
    assert PaymentCondition.objects.get(name="3x 30/60/90").instalments == 3

    request = rf.get("/")
    admin = authenticate(request, username="admin", password=DEFAULT_PASSWORD)
    assert admin is not None and admin.is_superuser
    assert authenticate(request, username="admin", password="admin") is None


@pytest.mark.django_db
def test_one_operator_per_role_and_one_limited_to_the_second_branch():
    _seed()
    User = get_user_model()
    for role in (roles.ADMINISTRATOR, roles.ATTENDANCE, roles.FINANCE, roles.TECHNICIAN, roles.COMMERCIAL):
        assert User.objects.filter(groups__name=role).exists(), role
    limited = [u for u in User.objects.all() if allowed_branch_ids(u) is not None]
    assert len(limited) == 1
    (branch_id,) = allowed_branch_ids(limited[0])
    assert Branch.objects.get(pk=branch_id).name == "Filial Franca"
    assert Employee.objects.get(user=limited[0]).is_technician


@pytest.mark.django_db
def test_password_from_environment_and_if_empty(monkeypatch, rf):
    monkeypatch.setenv("DEMO_PASSWORD", "outra-senha-demo")
    _seed()
    assert authenticate(rf.get("/"), username="financeiro", password="outra-senha-demo") is not None
    before = _counts()
    out = _seed(if_empty=True)
    assert "already has users" in out
    assert _counts() == before


@pytest.mark.django_db
def test_weak_password_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError, match="password"):
        _seed(password="12345")
    assert not Branch.objects.exists()
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_operator_changes_survive_a_second_run():
    _seed()
    branch = Branch.objects.get(name="Filial Franca")
    branch.phone = "1633334444"
    branch.save()
    _seed()
    assert Branch.objects.get(pk=branch.pk).phone == "1633334444"
