"""The customer page's "Histórico" tab (H-1) and the printable report (H-3), web and API."""

import pytest

from enlace.contracts import services
from enlace.contracts.apps import register_tabs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def contract_tabs():
    register_tabs()  # another test may have replaced them in this process


@pytest.fixture
def blocked(contract, admin_user):
    services.contract_activate(actor=admin_user, contract=contract)
    services.contract_block(actor=admin_user, contract=contract, reason="Pedido do cliente")
    return contract


def test_tab_lists_every_entry_newest_first(admin_web, blocked, customer):
    page = admin_web.get(f"/customers/{customer.pk}/?tab=history").content.decode()
    assert f"/customers/{customer.pk}/tab/history/" in page
    html = admin_web.get(f"/customers/{customer.pk}/tab/history/").content.decode()
    assert html.index("Pedido do cliente") < html.index("Fibra 500")  # block after creation
    assert f"/customers/{customer.pk}/history.pdf" in html


def test_pdf_web(admin_web, blocked, customer):
    response = admin_web.get(f"/customers/{customer.pk}/history.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_pdf_lists_the_entries(blocked, customer):
    from enlace.contracts.models import ContractHistory
    from enlace.contracts.reports import history_pdf

    entries = list(ContractHistory.objects.filter(customer=customer))
    pdf = history_pdf(customer, entries)
    assert pdf.startswith(b"%PDF") and len(entries) == 3
    empty = history_pdf(customer, [])
    assert empty.startswith(b"%PDF")


def test_pdf_api(admin_api, noperm_api, operator_a_admin_api, blocked, customer, customer_b):
    response = admin_api.get(f"/api/v1/customers/{customer.pk}/history.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert noperm_api.get(f"/api/v1/customers/{customer.pk}/history.pdf").status_code == 403
    assert operator_a_admin_api.get(f"/api/v1/customers/{customer_b.pk}/history.pdf").status_code == 404


def test_screens_scoped_and_permissioned(noperm_web, operator_a_admin_web, customer, customer_b):
    assert noperm_web.get(f"/customers/{customer.pk}/tab/history/").status_code == 403
    assert noperm_web.get(f"/customers/{customer.pk}/history.pdf").status_code == 403
    assert operator_a_admin_web.get(f"/customers/{customer_b.pk}/tab/history/").status_code == 404
    assert operator_a_admin_web.get(f"/customers/{customer_b.pk}/history.pdf").status_code == 404


def test_new_manual_entry_edit_and_delete(admin_web, contract, customer):
    html = admin_web.get(f"/customers/{customer.pk}/tab/history/").content.decode()
    assert f"/history/add/?customer={customer.pk}" in html
    assert admin_web.get(f"/history/add/?customer={customer.pk}").status_code == 200
    response = admin_web.post(
        "/history/add/", {"customer": customer.pk, "contract": contract.pk, "text": "Cliente ligou"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/?tab=history"
    from enlace.contracts.models import ContractHistory

    entry = ContractHistory.objects.get(manual=True)
    assert entry.contract == contract and entry.operator_name == "admin"
    assert admin_web.get(f"/history/{entry.pk}/").status_code == 200
    response = admin_web.post(
        f"/history/{entry.pk}/edit/", {"customer": customer.pk, "contract": contract.pk, "text": "Corrigido"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Corrigido"
    assert admin_web.post(f"/history/{entry.pk}/delete/").status_code == 302
    assert not ContractHistory.objects.filter(pk=entry.pk).exists()


def test_new_entry_leading_space_refused(admin_web, customer):
    response = admin_web.post("/history/add/", {"customer": customer.pk, "text": " texto"})
    assert response.status_code == 200 and "text" in response.context["form"].errors


def test_automatic_entry_not_editable_on_the_web(admin_web, contract):
    from enlace.contracts.models import ContractHistory

    entry = ContractHistory.objects.get(contract=contract)
    assert admin_web.get(f"/history/{entry.pk}/edit/").status_code == 302
    before = entry.text
    response = admin_web.post(
        f"/history/{entry.pk}/edit/", {"customer": entry.customer_id, "contract": contract.pk, "text": "x"}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    admin_web.post(f"/history/{entry.pk}/delete/")
    entry.refresh_from_db()
    assert entry.text == before
