"""The contract page (CT-4/CT-5): tabs Dados, Faturamento, Histórico loaded with HTMX, the action
buttons and the change of plan."""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _

from enlace.contracts import services
from enlace.contracts.apps import register_contract_tabs
from enlace.contracts.models import Contract, ContractHistory
from enlace.contracts.tabs import ORDER, all_tabs, register, unregister
from tests.helpers.contracts import make_plan

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def contract_tabs():
    register_contract_tabs()  # another test may have replaced them in this process


def tab(client, contract, key):
    return client.get(f"/contracts/{contract.pk}/tab/{key}/", **HTMX)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_page_has_the_tabs_in_order(admin_web, contract):
    html = admin_web.get(f"/contracts/{contract.pk}/").content.decode()
    positions = [html.index(f'id="tab-{key}"') for key in ("data", "billing", "history")]
    assert positions == sorted(positions)
    assert f'hx-get="/contracts/{contract.pk}/tab/data/"' in html
    assert 'hx-push-url="?tab=billing"' in html
    assert 'id="action-activate"' in html and 'id="change-plan"' in html


def test_tab_in_the_url_is_selected_and_loaded(admin_web, contract):
    html = admin_web.get(f"/contracts/{contract.pk}/?tab=billing").content.decode()
    assert 'class="nav-link active" id="tab-billing"' in html
    assert f'hx-get="/contracts/{contract.pk}/tab/billing/" hx-trigger="load"' in html
    # An unknown tab falls back to the first one.
    html = admin_web.get(f"/contracts/{contract.pk}/?tab=nope").content.decode()
    assert 'class="nav-link active" id="tab-data"' in html


def test_data_tab(admin_web, contract, admin_user):
    services.contract_update(
        actor=admin_user,
        contract=contract,
        notes="Cliente prefere manhã",
        no_block_until=datetime.date(2027, 1, 31),
    )
    response = tab(admin_web, contract, "data")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-tab-key="data"' in html
    for text in ("Maria Souza", "Fibra 500", "Cliente prefere manhã", "31/01/2027"):
        assert text in html, text


def test_billing_tab_shows_plan_price_or_override(admin_web, contract, admin_user):
    html = tab(admin_web, contract, "billing").content.decode()
    assert 'data-tab-key="billing"' in html
    assert "99,90" in html and "Carteira Sicoob" in html and "À vista" in html
    services.contract_update(
        actor=admin_user, contract=contract, price=Decimal("120.00"), discount=Decimal("20.00")
    )
    html = tab(admin_web, contract, "billing").content.decode()
    assert "120,00" in html and "100,00" in html  # override, and the monthly amount after the discount


def test_history_tab_newest_first(admin_web, contract, admin_user):
    services.contract_activate(actor=admin_user, contract=contract)
    services.contract_block(actor=admin_user, contract=contract, reason="Pedido do cliente")
    html = tab(admin_web, contract, "history").content.decode()
    assert 'data-tab-key="history"' in html
    assert html.index("Pedido do cliente") < html.index("Fibra 500")  # block after creation
    assert "admin" in html


def test_tab_without_htmx_goes_to_the_page(admin_web, contract):
    response = admin_web.get(f"/contracts/{contract.pk}/tab/billing/")
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{contract.pk}/?tab=billing"


def test_tabs_permissions_and_scope(noperm_web, operator_a_web, operator_a_admin_web, contract, contract_b):
    for key in ("data", "billing", "history"):
        assert tab(noperm_web, contract, key).status_code == 403
        assert tab(operator_a_web, contract, key).status_code == 200
        assert tab(operator_a_admin_web, contract_b, key).status_code == 404
    assert noperm_web.get(f"/contracts/{contract.pk}/").status_code == 403
    assert operator_a_admin_web.get(f"/contracts/{contract_b.pk}/").status_code == 404
    # Without the change permission: no actions and no change of plan.
    html = operator_a_web.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="contract-actions"' not in html and 'id="change-plan"' not in html


def test_a_later_tab_is_registered(admin_web, contract):
    register("logins", "Logins", "contracts:contract_tab_data", ORDER["logins"])
    try:
        keys = [t.key for t in all_tabs() if t.key != "finance"]  # billing's tab is there too
        assert keys == ["data", "billing", "logins", "history"]
        html = admin_web.get(f"/contracts/{contract.pk}/").content.decode()
        assert html.index('id="tab-billing"') < html.index('id="tab-logins"') < html.index('id="tab-history"')
    finally:
        unregister("logins")


# --- change of plan -------------------------------------------------------------------------


