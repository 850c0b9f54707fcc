"""/api/v1/invoices/, payments/, cnab-imports/, billing-runs/ and contracts/{id}/trust-unlock/
(SPEC G-5, §7, §14)."""

import base64
import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from enlace.billing import pix
from enlace.billing.models import BillingRun, CnabImport, Invoice, Payment
from enlace.billing.services.invoices import invoice_cancel, invoice_create
from enlace.billing.services.payments import payment_create
from enlace.contracts.models import AccessStatus
from enlace.contracts.services import contract_set_access_status
from enlace.core import roles
from enlace.core.models import Employee, ObjectChange
from tests.helpers.fixtures import CNAB_FIXTURES

pytestmark = pytest.mark.django_db

CNAB_DIR = CNAB_FIXTURES
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"

INVOICE_FIELDS = {
    "id",
    "customer",
    "contract",
    "wallet",
    "kind",
    "period",
    "issue_date",
    "due_date",
    "amount",
    "status",
    "renegotiated",
    "paid_amount",
    "paid_date",
    "nosso_numero",
    "barcode",
    "digitable_line",
    "pix_payload",
    "color",
}
PAYMENT_FIELDS = {
    "id",
    "invoice",
    "date",
    "amount",
    "method",
    "fine",
    "interest",
    "discount",
    "reversed",
}
RUN_FIGURES = {"total", "processed", "created", "skipped", "errors", "status"}


def today(days=0) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _client(user) -> APIClient:
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def finance_a(db, django_user_model, branch_a, branch_b):
    """Role Financeiro, limited to ``branch_a``."""
    user = django_user_model.objects.create_user("fabia", password="s3nha-Forte!", email="fabia@x.com")
    user.groups.add(Group.objects.get(name=roles.FINANCE))
    Employee.objects.create(name="Fabia", user=user).branches.set([branch_a])
    return user


@pytest.fixture
def finance_api(finance_a):
    return _client(finance_a)


@pytest.fixture
def pix_wallet(wallet):
    wallet.pix_key = PIX_KEY
    wallet.save()
    return wallet


@pytest.fixture
def make_invoice(admin_user, customer, pix_wallet):
    def make(**extra):
        values = {
            "customer": customer,
            "wallet": pix_wallet,
            "due_date": today(10),
            "amount": Decimal("100.00"),
        }
        values.update(extra)
        return invoice_create(actor=admin_user, **values)

    return make


@pytest.fixture
def invoice(make_invoice):
    return make_invoice()


@pytest.fixture
def invoice_b(admin_user, customer_b, wallet_b):
    return invoice_create(
        actor=admin_user, customer=customer_b, wallet=wallet_b, due_date=today(5), amount="80.00"
    )


def invoice_payload(customer, wallet, **extra):
    data = {
        "customer": customer.pk,
        "wallet": wallet.pk,
        "due_date": today(15).isoformat(),
        "amount": "59.90",
        "description": "Taxa de instalação",
    }
    data.update(extra)
    return data


# --- Invoices -------------------------------------------------------------------------------


def test_invoice_fields_money_and_dates(admin_api, invoice):
    body = admin_api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert set(body) >= INVOICE_FIELDS
    assert body["amount"] == "100.00" and body["paid_amount"] == "0.00"
    assert body["due_date"] == today(10).isoformat()
    assert body["customer"] == invoice.customer_id and body["wallet"] == invoice.wallet_id
    assert body["contract"] is None and body["kind"] == "one-off" and body["status"] == "A"
    assert body["renegotiated"] is False and body["paid_date"] is None
    assert len(body["barcode"]) == 44 and len(body["digitable_line"]) == 47
    assert body["color"] == "blue"


