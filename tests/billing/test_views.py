"""Operator screens of the finance area (SPEC §7): the customer's and the contract's "Financeiro"
tabs with the colour legend (F-1, F-2), the receivables list (filters, CSV, chart), the invoice page,
the settlement form (partial and full, F-6/F-7), the reversal, the cancellation, the one-off
invoice, the renegotiation wizard (F-8), the bank return upload, the billing run with its progress
page (F-3), the trust unlock (F-9), permissions and branch scope."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlace.billing import tasks
from enlace.billing.apps import register_ui
from enlace.billing.models import (
    BillingRun,
    CnabImport,
    CollectionState,
    Invoice,
    InvoiceStatus,
    Payment,
    Renegotiation,
)
from enlace.billing.selectors import amount_due, invoice_pix
from enlace.billing.services.invoices import invoice_cancel, invoice_create
from enlace.billing.services.payments import payment_create
from enlace.billing.services.runs import billing_run_start, billing_run_start_and_execute
from enlace.contracts.apps import register_contract_tabs, register_tabs
from enlace.contracts.models import AccessStatus
from enlace.contracts.services import contract_activate, contract_create, contract_set_access_status
from enlace.core import roles
from enlace.core.models import Employee
from enlace.customers.services import customer_create
from tests.helpers.contracts import make_wallet
from tests.helpers.fixtures import CNAB_FIXTURES

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SICOOB_RET = CNAB_FIXTURES / "CNAB240SICOOB.RET"
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"


@pytest.fixture(autouse=True)
def ui_registered():
    register_tabs()  # another test may have replaced them in this process
    register_contract_tabs()
    register_ui()


@pytest.fixture
def finance_user(django_user_model, branch_a):
    """A Financeiro operator of branch A."""
    user = django_user_model.objects.create_user(username="fabio", password="s3nha-Forte!")
    user.groups.add(Group.objects.get(name=roles.FINANCE))
    Employee.objects.create(name="Fábio", user=user).branches.set([branch_a])
    return user


@pytest.fixture
def finance_web(finance_user):
    """The Financeiro operator's browser, in English (the messages checked are the msgids)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(finance_user)
    return client


@pytest.fixture
def pix_wallet(wallet):
    wallet.pix_key = PIX_KEY
    wallet.save()
    return wallet