@pytest.fixture
def plan_600(branch_a):
    return make_plan(branch_a, name="Fibra 600", price=Decimal("129.90"))


def test_change_plan_offers_active_plans_of_branch_and_type(admin_web, contract, plan_600, branch_a, plan_b):
    make_plan(branch_a, name="Fibra Antiga", active=False)
    make_plan(branch_a, name="Telefone Fixo", type="T", download_kbps=None, upload_kbps=None)
    html = admin_web.get(f"/contracts/{contract.pk}/").content.decode()
    form = html[html.index('id="change-plan"') :]
    form = form[: form.index("</form>")]
    assert "Fibra 600" in form
    for name in ("Fibra 500", "Fibra Antiga", "Telefone Fixo", "Fibra Campinas"):
        assert name not in form, name


def test_change_plan(admin_web, contract, plan_600):
    response = admin_web.post(
        f"/contracts/{contract.pk}/change-plan/",
        {"plan": plan_600.pk, "effective_date": "2026-12-01", "reason": "Pediu mais velocidade"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/contracts/{contract.pk}/"
    assert any("Fibra 600" in m for m in messages_of(response))
    contract.refresh_from_db()
    assert contract.plan_id == plan_600.pk
    entry = ContractHistory.objects.filter(contract=contract, kind="PLN").get()
    assert "01/12/2026" in entry.text and "Pediu mais velocidade" in entry.text


def test_change_plan_leading_space_refused_naming_the_field(admin_web, contract, plan_600, plan):
    response = admin_web.post(
        f"/contracts/{contract.pk}/change-plan/", {"plan": plan_600.pk, "reason": " upgrade"}, follow=True
    )
    errors = messages_of(response)
    assert errors and f"“{_('Reason')}”" in errors[0]
    contract.refresh_from_db()
    assert contract.plan_id == plan.pk
    assert not ContractHistory.objects.filter(kind="PLN").exists()


def test_change_plan_of_a_cancelled_contract_refused(admin_web, admin_user, contract, plan_600, plan):
    services.contract_cancel(actor=admin_user, contract=contract, reason="Mudou-se")
    entries = ContractHistory.objects.count()
    response = admin_web.post(f"/contracts/{contract.pk}/change-plan/", {"plan": plan_600.pk}, follow=True)
    assert messages_of(response)
    contract.refresh_from_db()
    assert contract.plan_id == plan.pk and ContractHistory.objects.count() == entries
    assert 'id="change-plan"' not in response.content.decode()


def test_change_plan_to_another_branch_plan_refused(admin_web, contract, plan_b, plan):
    response = admin_web.post(f"/contracts/{contract.pk}/change-plan/", {"plan": plan_b.pk}, follow=True)
    assert messages_of(response)
    contract.refresh_from_db()
    assert contract.plan_id == plan.pk


def test_change_plan_permissions_and_scope(
    operator_a_web, operator_a_admin_web, contract, contract_b, plan_600
):
    assert (
        operator_a_web.post(f"/contracts/{contract.pk}/change-plan/", {"plan": plan_600.pk}).status_code
        == 403
    )
    response = operator_a_admin_web.post(f"/contracts/{contract_b.pk}/change-plan/", {"plan": plan_600.pk})
    assert response.status_code == 404
    assert Contract.objects.get(pk=contract.pk).plan.name == "Fibra 500"


# --- action buttons -------------------------------------------------------------------------


def test_block_leading_space_refused_naming_the_field(admin_web, admin_user, contract):
    services.contract_activate(actor=admin_user, contract=contract)
    entries = ContractHistory.objects.count()
    response = admin_web.post(f"/contracts/{contract.pk}/block/", {"reason": " Pedido"}, follow=True)
    errors = messages_of(response)
    assert errors and f"“{_('Reason')}”" in errors[0]
    contract.refresh_from_db()
    assert contract.access_status == "A" and ContractHistory.objects.count() == entries


def test_invalid_transition_shows_the_message_and_changes_nothing(admin_web, contract):
    entries = ContractHistory.objects.count()
    # A pre-contract cannot be blocked.
    response = admin_web.post(f"/contracts/{contract.pk}/block/", {"reason": "Teste"}, follow=True)
    errors = messages_of(response)
    assert errors == [
        _("Only an active contract can be blocked; this contract is %(status)s.")
        % {"status": _("Pre-contract")}
    ]
    contract.refresh_from_db()
    assert contract.status == "P" and contract.access_status == "AA"
    assert ContractHistory.objects.count() == entries