def test_invoice_create_one_off(admin_api, customer, pix_wallet):
    response = admin_api.post("/api/v1/invoices/", invoice_payload(customer, pix_wallet), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= INVOICE_FIELDS
    assert body["kind"] == "one-off" and body["status"] == "A" and body["amount"] == "59.90"
    assert body["nosso_numero"] and len(body["digitable_line"]) == 47
    assert body["branch"] == customer.branch_id
    assert pix.parse_brcode(body["pix_payload"]).amount == Decimal("59.90")
    invoice = Invoice.objects.get(pk=body["id"])
    change = ObjectChange.objects.get(
        content_type__model="invoice", object_id=str(invoice.pk), action=ObjectChange.Action.CREATE
    )
    assert change.source == "api"


def test_invoice_create_recurring_refused(admin_api, customer, pix_wallet):
    payload = invoice_payload(customer, pix_wallet, kind="recurring", period="2026-12")
    response = admin_api.post("/api/v1/invoices/", payload, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": None}, "amount"),
        ({"amount": "0.00"}, "amount"),
        ({"due_date": "10/12/2026"}, "due_date"),
        ({"description": " Taxa"}, "description"),
        ({"kind": "weekly"}, "kind"),
    ],
)
def test_invoice_create_errors_name_the_field(admin_api, customer, pix_wallet, change, field):
    payload = {**invoice_payload(customer, pix_wallet), **change}
    payload = {k: v for k, v in payload.items() if v is not None}
    response = admin_api.post("/api/v1/invoices/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Invoice.objects.exists()


def test_invoice_create_wallet_of_another_branch(admin_api, customer, wallet_b):
    response = admin_api.post("/api/v1/invoices/", invoice_payload(customer, wallet_b), format="json")
    assert response.status_code == 400 and "wallet" in response.json()


def test_invoice_contract_of_another_customer(
    admin_api, customer, pix_wallet, contract, admin_user, branch_a
):
    from enlace.customers.services import customer_create

    other = customer_create(
        actor=admin_user, name="Pedro Lima", person_type="F", cpf_cnpj="39053344705", branch=branch_a
    )
    payload = invoice_payload(other, pix_wallet, contract=contract.pk)
    response = admin_api.post("/api/v1/invoices/", payload, format="json")
    assert response.status_code == 400 and "contract" in response.json()


def test_invoice_no_update_or_delete(admin_api, invoice):
    assert (
        admin_api.patch(f"/api/v1/invoices/{invoice.pk}/", {"amount": "1.00"}, format="json").status_code
        == 405
    )
    assert admin_api.delete(f"/api/v1/invoices/{invoice.pk}/").status_code == 405


def test_invoice_filters_and_colors(admin_api, admin_user, make_invoice, invoice_b):
    overdue = make_invoice(due_date=today(-3))
    due_today = make_invoice(due_date=today())
    future = make_invoice(due_date=today(20))
    paid = make_invoice(due_date=today(-10))
    payment_create(actor=admin_user, invoice=paid, date=today(-12))
    cancelled = make_invoice(due_date=today(30))
    invoice_cancel(actor=admin_user, invoice=cancelled, reason="lançada em duplicidade")

    def ids(query):
        response = admin_api.get(f"/api/v1/invoices/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    colors = {row["id"]: row["color"] for row in admin_api.get("/api/v1/invoices/").json()["results"]}
    assert colors[overdue.pk] == "red" and colors[due_today.pk] == "orange"
    assert colors[future.pk] == "blue" and colors[paid.pk] == "lightgreen"
    assert colors[cancelled.pk] == "grey"
    assert ids("color=red") == {overdue.pk}
    assert ids("color=orange&color=lightgreen") == {due_today.pk, paid.pk}
    assert ids("status=R") == {paid.pk}
    assert ids("status=A&status=C") == {overdue.pk, due_today.pk, future.pk, cancelled.pk, invoice_b.pk}
    assert ids(f"due_date_after={today(-3)}&due_date_before={today()}") == {overdue.pk, due_today.pk}
    assert ids(f"branch={invoice_b.branch_id}") == {invoice_b.pk}
    assert ids(f"customer={invoice_b.customer_id}") == {invoice_b.pk}
    assert ids(f"wallet={invoice_b.wallet_id}") == {invoice_b.pk}
    assert ids("kind=recurring") == set()
    assert ids("renegotiated=true") == set()


def test_invoice_list_has_no_n_plus_one(admin_api, make_invoice, django_assert_max_num_queries):
    make_invoice()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert admin_api.get("/api/v1/invoices/").status_code == 200
    for _ in range(5):
        make_invoice()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(admin_api.get("/api/v1/invoices/").json()["results"]) == 6


def test_invoice_cancel(admin_api, invoice):
    response = admin_api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "Erro"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "C" and body["color"] == "grey" and body["cancel_reason"] == "Erro"
    again = admin_api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "Erro"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": " Erro"}])
def test_invoice_cancel_needs_a_reason(admin_api, invoice, body):
    response = admin_api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", body, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    invoice.refresh_from_db()
    assert invoice.status == "A"


def test_invoice_with_payments_cannot_be_cancelled(admin_api, admin_user, invoice):
    payment_create(actor=admin_user, invoice=invoice, amount="10.00")
    response = admin_api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "x"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "has_payments"


def test_invoice_pix(admin_api, invoice):
    response = admin_api.get(f"/api/v1/invoices/{invoice.pk}/pix/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"payload", "qr_png_base64", "amount", "txid"}
    parsed = pix.parse_brcode(body["payload"])
    assert parsed.amount == Decimal("100.00") and parsed.key == PIX_KEY and parsed.txid == body["txid"]
    assert body["amount"] == "100.00"
    assert base64.b64decode(body["qr_png_base64"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_invoice_pix_without_key(admin_api, admin_user, customer, wallet):
    invoice = invoice_create(
        actor=admin_user, customer=customer, wallet=wallet, due_date=today(5), amount="10.00"
    )
    response = admin_api.get(f"/api/v1/invoices/{invoice.pk}/pix/")
    assert response.status_code == 400 and response.json()["code"] == "no_pix"


def test_invoice_amount_due(admin_api, make_invoice):
    invoice = make_invoice(due_date=datetime.date(2026, 12, 10))
    url = f"/api/v1/invoices/{invoice.pk}/amount-due/"
    late = admin_api.get(url, {"date": "2026-12-20"}).json()
    assert late == {
        "date": "2026-12-20",
        "balance": "100.00",
        "discount": "0.00",
        "fine": "2.00",
        "interest": "0.33",
        "total": "102.33",
    }
    on_time = admin_api.get(url, {"date": "2026-12-10"}).json()
    assert on_time["total"] == "100.00" and on_time["fine"] == "0.00"
    assert admin_api.get(url).json()["date"] == today().isoformat()
    bad = admin_api.get(url, {"date": "20/12/2026"})
    assert bad.status_code == 400 and "date" in bad.json()


def test_invoice_boleto_pdf(admin_api, invoice):
    response = admin_api.get(f"/api/v1/invoices/{invoice.pk}/boleto.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # whatever the client accepts, the body is the PDF
    accepting = admin_api.get(f"/api/v1/invoices/{invoice.pk}/boleto.pdf", HTTP_ACCEPT="application/pdf")
    assert accepting.status_code == 200 and accepting.content.startswith(b"%PDF")


# --- Permissions and branch scope -----------------------------------------------------------


def test_reads_need_view_permission(noperm_api, invoice):
    for url in (
        "/api/v1/invoices/",
        f"/api/v1/invoices/{invoice.pk}/",
        f"/api/v1/invoices/{invoice.pk}/pix/",
        f"/api/v1/invoices/{invoice.pk}/amount-due/",
        f"/api/v1/invoices/{invoice.pk}/boleto.pdf",
        "/api/v1/payments/",
        "/api/v1/cnab-imports/",
        "/api/v1/billing-runs/",
    ):
        assert noperm_api.get(url).status_code == 403, url


def test_unauthenticated_is_401(invoice):
    assert APIClient().get("/api/v1/invoices/").status_code == 401


def test_attendance_reads_but_does_not_write(operator_a_api, invoice, customer, pix_wallet, wallet, branch_a):
    assert operator_a_api.get("/api/v1/invoices/").status_code == 200
    assert operator_a_api.get(f"/api/v1/invoices/{invoice.pk}/pix/").status_code == 200
    assert operator_a_api.get("/api/v1/payments/").status_code == 200
    assert (
        operator_a_api.post(
            "/api/v1/invoices/", invoice_payload(customer, pix_wallet), format="json"
        ).status_code
        == 403
    )
    cancel = operator_a_api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "x"}, format="json")
    assert cancel.status_code == 403
    settle = operator_a_api.post("/api/v1/payments/", {"invoice": invoice.pk}, format="json")
    assert settle.status_code == 403
    upload = operator_a_api.post(
        "/api/v1/cnab-imports/",
        {"wallet": wallet.pk, "file": SimpleUploadedFile("x.RET", b"x")},
        format="multipart",
    )
    assert upload.status_code == 403
    run = operator_a_api.post("/api/v1/billing-runs/", {"period": "2026-12", "branch": branch_a.pk})
    assert run.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "A" and not Payment.objects.exists() and not BillingRun.objects.exists()


def test_reverse_needs_change_payment(operator_a_api, admin_user, invoice):
    payment = payment_create(actor=admin_user, invoice=invoice)
    response = operator_a_api.post(f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    payment.refresh_from_db()
    assert not payment.reversed


def test_branch_scope(finance_api, admin_user, invoice, invoice_b):
    rows = finance_api.get("/api/v1/invoices/").json()["results"]
    assert {row["id"] for row in rows} == {invoice.pk}
    assert finance_api.get(f"/api/v1/invoices/{invoice_b.pk}/").status_code == 404
    assert finance_api.get(f"/api/v1/invoices/{invoice_b.pk}/pix/").status_code == 404
    assert finance_api.get(f"/api/v1/invoices/{invoice_b.pk}/boleto.pdf").status_code == 404
    cancel = finance_api.post(f"/api/v1/invoices/{invoice_b.pk}/cancel/", {"reason": "x"}, format="json")
    assert cancel.status_code == 404
    settle = finance_api.post("/api/v1/payments/", {"invoice": invoice_b.pk}, format="json")
    assert settle.status_code == 400 and "invoice" in settle.json()
    payment_b = payment_create(actor=admin_user, invoice=invoice_b)
    assert finance_api.get(f"/api/v1/payments/{payment_b.pk}/").status_code == 404
    assert finance_api.get(f"/api/v1/payments/{payment_b.pk}/receipt.pdf").status_code == 404
    reverse = finance_api.post(f"/api/v1/payments/{payment_b.pk}/reverse/", {"reason": "x"}, format="json")
    assert reverse.status_code == 404
    assert finance_api.get("/api/v1/payments/").json()["count"] == 0


def test_finance_creates_invoices_of_its_branch_only(finance_api, customer, customer_b, pix_wallet, wallet_b):
    ok = finance_api.post("/api/v1/invoices/", invoice_payload(customer, pix_wallet), format="json")
    assert ok.status_code == 201, ok.json()
    refused = finance_api.post("/api/v1/invoices/", invoice_payload(customer_b, wallet_b), format="json")
    assert refused.status_code == 400 and "customer" in refused.json() and "wallet" in refused.json()


# --- Payments -------------------------------------------------------------------------------


def test_settle_full_then_reverse(finance_api, invoice):
    response = finance_api.post(
        "/api/v1/payments/",
        {"invoice": invoice.pk, "method": "P", "date": today().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= PAYMENT_FIELDS
    assert body["amount"] == "100.00" and body["method"] == "P" and body["reversed"] is False
    assert body["fine"] == "0.00" and body["interest"] == "0.00" and body["discount"] == "0.00"
    assert body["date"] == today().isoformat() and body["invoice"] == invoice.pk
    assert body["operator_name"] == "fabia"
    invoice.refresh_from_db()
    assert invoice.status == "R" and invoice.paid_amount == Decimal("100.00")
    detail = finance_api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert detail["status"] == "R" and detail["paid_date"] == today().isoformat()
    assert detail["color"] == "lightgreen"

    again = finance_api.post("/api/v1/payments/", {"invoice": invoice.pk}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "not_open"

    reverse = finance_api.post(
        f"/api/v1/payments/{body['id']}/reverse/", {"reason": "cheque devolvido"}, format="json"
    )
    assert reverse.status_code == 201, reverse.json()
    reversal = reverse.json()
    assert reversal["reversal_of"] == body["id"] and reversal["amount"] == "100.00"
    assert reversal["reversal_reason"] == "cheque devolvido"
    assert finance_api.get(f"/api/v1/payments/{body['id']}/").json()["reversed"] is True
    invoice.refresh_from_db()
    assert invoice.status == "A" and invoice.paid_amount == 0
    assert Payment.objects.filter(invoice=invoice).count() == 2
    twice = finance_api.post(f"/api/v1/payments/{body['id']}/reverse/", {"reason": "x"}, format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "already_reversed"
    no_reason = finance_api.post(f"/api/v1/payments/{reversal['id']}/reverse/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    listed = finance_api.get(f"/api/v1/payments/?invoice={invoice.pk}&reversal=true").json()["results"]
    assert [row["id"] for row in listed] == [reversal["id"]]


def test_settle_partial_then_rest_late(finance_api, make_invoice):
    invoice = make_invoice(due_date=datetime.date(2026, 12, 10))
    partial = finance_api.post(
        "/api/v1/payments/",
        {"invoice": invoice.pk, "amount": "40.00", "date": "2026-12-05", "method": "D"},
        format="json",
    )
    assert partial.status_code == 201, partial.json()
    invoice.refresh_from_db()
    assert invoice.status == "P" and invoice.balance == Decimal("60.00")
    rest = finance_api.post("/api/v1/payments/", {"invoice": invoice.pk, "date": "2026-12-20"}, format="json")
    assert rest.status_code == 201, rest.json()
    body = rest.json()
    # 60.00 + 2 % fine (1.20) + 1 % a month for 10 days (0.20)
    assert (body["amount"], body["fine"], body["interest"]) == ("61.40", "1.20", "0.20")
    invoice.refresh_from_db()
    assert invoice.status == "R" and invoice.paid_date == datetime.date(2026, 12, 20)
    assert finance_api.get(f"/api/v1/invoices/{invoice.pk}/").json()["color"] == "darkgreen"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "500.00"}, "amount"),
        ({"amount": "-1.00"}, "amount"),
        ({"method": "X"}, "method"),
        ({"date": "2026-13-01"}, "date"),
        ({"invoice": 999999}, "invoice"),
        ({"notes": "pago "}, "notes"),
    ],
)
def test_settle_errors_name_the_field(finance_api, invoice, change, field):
    response = finance_api.post("/api/v1/payments/", {"invoice": invoice.pk, **change}, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Payment.objects.exists()


def test_settle_cancelled_invoice_refused(finance_api, admin_user, invoice):
    invoice_cancel(actor=admin_user, invoice=invoice, reason="x")
    response = finance_api.post("/api/v1/payments/", {"invoice": invoice.pk}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_open"


def test_receipt_pdf(finance_api, admin_user, invoice):
    payment = payment_create(actor=admin_user, invoice=invoice)
    response = finance_api.get(f"/api/v1/payments/{payment.pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- Bank return files ----------------------------------------------------------------------


@pytest.fixture
def sicoob_invoices(make_invoice):
    """Open invoices with the nossos números of CNAB240SICOOB.RET's three payments."""
    invoices = []
    for number in (8, 11, 12):
        inv = make_invoice(due_date=datetime.date(2015, 8, 13), amount="2.00")
        Invoice.objects.filter(pk=inv.pk).update(nosso_numero=number)
        invoices.append(inv)
    return invoices


def upload(client, wallet, data, name="CNAB240SICOOB.RET"):
    return client.post(
        "/api/v1/cnab-imports/",
        {"wallet": wallet.pk, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_cnab_import_settles_once(finance_api, pix_wallet, sicoob_invoices, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = (CNAB_DIR / "CNAB240SICOOB.RET").read_bytes()
    response = upload(finance_api, pix_wallet, data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["summary"] == {"records": 3, "settled": 3, "settled_amount": "6.00", "not_settled": 0}
    assert body["layout"] == "240" and body["bank_code"] == "756" and body["wallet"] == pix_wallet.pk
    assert body["outcomes"] == {"settled": 3, "already": 0, "notfound": 0, "info": 0, "repeated": 0}
    records = finance_api.get(f"/api/v1/cnab-imports/{body['id']}/records/").json()
    assert records["count"] == 3
    assert [(r["line"], r["occurrence"], r["outcome"]) for r in records["results"]] == [
        (3, "06", "settled"),
        (5, "06", "settled"),
        (7, "06", "settled"),
    ]
    assert [r["invoice"] for r in records["results"]] == [inv.pk for inv in sicoob_invoices]
    assert all(r["payment"] for r in records["results"])
    for inv in sicoob_invoices:
        inv.refresh_from_db()
        assert inv.status == "R" and inv.paid_date == datetime.date(2015, 8, 10)

    again = upload(finance_api, pix_wallet, data, name="again.RET")
    assert again.status_code == 400
    assert again.json()["code"] == "already_imported" and "file" in again.json()
    assert Payment.objects.count() == 3 and CnabImport.objects.count() == 1

    listed = finance_api.get("/api/v1/cnab-imports/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]] and "records" not in listed[0]
    detail = finance_api.get(f"/api/v1/cnab-imports/{body['id']}/").json()
    assert detail == body and "records" not in detail  # records are paged at records/
    payments = finance_api.get("/api/v1/payments/?method=B").json()
    assert payments["count"] == 3


def test_cnab_truncated_file_changes_nothing(finance_api, pix_wallet, sicoob_invoices, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = (CNAB_DIR / "CNAB240SICOOB.RET").read_bytes()
    response = upload(finance_api, pix_wallet, data[: len(data) // 2], name="cut.RET")
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert "line 5" in message
    assert not CnabImport.objects.exists() and not Payment.objects.exists()
    assert all(inv.status == "A" for inv in Invoice.objects.all())


def test_cnab_errors_name_the_field(finance_api, pix_wallet, wallet_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    itau = (CNAB_DIR / "CNAB400ITAU.RET").read_bytes()
    other_bank = upload(finance_api, pix_wallet, itau, name="itau.RET")
    assert other_bank.status_code == 400 and "file" in other_bank.json()
    missing = finance_api.post("/api/v1/cnab-imports/", {"wallet": pix_wallet.pk}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    foreign = upload(finance_api, wallet_b, (CNAB_DIR / "CNAB240SICOOB.RET").read_bytes())
    assert foreign.status_code == 400 and "wallet" in foreign.json()
    assert not CnabImport.objects.exists()


# --- Billing runs ---------------------------------------------------------------------------


@pytest.fixture
def billable(active_contract):
    type(active_contract).objects.filter(pk=active_contract.pk).update(
        activation_date=datetime.date(2026, 11, 20), first_billing_date=datetime.date(2026, 12, 10)
    )
    return active_contract


def test_billing_run_twice_creates_once(finance_api, billable, branch_a):
    response = finance_api.post("/api/v1/billing-runs/", {"period": "2026-12", "branch": branch_a.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= RUN_FIGURES | {"id", "period", "branch"}
    assert (body["status"], body["total"], body["processed"], body["created"]) == ("done", 1, 1, 1)
    assert body["errors"] == 0 and body["percent"] == 100
    invoice = Invoice.objects.get()
    assert invoice.kind == "recurring" and invoice.period == "2026-12" and invoice.contract_id == billable.pk
    rows = finance_api.get("/api/v1/invoices/?kind=recurring&period=2026-12").json()["results"]
    assert [row["id"] for row in rows] == [invoice.pk] and rows[0]["contract"] == billable.pk

    second = finance_api.post("/api/v1/billing-runs/", {"period": "2026-12", "branch": branch_a.pk})
    assert second.status_code == 201 and second.json()["created"] == 0
    assert Invoice.objects.count() == 1
    listed = finance_api.get("/api/v1/billing-runs/?period=2026-12").json()
    assert listed["count"] == 2
    detail = finance_api.get(f"/api/v1/billing-runs/{body['id']}/").json()
    assert detail["created"] == 1 and detail["status"] == "done"


def test_billing_run_errors(finance_api, admin_api, branch_b):
    bad = admin_api.post("/api/v1/billing-runs/", {"period": "12/2026"}, format="json")
    assert bad.status_code == 400 and "period" in bad.json()
    # an operator limited to branch A gives one of its branches
    every = finance_api.post("/api/v1/billing-runs/", {"period": "2026-12"}, format="json")
    assert every.status_code == 400 and "branch" in every.json()
    other = finance_api.post("/api/v1/billing-runs/", {"period": "2026-12", "branch": branch_b.pk})
    assert other.status_code == 400 and "branch" in other.json()
    assert not BillingRun.objects.exists()


def test_billing_run_branch_scope(finance_api, admin_api, branch_b):
    run_b = admin_api.post("/api/v1/billing-runs/", {"period": "2026-12", "branch": branch_b.pk}).json()
    run_all = admin_api.post("/api/v1/billing-runs/", {"period": "2026-12"}).json()
    assert finance_api.get("/api/v1/billing-runs/").json()["count"] == 0
    assert finance_api.get(f"/api/v1/billing-runs/{run_b['id']}/").status_code == 404
    assert finance_api.get(f"/api/v1/billing-runs/{run_all['id']}/").status_code == 404
    assert admin_api.get("/api/v1/billing-runs/").json()["count"] == 2


# --- Trust unlock ---------------------------------------------------------------------------


@pytest.fixture
def blocked_contract(active_contract):
    return contract_set_access_status(
        actor=None,
        contract=active_contract,
        access_status=AccessStatus.AUTOMATIC_BLOCK,
        reason="Fatura vencida.",
    )


def test_trust_unlock(finance_api, blocked_contract):
    url = f"/api/v1/contracts/{blocked_contract.pk}/trust-unlock/"
    response = finance_api.post(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["contract"]["id"] == blocked_contract.pk and body["contract"]["access_status"] == "A"
    assert body["trust_until"] == today(3).isoformat()
    again = finance_api.post(url)
    assert again.status_code == 400 and again.json()["code"] == "trust_unlock_refused"
    assert again.json()["detail"]


def test_trust_unlock_forbidden_is_refused_with_reason(admin_api, admin_user, blocked_contract):
    from enlace.billing.services.collection import trust_unlock_forbid

    trust_unlock_forbid(actor=admin_user, contract=blocked_contract)
    response = admin_api.post(f"/api/v1/contracts/{blocked_contract.pk}/trust-unlock/")
    assert response.status_code == 400
    assert response.json()["code"] == "trust_unlock_refused"
    assert response.json()["detail"] == "O desbloqueio de confiança foi proibido para este contrato."
    blocked_contract.refresh_from_db()
    assert blocked_contract.access_status == "CA"


def test_trust_unlock_permissions_and_scope(
    operator_a_api, noperm_api, finance_api, blocked_contract, contract_b
):
    url = f"/api/v1/contracts/{blocked_contract.pk}/trust-unlock/"
    assert operator_a_api.post(url).status_code == 403
    assert noperm_api.post(url).status_code == 403
    assert finance_api.post(f"/api/v1/contracts/{contract_b.pk}/trust-unlock/").status_code == 404
    blocked_contract.refresh_from_db()
    assert blocked_contract.access_status == "CA"


# --- Schema ---------------------------------------------------------------------------------


def test_schema_lists_the_finance_paths(admin_api):
    paths = admin_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert set(paths["/api/v1/invoices/"]) == {"get", "post"}
    assert set(paths["/api/v1/invoices/{id}/"]) == {"get"}
    for sub in ("pix/", "amount-due/", "boleto.pdf"):
        assert set(paths[f"/api/v1/invoices/{{id}}/{sub}"]) == {"get"}
    assert set(paths["/api/v1/invoices/{id}/cancel/"]) == {"post"}
    assert set(paths["/api/v1/payments/"]) == {"get", "post"}
    assert set(paths["/api/v1/payments/{id}/reverse/"]) == {"post"}
    assert set(paths["/api/v1/payments/{id}/receipt.pdf"]) == {"get"}
    assert set(paths["/api/v1/cnab-imports/"]) == {"get", "post"}
    assert "multipart/form-data" in paths["/api/v1/cnab-imports/"]["post"]["requestBody"]["content"]
    assert set(paths["/api/v1/billing-runs/"]) == {"get", "post"}
    assert set(paths["/api/v1/contracts/{id}/trust-unlock/"]) == {"post"}


def test_schema_builds_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    assert '"/api/v1/invoices/{id}/pix/"' in out.getvalue()
