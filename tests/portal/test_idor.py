"""SPEC P-4: a subscriber never sees another customer's data, whatever id is typed in a URL.

Every portal URL that takes an id is listed here (a test fails when a new one is added without
being listed); for each, customer A asking for customer B's record gets 404 — by GET and by POST —
while A's own record answers, so the 404 is the scope and not a broken page."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from enlace.contracts.services import contract_set_access_status
from enlace.customers.models import Customer
from tests.portal.conftest import make_ticket

pytestmark = pytest.mark.django_db

#: url name → (the kind of record its id names, the methods it answers)
ID_URLS = {
    "trust_unlock": ("contract", ["post"]),
    "invoice_detail": ("invoice", ["get"]),
    "invoice_pdf": ("invoice", ["get"]),
    "invoice_pix_qr": ("invoice", ["get"]),
    "ticket_detail": ("ticket", ["get", "post"]),
}
#: url name → the test that proves the same for it (it needs records these fixtures do not make:
#: an authorised NFCom, issued against the SEFAZ stand-in)
COVERED_ELSEWHERE = {
    "invoice_nfcom_xml": "tests/portal/test_nfcom.py",
    "invoice_nfcom_pdf": "tests/portal/test_nfcom.py",
}


def portal_urls_with_an_id() -> set[str]:
    resolver = get_resolver()
    portal = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "portal")
    return {
        p.name
        for p in portal.url_patterns
        if isinstance(p, URLPattern) and p.pattern.converters and "pk" in p.pattern.converters
    }


def test_every_portal_url_with_an_id_is_covered():
    assert portal_urls_with_an_id() == set(ID_URLS) | set(COVERED_ELSEWHERE)


@pytest.fixture
def records(maria, joao, maria_contract, joao_contract, maria_invoice, joao_invoice, subject):
    # Both blocked and Especial: only the scope stands between Maria and João's trust unlock.
    for customer, contract in ((maria, maria_contract), (joao, joao_contract)):
        Customer.objects.filter(pk=customer.pk).update(portal_permission="E")
        contract_set_access_status(actor=None, contract=contract, access_status="CA", reason="Atraso")
    return {
        "mine": {
            "contract": maria_contract.pk,
            "invoice": maria_invoice.pk,
            "ticket": make_ticket(maria, subject).pk,
        },
        "theirs": {
            "contract": joao_contract.pk,
            "invoice": joao_invoice.pk,
            "ticket": make_ticket(joao, subject, description="Lentidão").pk,
        },
    }


@pytest.mark.parametrize("name", sorted(ID_URLS))
def test_another_customers_id_is_404(name, records, maria_web):
    kind, methods = ID_URLS[name]
    for method in methods:
        theirs = reverse(f"portal:{name}", args=[records["theirs"][kind]])
        data = {"text": "Olá"} if method == "post" else None
        response = getattr(maria_web, method)(theirs, data)
        assert response.status_code == 404, (name, method)
        missing = reverse(f"portal:{name}", args=[999_999])
        assert getattr(maria_web, method)(missing, data).status_code == 404, (name, method)


@pytest.mark.parametrize("name", sorted(ID_URLS))
def test_own_id_answers(name, records, maria_web):
    kind, methods = ID_URLS[name]
    for method in methods:
        mine = reverse(f"portal:{name}", args=[records["mine"][kind]])
        response = getattr(maria_web, method)(mine, {"text": "Olá"} if method == "post" else None)
        assert response.status_code in (200, 302), (name, method, response.status_code)


def test_nothing_of_the_other_customer_changed(records, maria_web, joao_contract):
    from enlace.support.models import TicketMessage

    maria_web.post(reverse("portal:trust_unlock", args=[records["theirs"]["contract"]]))
    maria_web.post(reverse("portal:ticket_detail", args=[records["theirs"]["ticket"]]), {"text": "Invasão"})
    joao_contract.refresh_from_db()
    assert joao_contract.access_status == "CA"
    assert not TicketMessage.objects.filter(text="Invasão").exists()


def test_pages_without_ids_show_only_own_records(records, maria_web):
    invoices = maria_web.get(reverse("portal:invoices")).text
    assert f'id="invoice-{records["mine"]["invoice"]}"' in invoices
    assert f'id="invoice-{records["theirs"]["invoice"]}"' not in invoices
    home = maria_web.get(reverse("portal:home")).text
    assert f'id="contract-{records["mine"]["contract"]}"' in home
    assert f'id="contract-{records["theirs"]["contract"]}"' not in home
    tickets = maria_web.get(reverse("portal:tickets")).text
    assert f'id="ticket-{records["mine"]["ticket"]}"' in tickets
    assert f'id="ticket-{records["theirs"]["ticket"]}"' not in tickets


def test_anonymous_gets_the_login_page_for_every_id_url(records, client):
    for name, (kind, methods) in ID_URLS.items():
        for method in methods:
            response = getattr(client, method)(reverse(f"portal:{name}", args=[records["mine"][kind]]))
            assert response.status_code == 302 and response.url == reverse("portal:login"), name