def today():
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def make_invoice(customer, wallet, due, amount="100.00", **extra):
    return invoice_create(
        actor=None,
        customer=customer,
        wallet=wallet,
        due_date=due,
        amount=Decimal(amount),
        description=extra.pop("description", "Serviço avulso"),
        **extra,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def row(html: str, invoice) -> str:
    match = re.search(rf'<tr[^>]*data-invoice="{invoice.pk}".*?</tr>', html, re.S)
    assert match, f"no row for invoice {invoice.pk}"
    return match.group(0)


def tab(client, customer):
    return client.get(reverse("billing:customer_tab_finance", args=[customer.pk]), **HTMX)


# --- Menu, pages, permissions, branch scope -------------------------------------------------------


def test_finance_menu_lists_the_pages(finance_web):
    html = finance_web.get("/").content.decode()
    for name in (
        "billing:invoice_list",
        "billing:payment_list",
        "billing:cnabimport_list",
        "billing:billingrun_list",
    ):
        assert f'href="{reverse(name)}"' in html, name


def test_admin_opens_every_page(admin_web, admin_user, customer, pix_wallet):
    invoice = make_invoice(customer, pix_wallet, days(5))
    payment = payment_create(actor=admin_user, invoice=invoice, amount="10.00")
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    pages = [
        "/invoices/",
        f"/invoices/{invoice.pk}/",
        f"/invoices/{invoice.pk}/settle/",
        f"/invoices/{invoice.pk}/changes/",
        "/invoices/add/",
        f"/invoices/add/?customer={customer.pk}",
        "/payments/",
        f"/payments/{payment.pk}/",
        "/cnab-imports/",
        "/cnab-imports/add/",
        "/billing-runs/",
        "/billing-runs/add/",
        f"/billing-runs/{run.pk}/",
        f"/renegotiations/new/?customer={customer.pk}&invoice={invoice.pk}",
    ]
    for address in pages:
        response = admin_web.get(address)
        assert response.status_code == 200, address
        assert b"<h1" in response.content, address
    other = make_invoice(customer, pix_wallet, days(9))
    assert admin_web.get(f"/invoices/{other.pk}/cancel/").status_code == 200
    for address, content_type in [
        (f"/invoices/{invoice.pk}/boleto.pdf", "application/pdf"),
        (f"/invoices/carne.pdf?invoice={invoice.pk}&invoice={other.pk}", "application/pdf"),
        (f"/payments/{payment.pk}/receipt.pdf", "application/pdf"),
        (f"/invoices/{invoice.pk}/pix.png", "image/png"),
    ]:
        response = admin_web.get(address)
        assert response.status_code == 200, address
        assert response["Content-Type"] == content_type, address
        assert response.content[:4] in (b"%PDF", b"\x89PNG"), address


def test_without_permission_403(noperm_web, customer, wallet):
    invoice = make_invoice(customer, wallet, days(5))
    for address in (
        "/invoices/",
        f"/invoices/{invoice.pk}/",
        "/payments/",
        "/cnab-imports/",
        "/billing-runs/",
    ):
        assert noperm_web.get(address).status_code == 403, address
    assert (
        noperm_web.get(reverse("billing:customer_tab_finance", args=[customer.pk]), **HTMX).status_code == 403
    )


def test_attendance_reads_but_cannot_write(operator_a_web, customer, wallet, active_contract):
    """Atendimento has billing.view_*: it sees the tab and the invoices, without the write buttons,
    and every write answers 403."""
    invoice = make_invoice(customer, wallet, days(-3))
    html = tab(operator_a_web, customer).content.decode()
    assert 'data-action="settle"' not in html and 'data-action="cancel"' not in html
    assert 'id="new-invoice"' not in html and 'id="renegotiate-button"' not in html
    assert operator_a_web.get(f"/invoices/{invoice.pk}/").status_code == 200
    writes = [
        ("get", f"/invoices/{invoice.pk}/settle/"),
        ("post", f"/invoices/{invoice.pk}/settle/"),
        ("post", f"/invoices/{invoice.pk}/cancel/"),
        ("get", f"/invoices/add/?customer={customer.pk}"),
        ("post", "/cnab-imports/add/"),
        ("post", "/billing-runs/add/"),
        ("post", "/renegotiations/new/"),
        ("post", f"/contracts/{active_contract.pk}/trust-unlock/"),
        ("post", f"/contracts/{active_contract.pk}/trust-unlock/forbid/"),
    ]
    for method, address in writes:
        assert getattr(operator_a_web, method)(address).status_code == 403, address
    assert not Payment.objects.exists()


def test_another_branch_is_404(finance_web, customer_b, wallet_b, admin_user):
    invoice = make_invoice(customer_b, wallet_b, days(5))
    payment = payment_create(actor=admin_user, invoice=invoice, amount="10.00")
    for address in (
        f"/invoices/{invoice.pk}/",
        f"/invoices/{invoice.pk}/settle/",
        f"/invoices/{invoice.pk}/cancel/",
        f"/invoices/{invoice.pk}/boleto.pdf",
        f"/payments/{payment.pk}/",
        f"/payments/{payment.pk}/receipt.pdf",
        f"/invoices/add/?customer={customer_b.pk}",
        f"/renegotiations/new/?customer={customer_b.pk}",
    ):
        assert finance_web.get(address).status_code == 404, address
    assert finance_web.post(f"/payments/{payment.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert tab(finance_web, customer_b).status_code == 404
    assert invoice.pk not in {i.pk for i in finance_web.get("/invoices/").context["table"].data}
    assert finance_web.get(f"/invoices/carne.pdf?invoice={invoice.pk}").status_code == 400


# --- Customer tab: every invoice, colours and legend (F-1, F-2) ---------------------------------------


def test_customer_tab_lists_both_contracts_and_one_off_invoices(
    admin_web, admin_user, contract_data, pix_wallet
):
    first = contract_activate(actor=admin_user, contract=contract_create(actor=admin_user, **contract_data()))
    second = contract_activate(
        actor=admin_user, contract=contract_create(actor=admin_user, **contract_data(due_day=20))
    )
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert run.created == 2
    one_off = make_invoice(first.customer, pix_wallet, days(7), description="Taxa de instalação")
    response = tab(admin_web, first.customer)
    assert response.status_code == 200
    html = response.content.decode()
    for invoice in Invoice.objects.filter(customer=first.customer):
        assert f'data-invoice="{invoice.pk}"' in html
    assert {i.contract_id for i in Invoice.objects.filter(customer=first.customer)} == {
        first.pk,
        second.pk,
        None,
    }
    assert "Taxa de instalação" in row(html, one_off)
    # the contract's own tab has only its invoices
    html = admin_web.get(reverse("billing:contract_tab_finance", args=[second.pk]), **HTMX).content.decode()
    assert html.count('class="invoice-row') == 1 and f'data-invoice="{one_off.pk}"' not in html
    # a plain GET goes to the page on the tab
    plain = admin_web.get(reverse("billing:customer_tab_finance", args=[first.customer_id]))
    assert plain.status_code == 302 and plain["Location"].endswith("?tab=finance")


def test_customer_tab_colours_legend_and_totals(admin_web, admin_user, customer, pix_wallet):
    blue = make_invoice(customer, pix_wallet, days(10))
    orange = make_invoice(customer, pix_wallet, today())
    red = make_invoice(customer, pix_wallet, days(-10), amount="50.00")
    on_time = make_invoice(customer, pix_wallet, days(-20))
    payment_create(actor=admin_user, invoice=on_time, date=days(-21))
    late = make_invoice(customer, pix_wallet, days(-40))
    payment_create(actor=admin_user, invoice=late, date=days(-30))
    grey = make_invoice(customer, pix_wallet, days(-5))
    invoice_cancel(actor=admin_user, invoice=grey, reason="Lançado em duplicidade")

    html = tab(admin_web, customer).content.decode()
    legend = re.search(r'id="invoice-legend".*?</div>', html, re.S).group(0)
    for color in ("blue", "orange", "red", "lightgreen", "darkgreen", "grey"):
        assert f'data-legend="{color}"><span class="invoice-swatch invoice-{color}"' in legend
        assert f".invoice-{color} {{ --invoice-bg:" in html  # the colour is defined on the page
    expected = {
        blue: "blue",
        orange: "orange",
        red: "red",
        on_time: "lightgreen",
        late: "darkgreen",
        grey: "grey",
    }
    for invoice, color in expected.items():
        assert f'class="invoice-row invoice-{color}"' in row(html, invoice), color
    # actions follow the state: settle only open ones, receipt where paid, no cancel once paid
    assert 'data-action="settle"' in row(html, red) and 'data-action="settle"' not in row(html, on_time)
    assert 'data-action="receipt"' in row(html, late) and 'data-action="receipt"' not in row(html, blue)
    assert 'data-action="cancel"' in row(html, blue) and 'data-action="cancel"' not in row(html, grey)
    assert 'name="invoice"' in row(html, blue) and 'name="invoice"' not in row(html, grey)
    assert re.search(r'id="total-open">.*?R\$ 250,00<', html)  # open: blue + orange + red
    assert re.search(r'id="total-overdue">.*?R\$ 50,00<', html)  # overdue: red


# --- Receivables list: filters, CSV, chart ---------------------------------------------------------


def test_invoice_list_filters_csv_and_chart(admin_web, admin_user, customer, wallet, customer_b, wallet_b):
    future = make_invoice(customer, wallet, days(10), amount="100.00")
    overdue = make_invoice(customer, wallet, days(-10), amount="40.00")
    paid = make_invoice(customer_b, wallet_b, days(-3), amount="70.00")
    payment_create(actor=admin_user, invoice=paid, date=days(-3))

    def found(query):
        return {i.pk for i in admin_web.get(f"/invoices/?{query}").context["table"].data}

    assert found("status=R") == {paid.pk}
    assert found("color=red") == {overdue.pk}
    assert found(f"wallet={wallet.pk}") == {future.pk, overdue.pk}
    assert found(f"due_date_after={today().isoformat()}&due_date_before={days(15).isoformat()}") == {
        future.pk
    }
    assert found("kind=one-off") == {future.pk, overdue.pk, paid.pk}

    response = admin_web.get("/invoices/")
    html = response.content.decode()
    assert 'class="invoice-row invoice-red ' in row(html, overdue)
    chart = re.search(r'<svg class="invoice-chart".*?</svg>', html, re.S).group(0)
    bars = dict(re.findall(r'<rect class="bar invoice-(\w+)"[^>]*width="(\d+)"', chart))
    assert int(bars["blue"]) > int(bars["lightgreen"]) > int(bars["red"]) > 0 and bars["orange"] == "0"
    assert "R$ 100,00 (1)" in chart and "R$ 40,00 (1)" in chart
    # the chart follows the filters
    chart = re.search(
        r"<svg.*?</svg>", admin_web.get(f"/invoices/?wallet={wallet_b.pk}").content.decode(), re.S
    )
    assert (
        dict(re.findall(r'<rect class="bar invoice-(\w+)"[^>]*width="(\d+)"', chart.group(0)))["blue"] == "0"
    )

    csv = admin_web.get("/invoices/?export=csv&status=A", HTTP_ACCEPT_LANGUAGE="en")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 3 and "100.00" in text and "Overdue" in text


# --- Invoice page --------------------------------------------------------------------------------------


def test_invoice_page_shows_boleto_pix_and_amount_due(admin_web, customer, pix_wallet):
    invoice = make_invoice(customer, pix_wallet, days(-10), amount="100.00")
    html = admin_web.get(f"/invoices/{invoice.pk}/").content.decode()
    line = invoice.digitable_line
    formatted = f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} {line[21:26]}.{line[26:32]} {line[32]} {line[33:]}"
    assert formatted in html
    assert invoice.nosso_numero_display in html
    # 10 days overdue: the PIX shown charges the amount due today (issue 16), not the face value
    assert invoice_pix(invoice, today())[0] in html and 'id="pix-copy"' in html
    assert invoice.pix_payload not in html
    assert f'src="/invoices/{invoice.pk}/pix.png"' in html
    due = amount_due(invoice, today())
    assert due["fine"] == Decimal("2.00")
    assert re.search(r'id="due-fine">R\$ 2,00<', html)
    assert f"R$ {due['total']:.2f}".replace(".", ",") in html


# --- Settlement, reversal, cancellation ----------------------------------------------------------------


def settle_data(**extra):
    data = {
        "date": today().isoformat(),
        "method": "D",
        "amount": "",
        "fine": "",
        "interest": "",
        "discount": "",
    }
    data.update(extra)
    return data


def test_settle_form_prefills_the_amount_due_on_the_date(finance_web, customer, wallet):
    invoice = make_invoice(customer, wallet, days(-15), amount="100.00")
    form = finance_web.get(f"/invoices/{invoice.pk}/settle/").context["form"]
    due = amount_due(invoice, today())
    assert form.initial["amount"] == due["total"] and due["fine"] == Decimal("2.00")
    assert (form.initial["fine"], form.initial["interest"]) == (due["fine"], due["interest"])
    # on the due date itself there are no late charges
    form = finance_web.get(f"/invoices/{invoice.pk}/settle/?date={invoice.due_date.isoformat()}").context[
        "form"
    ]
    assert (form.initial["amount"], form.initial["fine"]) == (Decimal("100.00"), Decimal("0.00"))


def test_settle_partial_then_full_with_receipt(finance_web, customer, wallet):
    invoice = make_invoice(customer, wallet, days(5), amount="100.00")
    next_url = f"{customer.get_absolute_url()}?tab=finance"
    response = finance_web.post(
        f"/invoices/{invoice.pk}/settle/", settle_data(amount="30.00", method="P", next=next_url)
    )
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"].startswith(f"/payments/{payment.pk}/")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIAL and invoice.balance == Decimal("70.00")
    page = finance_web.get(response["Location"])
    html = page.content.decode()
    assert f'href="/payments/{payment.pk}/receipt.pdf"' in html and 'id="receipt-link"' in html
    assert any("R$ 30,00" in m for m in messages_of(page))
    assert f'href="{next_url}"' in html  # back to the customer's tab

    form = finance_web.get(f"/invoices/{invoice.pk}/settle/").context["form"]
    assert form.initial["amount"] == Decimal("70.00")
    finance_web.post(f"/invoices/{invoice.pk}/settle/", settle_data(amount="70.00", method="D"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RECEIVED and invoice.paid_amount == Decimal("100.00")
    receipt = finance_web.get(f"/payments/{invoice.payments.last().pk}/receipt.pdf")
    assert receipt["Content-Type"] == "application/pdf" and receipt.content.startswith(b"%PDF")
    # a settled invoice cannot be settled again
    again = finance_web.get(f"/invoices/{invoice.pk}/settle/")
    assert again.status_code == 302 and again["Location"] == f"/invoices/{invoice.pk}/"


def test_settle_refuses_more_than_due_on_the_form(finance_web, customer, wallet):
    invoice = make_invoice(customer, wallet, days(5), amount="100.00")
    response = finance_web.post(f"/invoices/{invoice.pk}/settle/", settle_data(amount="150.00"))
    assert response.status_code == 200
    assert "exceeds" in str(response.context["form"].errors["amount"])
    response = finance_web.post(f"/invoices/{invoice.pk}/settle/", settle_data(amount="", method="D"))
    assert "amount" in response.context["form"].errors  # required (G-1)
    assert not Payment.objects.exists()


def test_reverse_keeps_both_movements(finance_web, admin_user, customer, wallet):
    invoice = make_invoice(customer, wallet, days(5))
    payment = payment_create(actor=admin_user, invoice=invoice)
    html = finance_web.get(f"/invoices/{invoice.pk}/").content.decode()
    assert f'action="/payments/{payment.pk}/reverse/"' in html
    response = finance_web.post(f"/payments/{payment.pk}/reverse/", {"reason": ""}, follow=True)
    assert any("reason" in m.lower() for m in messages_of(response))
    assert Payment.objects.count() == 1
    finance_web.post(f"/payments/{payment.pk}/reverse/", {"reason": "Cheque devolvido"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and invoice.payments.count() == 2
    payment.refresh_from_db()
    assert payment.reversed
    html = finance_web.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Cheque devolvido" in html and f'action="/payments/{payment.pk}/reverse/"' not in html
    assert finance_web.get("/payments/?reversal=true").context["table"].data[0].reversal_of_id == payment.pk


def test_cancel_with_reason(finance_web, admin_user, customer, wallet):
    invoice = make_invoice(customer, wallet, days(5))
    response = finance_web.post(f"/invoices/{invoice.pk}/cancel/", {"reason": ""})
    assert "reason" in response.context["form"].errors
    response = finance_web.post(f"/invoices/{invoice.pk}/cancel/", {"reason": " espaço"})
    assert "reason" in response.context["form"].errors  # G-2
    response = finance_web.post(f"/invoices/{invoice.pk}/cancel/", {"reason": "Lançado em duplicidade"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.cancel_reason == "Lançado em duplicidade"
    assert invoice.color() == "grey"

    paid = make_invoice(customer, wallet, days(5))
    payment_create(actor=admin_user, invoice=paid, amount="10.00")
    response = finance_web.post(f"/invoices/{paid.pk}/cancel/", {"reason": "Erro"})
    assert response.status_code == 200 and "reverse them" in str(response.context["form"].errors)
    paid.refresh_from_db()
    assert paid.status == InvoiceStatus.PARTIAL


def test_one_off_invoice_for_the_customer(
    finance_web, customer, wallet, contract, customer_b, contract_b, branch_a
):
    make_wallet(branch_a, name="Carteira inativa", active=False)
    response = finance_web.get(f"/invoices/add/?customer={customer.pk}&contract={contract.pk}")
    form = response.context["form"]
    assert list(form.fields["wallet"].queryset) == [wallet]
    assert list(form.fields["contract"].queryset) == [contract]
    assert form.initial["contract"] == str(contract.pk)
    data = {
        "customer": customer.pk,
        "wallet": wallet.pk,
        "due_date": days(10).isoformat(),
        "amount": "150.00",
        "description": "Taxa de instalação",
        "contract": contract_b.pk,  # another customer's contract
    }
    response = finance_web.post("/invoices/add/", data)
    assert "contract" in response.context["form"].errors and not Invoice.objects.exists()
    data["contract"] = contract.pk
    response = finance_web.post("/invoices/add/", data)
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/invoices/{invoice.pk}/"
    assert (invoice.customer, invoice.contract, invoice.kind) == (customer, contract, "one-off")
    assert len(invoice.digitable_line) == 47 and invoice.nosso_numero
    # without a customer, the page searches one
    html = finance_web.get("/invoices/add/?q=Maria").content.decode()
    assert f'href="?customer={customer.pk}"' in html and f"?customer={customer_b.pk}" not in html


def test_one_off_invoice_customer_search_is_the_registry_search(
    finance_web, admin_user, branch_a, customer_b
):
    """The picker uses the customer registry's search: words without accents or case, the start of
    any word of the name, a masked CPF; leads and other branches' customers are not offered."""
    joao = customer_create(
        actor=admin_user, name="João da Conceição", person_type="F", cpf_cnpj="39053344705", branch=branch_a
    )
    for query in ("joao", "CONCEICAO", "jo conc", "390.533.447-05"):
        html = finance_web.get("/invoices/add/", {"q": query}).content.decode()
        assert f'href="?customer={joao.pk}"' in html, query
    html = finance_web.get("/invoices/add/", {"q": "joao"}).content.decode()
    assert f"?customer={customer_b.pk}" not in html  # João Campinas is of branch B


# --- Renegotiation wizard (F-8) -----------------------------------------------------------------------


def test_renegotiation_wizard_end_to_end(finance_web, customer, wallet, condition):
    old = [make_invoice(customer, wallet, days(-40)), make_invoice(customer, wallet, days(-10))]
    kept = make_invoice(customer, wallet, days(20))
    html = tab(finance_web, customer).content.decode()
    assert (
        'id="renegotiate-button"' in html and f'formaction="{reverse("billing:renegotiation_new")}"' in html
    )

    # step 1: the invoices checked on the tab arrive checked
    query = f"customer={customer.pk}&invoice={old[0].pk}&invoice={old[1].pk}"
    page = finance_web.get(f"/renegotiations/new/?{query}").content.decode()
    assert re.search(rf'value="{old[0].pk}" id="invoice-{old[0].pk}" checked', page)
    assert not re.search(rf'value="{kept.pk}" id="invoice-{kept.pk}" checked', page)
    response = finance_web.post(
        "/renegotiations/new/", {"customer": customer.pk, "invoices": [i.pk for i in old]}
    )
    renegotiation = Renegotiation.objects.get()
    assert response["Location"] == f"/renegotiations/{renegotiation.pk}/"

    # a second renegotiation of a held invoice is refused with the service's message
    response = finance_web.post("/renegotiations/new/", {"customer": customer.pk, "invoices": [old[1].pk]})
    assert response.status_code == 200 and Renegotiation.objects.count() == 1
    assert "unfinished renegotiation" in str(response.context["form"].errors)
    assert f'data-held-by="{renegotiation.pk}"' in response.content.decode()

    # step 2: terms, with the original total due today
    page = finance_web.get(f"/renegotiations/{renegotiation.pk}/")
    assert page.context["renegotiation"].original_total > Decimal("200.00")  # fine and interest
    terms = {
        "additions": "0.00",
        "discount": "10.00",
        "instalments": "3",
        "wallet": wallet.pk,
        "first_due_date": days(5).isoformat(),
        "notes": "",
    }
    response = finance_web.post(f"/renegotiations/{renegotiation.pk}/", {**terms, "instalments": ""})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = finance_web.post(f"/renegotiations/{renegotiation.pk}/", terms)
    assert response["Location"] == f"/renegotiations/{renegotiation.pk}/preview/"
    renegotiation.refresh_from_db()
    assert renegotiation.instalments == 3
    assert renegotiation.total == renegotiation.original_total - Decimal("10.00")

    # step 3: preview of the instalments, then finish
    preview = finance_web.get(f"/renegotiations/{renegotiation.pk}/preview/")
    plan = preview.context["plan"]
    assert len(plan) == 3 and sum(p["amount"] for p in plan) == renegotiation.total
    assert plan[0]["due_date"] == days(5)
    response = finance_web.post(f"/renegotiations/{renegotiation.pk}/finish/")
    assert response["Location"] == f"{customer.get_absolute_url()}?tab=finance"

    html = tab(finance_web, customer).content.decode()
    for invoice in old:
        invoice.refresh_from_db()
        assert invoice.renegotiated and 'class="invoice-row invoice-grey"' in row(html, invoice)
    new = list(Invoice.objects.filter(renegotiation=renegotiation).order_by("due_date"))
    assert len(new) == 3 and all('class="invoice-row invoice-blue"' in row(html, i) for i in new)
    assert 'class="invoice-row invoice-blue"' in row(html, kept)
    summary = finance_web.get(f"/renegotiations/{renegotiation.pk}/").content.decode()
    assert all(f'data-invoice="{i.pk}"' in summary for i in [*old, *new])


def test_renegotiation_abandoned_frees_the_invoices(finance_web, customer, wallet):
    invoice = make_invoice(customer, wallet, days(-10))
    finance_web.post("/renegotiations/new/", {"customer": customer.pk, "invoices": [invoice.pk]})
    first = Renegotiation.objects.get()
    response = finance_web.post(f"/renegotiations/{first.pk}/cancel/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Renegotiation.Status.CANCELLED
    finance_web.post("/renegotiations/new/", {"customer": customer.pk, "invoices": [invoice.pk]})
    assert Renegotiation.objects.filter(status=Renegotiation.Status.DRAFT).count() == 1
    # an abandoned one shows what it was, without the form
    page = finance_web.get(f"/renegotiations/{first.pk}/")
    assert page.status_code == 200 and "form" not in page.context


# --- Bank return files (F-6) ----------------------------------------------------------------------------


def test_cnab_upload_settles_once_and_lists_every_record(finance_web, customer, wallet):
    invoices = []
    for number in (8, 11, 12):
        invoice = make_invoice(customer, wallet, datetime.date(2015, 8, 13), amount="2.00")
        Invoice.objects.filter(pk=invoice.pk).update(nosso_numero=number)
        invoices.append(invoice)
    data = SICOOB_RET.read_bytes()

    response = finance_web.post(
        "/cnab-imports/add/",
        {"wallet": wallet.pk, "file": SimpleUploadedFile("cut.RET", data[: len(data) // 2])},
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not CnabImport.objects.exists()

    response = finance_web.post(
        "/cnab-imports/add/", {"wallet": wallet.pk, "file": SimpleUploadedFile("CNAB240SICOOB.RET", data)}
    )
    imported = CnabImport.objects.get()
    assert response["Location"] == f"/cnab-imports/{imported.pk}/"
    page = finance_web.get(response["Location"])
    html = page.content.decode()
    assert re.search(r'id="summary-settled">3<', html)
    assert html.count('data-outcome="settled"') == 1 + 3  # the count badge and three rows
    records = page.context["records"]
    assert len(records) == imported.records and {r.invoice_id for r in records if r.invoice_id} == {
        i.pk for i in invoices
    }
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.RECEIVED

    response = finance_web.post(
        "/cnab-imports/add/", {"wallet": wallet.pk, "file": SimpleUploadedFile("again.RET", data)}
    )
    assert response.status_code == 200 and "already imported" in str(response.context["form"].errors)
    assert CnabImport.objects.count() == 1 and Payment.objects.count() == 3
    assert [i.pk for i in finance_web.get("/cnab-imports/").context["table"].data] == [imported.pk]


def test_cnab_upload_of_another_bank_names_the_file(finance_web, branch_a):
    itau = make_wallet(branch_a, name="Itaú", bank_code="341", carteira="109", cnab_layout="400")
    data = SICOOB_RET.read_bytes()
    response = finance_web.post(
        "/cnab-imports/add/", {"wallet": itau.pk, "file": SimpleUploadedFile("x.RET", data)}
    )
    assert "756" in str(response.context["form"].errors["file"])


# --- Billing runs (F-3) ---------------------------------------------------------------------------------


def test_billing_run_from_the_form_reaches_done(finance_web, active_contract, branch_a):
    form = finance_web.get("/billing-runs/add/").context["form"]
    assert re.fullmatch(r"\d{4}-\d{2}", form.fields["period"].initial)
    assert list(form.fields["branch"].queryset) == [branch_a]  # a branch-limited operator
    response = finance_web.post("/billing-runs/add/", {"period": "2026-12", "branch": branch_a.pk})
    run = BillingRun.objects.get()
    assert response["Location"] == f"/billing-runs/{run.pk}/"
    page = finance_web.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and 'hx-trigger="every 1s"' not in page
    assert re.search(r'id="run-created">1<', page) and "100%" in page
    response = finance_web.post("/billing-runs/add/", {"period": "2026-13", "branch": branch_a.pk})
    assert "period" in response.context["form"].errors


def test_billing_run_progress_polls_while_running(finance_web, finance_user, active_contract, branch_a):
    run = billing_run_start(actor=finance_user, period="2026-12", branch=branch_a)
    page = finance_web.get(f"/billing-runs/{run.pk}/").content.decode()
    assert 'data-status="queued"' in page
    assert f'hx-get="/billing-runs/{run.pk}/progress/" hx-trigger="every 1s"' in page
    tasks.execute_billing_run(run.pk)
    partial = finance_web.get(f"/billing-runs/{run.pk}/progress/", **HTMX).content.decode()
    assert partial.startswith('<div class="card" id="run-progress" data-status="done"')
    assert "hx-trigger" not in partial and re.search(r'id="run-created">1<', partial)
    assert run.pk in {r.pk for r in finance_web.get("/billing-runs/").context["table"].data}


def test_billing_runs_of_every_branch_are_hidden_from_a_branch_operator(finance_web, admin_user):
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert finance_web.get(f"/billing-runs/{run.pk}/").status_code == 404


# --- Contract tab: collection state and trust unlock (F-9) ----------------------------------------------


def test_contract_tab_trust_unlock(finance_web, admin_user, active_contract, wallet):
    url = reverse("billing:contract_tab_finance", args=[active_contract.pk])
    html = finance_web.get(url, **HTMX).content.decode()
    assert re.search(r'id="trust-unlock-button" disabled', html)
    assert "Only a contract blocked automatically" in html

    make_invoice(active_contract.customer, wallet, days(-30), contract=active_contract)
    contract_set_access_status(
        actor=None, contract=active_contract, access_status=AccessStatus.AUTOMATIC_BLOCK, reason="Vencido"
    )
    CollectionState.objects.create(contract=active_contract, blocked_on=days(-1), overdue_since=days(-30))
    html = finance_web.get(url, **HTMX).content.decode()
    assert 'id="trust-unlock-button">' in html and 'id="collection-blocked">' in html

    response = finance_web.post(f"/contracts/{active_contract.pk}/trust-unlock/")
    assert response["Location"] == f"/contracts/{active_contract.pk}/?tab=finance"
    active_contract.refresh_from_db()
    assert active_contract.access_status == AccessStatus.ACTIVE
    state = CollectionState.objects.get(contract=active_contract)
    assert state.trust_until == days(3)

    # once per block: the button says why it is not available
    contract_set_access_status(
        actor=None, contract=active_contract, access_status=AccessStatus.AUTOMATIC_BLOCK, reason="Vencido"
    )
    html = finance_web.get(url, **HTMX).content.decode()
    assert "already used for this block" in html
    response = finance_web.post(f"/contracts/{active_contract.pk}/trust-unlock/", follow=True)
    assert any("already used" in m for m in messages_of(response))


def test_trust_unlock_forbidden_by_the_operator(finance_web, active_contract):
    url = reverse("billing:contract_tab_finance", args=[active_contract.pk])
    finance_web.post(f"/contracts/{active_contract.pk}/trust-unlock/forbid/", {"forbidden": "1"})
    assert CollectionState.objects.get(contract=active_contract).trust_forbidden
    contract_set_access_status(
        actor=None, contract=active_contract, access_status=AccessStatus.AUTOMATIC_BLOCK, reason="Vencido"
    )
    html = finance_web.get(url, **HTMX).content.decode()
    assert "forbidden for this contract" in html and re.search(r'id="trust-forbidden" checked', html)
    finance_web.post(f"/contracts/{active_contract.pk}/trust-unlock/forbid/", {"forbidden": "0"})
    assert not CollectionState.objects.get(contract=active_contract).trust_forbidden
    assert active_contract.history.filter(text__icontains="trust unlock").count() == 2
