"""Operator screens of plans, wallets and contracts (generic views)."""

import pytest

from enlace.contracts.models import Contract, ContractHistory, Plan
from enlace.core.models import Wallet

pytestmark = pytest.mark.django_db


def plan_form(branch, **extra):
    data = {
        "name": "Fibra 600",
        "type": "I",
        "price": "119.90",
        "branch": branch.pk,
        "active": "on",
        "download_kbps": "600000",
        "upload_kbps": "300000",
        "priority": "8",
    }
    data.update(extra)
    return data


def wallet_form(branch, **extra):
    data = {
        "name": "Bradesco",
        "branch": branch.pk,
        "bank_code": "237",
        "agency": "1234",
        "account": "56789",
        "cnab_layout": "400",
        "fine_percent": "2.00",
        "interest_percent_month": "1.00",
        "active": "on",
    }
    data.update(extra)
    return data


def contract_form(customer, plan, wallet, condition, **extra):
    data = {
        "customer": customer.pk,
        "branch": customer.branch_id,
        "plan": plan.pk,
        "type": "I",
        "contract_date": "2026-11-27",
        "inclusion_reason": "INS",
        "due_day": "10",
        "wallet": wallet.pk,
        "payment_condition": condition.pk,
        "first_billing_date": "2026-12-10",
        "billing_type": "E",
        "discount": "0.00",
        "loyalty_months": "12",
        "installation_fee": "0.00",
        "installation_instalments": "1",
    }
    data.update(extra)
    return data


def test_menu_entries(admin_web):
    html = admin_web.get("/").content.decode()
    for url in ('href="/plans/"', 'href="/contracts/"', 'href="/wallets/"'):
        assert url in html


@pytest.mark.parametrize(
    "url", ["/plans/", "/plans/add/", "/wallets/", "/wallets/add/", "/contracts/", "/contracts/add/"]
)
def test_pages_render(admin_web, url, plan, wallet, contract):
    assert admin_web.get(url).status_code == 200


def test_detail_and_edit_pages(admin_web, plan, wallet, contract):
    for url in (
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/edit/",
        f"/wallets/{wallet.pk}/",
        f"/wallets/{wallet.pk}/edit/",
        f"/contracts/{contract.pk}/",
        f"/contracts/{contract.pk}/edit/",
        f"/contracts/{contract.pk}/changes/",
    ):
        assert admin_web.get(url).status_code == 200, url


def test_plan_add(admin_web, branch_a):
    response = admin_web.post("/plans/add/", plan_form(branch_a))
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.download_kbps == 600000 and str(plan.price) == "119.90"


def test_plan_leading_space_refused_naming_the_field(admin_web, branch_a):
    response = admin_web.post("/plans/add/", plan_form(branch_a, name=" Fibra"))
    assert response.status_code == 200
    form = response.context["form"]
    label = str(form.fields["name"].label)
    assert label.lower() in form.errors["name"][0].lower()
    assert not Plan.objects.exists()


def test_plan_internet_without_speed_refused(admin_web, branch_a):
    response = admin_web.post("/plans/add/", plan_form(branch_a, upload_kbps=""))
    assert response.status_code == 200
    assert "upload_kbps" in response.context["form"].errors


def test_wallet_add_and_cap(admin_web, branch_a):
    response = admin_web.post("/wallets/add/", wallet_form(branch_a, fine_percent="3.00"))
    assert response.status_code == 200 and "fine_percent" in response.context["form"].errors
    assert admin_web.post("/wallets/add/", wallet_form(branch_a)).status_code == 302
    assert Wallet.objects.get().bank_code == "237"


def test_wallet_leading_space_refused(admin_web, branch_a):
    response = admin_web.post("/wallets/add/", wallet_form(branch_a, agency=" 1234"))
    assert response.status_code == 200 and "agency" in response.context["form"].errors


def test_contract_add_prefilled_from_the_customer(admin_web, customer):
    response = admin_web.get(f"/contracts/add/?customer={customer.pk}&branch={customer.branch_id}")
    assert response.status_code == 200
    assert f'value="{customer.pk}"' in response.content.decode()


def test_contract_add_and_edit(admin_web, customer, plan, wallet, condition):
    response = admin_web.post("/contracts/add/", contract_form(customer, plan, wallet, condition))
    assert response.status_code == 302, response.context["form"].errors
    contract = Contract.objects.get()
    assert contract.status == "P" and contract.loyalty_months == 12
    assert ContractHistory.objects.filter(contract=contract, kind="NEW").exists()
    response = admin_web.post(
        f"/contracts/{contract.pk}/edit/", contract_form(customer, plan, wallet, condition, due_day="15")
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.due_day == 15 and contract.status == "P"


def test_contract_leading_space_refused(admin_web, customer, plan, wallet, condition):
    response = admin_web.post(
        "/contracts/add/", contract_form(customer, plan, wallet, condition, notes=" obs")
    )
    assert response.status_code == 200 and "notes" in response.context["form"].errors
    assert not Contract.objects.exists()


def test_contract_of_another_branch_404(operator_a_admin_web, contract_b, plan_b, wallet_b):
    assert operator_a_admin_web.get(f"/contracts/{contract_b.pk}/").status_code == 404
    assert operator_a_admin_web.get(f"/plans/{plan_b.pk}/").status_code == 404
    assert operator_a_admin_web.get(f"/wallets/{wallet_b.pk}/").status_code == 404


def test_contract_list_branch_scope(operator_a_admin_web, contract, contract_b):
    html = operator_a_admin_web.get("/contracts/").content.decode()
    assert f'href="/contracts/{contract.pk}/"' in html
    assert f'href="/contracts/{contract_b.pk}/"' not in html


def test_permissions(noperm_web, operator_a_web, plan):
    assert noperm_web.get("/plans/").status_code == 403
    assert noperm_web.get("/contracts/").status_code == 403
    assert noperm_web.get("/wallets/").status_code == 403
    assert operator_a_web.get("/plans/").status_code == 200
    assert operator_a_web.get("/plans/add/").status_code == 403


def test_contract_page_actions(admin_web, contract, admin_user):
    page = admin_web.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="action-activate"' in page and 'id="action-block"' not in page
    response = admin_web.post(f"/contracts/{contract.pk}/activate/")
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "A"
    page = admin_web.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="action-block"' in page and 'id="action-activate"' not in page

    # No reason: refused with a message, nothing changes.
    response = admin_web.post(f"/contracts/{contract.pk}/block/", {"reason": ""}, follow=True)
    assert [str(m) for m in response.context["messages"]]
    contract.refresh_from_db()
    assert contract.access_status == "A"

    admin_web.post(f"/contracts/{contract.pk}/block/", {"reason": "Pedido do cliente"})
    contract.refresh_from_db()
    assert contract.access_status == "CM"
    page = admin_web.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="action-unblock"' in page
    tab = admin_web.get(f"/contracts/{contract.pk}/tab/history/", HTTP_HX_REQUEST="true").content.decode()
    assert "Pedido do cliente" in tab

    admin_web.post(f"/contracts/{contract.pk}/cancel/", {"reason": "Mudou-se"})
    contract.refresh_from_db()
    assert contract.status == "I"
    response = admin_web.post(f"/contracts/{contract.pk}/activate/", follow=True)
    assert [str(m) for m in response.context["messages"]]
    contract.refresh_from_db()
    assert contract.status == "I"


def test_contract_actions_permissions_and_scope(operator_a_web, operator_a_admin_web, contract, contract_b):
    assert operator_a_web.post(f"/contracts/{contract.pk}/activate/").status_code == 403
    assert 'id="contract-actions"' not in operator_a_web.get(f"/contracts/{contract.pk}/").content.decode()
    assert operator_a_admin_web.post(f"/contracts/{contract_b.pk}/activate/").status_code == 404
    contract.refresh_from_db()
    contract_b.refresh_from_db()
    assert contract.status == contract_b.status == "P"
