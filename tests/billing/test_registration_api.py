"""Bank registration through the screens and the API (issue 16): "Gerar remessa" per wallet, the
list of files with their titles, the download (Latin-1 text), ``/api/v1/remittances/``; the
registration status on the invoice page, its filter and API fields; the "segunda via" (new due
date → movement 06 in the next file); the PIX of an overdue invoice (staff, portal, API
``?date=``) and the boleto's "(=) Valor cobrado"; the installation fee billed once with the first
recurring invoice."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from enlace.billing import pix
from enlace.billing.models import Invoice, InvoiceKind, RegistrationStatus, Remittance, WalletRegistration
from enlace.billing.pdf.common import slip_of
from enlace.billing.selectors import invoice_pix
from enlace.billing.services.remittances import remittance_generate
from enlace.billing.services.runs import billing_run_start_and_execute
from enlace.billing.services.second_copy import invoice_change_amount, invoice_second_copy
from enlace.contracts.services import contract_activate, contract_create
from enlace.core.exceptions import ApplicationError
from enlace.core.models import Wallet
from tests.billing.test_registration import BB_CONVENIO, bill_two, give_address, make_bb_wallet, segments

pytestmark = pytest.mark.django_db

D = Decimal
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def wallet(branch_a):
    """A Banco do Brasil CNAB 240 wallet (the contracts of ``contract_data`` use it)."""
    return make_bb_wallet(branch_a)


@pytest.fixture
def addressed(customer, city):
    return give_address(customer, city)


@pytest.fixture
def billed(admin_user, contract_data, addressed):
    return bill_two(admin_user, contract_data)


def test_generate_button_list_detail_and_download(admin_web, wallet, billed):
    page = admin_web.get(reverse("billing:remittance_list"))
    assert page.status_code == 200
    assert reverse("billing:remittance_generate", args=[wallet.pk]) in page.text

    response = admin_web.post(reverse("billing:remittance_generate", args=[wallet.pk]))
    remittance = Remittance.objects.get()
    assert response.status_code == 302 and response.url == remittance.get_absolute_url()

    detail = admin_web.get(remittance.get_absolute_url())
    assert detail.status_code == 200
    assert detail.text.count('data-movement="entry"') == 2
    download = admin_web.get(reverse("billing:remittance_file", args=[remittance.pk]))
    assert download["Content-Type"] == "text/plain; charset=latin-1"
    assert download.content == remittance.file.read()

    again = admin_web.post(reverse("billing:remittance_generate", args=[wallet.pk]), follow=True)
    assert "nada novo a enviar ao banco" in again.text
    assert Remittance.objects.count() == 1


def test_api_remittances(admin_api, wallet, billed):
    created = admin_api.post("/api/v1/remittances/", {"wallet": wallet.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title_count"] == 2 and body["sequence"] == 1
    listed = admin_api.get("/api/v1/remittances/").json()
    assert listed["count"] == 1
    file = admin_api.get(f"/api/v1/remittances/{body['id']}/file/")
    assert file.status_code == 200
    assert file["Content-Type"] == "text/plain; charset=latin-1"
    assert len(segments(file.content, "P")) == 2
    nothing = admin_api.post("/api/v1/remittances/", {"wallet": wallet.pk}, format="json")
    assert nothing.status_code == 200 and nothing.json()["remittance"] is None


def test_api_remittances_of_another_branch(operator_a_api, wallet_b):
    response = operator_a_api.post("/api/v1/remittances/", {"wallet": wallet_b.pk}, format="json")
    assert response.status_code in (400, 403)


def test_registration_on_invoice_page_filter_and_api(admin_web, admin_api, admin_user, wallet, billed):
    remittance_generate(wallet=wallet, actor=admin_user)
    Invoice.objects.filter(pk=billed[1].pk).update(
        registration_status=RegistrationStatus.REJECTED, registration_message="48 – Invalid CEP"
    )
    page = admin_web.get(billed[1].get_absolute_url())
    assert 'data-status="rejected"' in page.text and "48 – Invalid CEP" in page.text
    body = admin_api.get(f"/api/v1/invoices/{billed[1].pk}/").json()
    assert body["registration_status"] == "rejected"
    assert body["registration_message"] == "48 – Invalid CEP"
    rejected = admin_api.get("/api/v1/invoices/", {"registration_status": "rejected"}).json()
    assert [row["id"] for row in rejected["results"]] == [billed[1].pk]
    listing = admin_web.get(reverse("billing:invoice_list"), {"registration_status": "sent"})
    assert listing.status_code == 200
    tab = admin_web.get(
        reverse("billing:customer_tab_finance", args=[billed[1].customer_id]), HTTP_HX_REQUEST="true"
    )
    assert 'data-registration="rejected"' in tab.text


def test_send_again_button_and_api(admin_web, admin_api, admin_user, wallet, billed):
    """A rejected title shows "Send to the bank again" on its page; the button and
    ``POST /api/v1/invoices/{id}/resend-registration/`` put it back in the queue of the next file."""
    remittance_generate(wallet=wallet, actor=admin_user)
    first, second = billed
    page = admin_web.get(first.get_absolute_url())
    assert 'id="resend-registration-button"' not in page.text  # sent, not rejected
    refused = admin_api.post(f"/api/v1/invoices/{first.pk}/resend-registration/")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_transition"

    Invoice.objects.filter(pk__in=[first.pk, second.pk]).update(
        registration_status=RegistrationStatus.REJECTED, registration_message="48 – Invalid CEP"
    )
    page = admin_web.get(first.get_absolute_url())
    assert 'id="resend-registration-button"' in page.text
    response = admin_web.post(reverse("billing:invoice_registration_resend", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.registration_status == RegistrationStatus.PENDING

    body = admin_api.post(f"/api/v1/invoices/{second.pk}/resend-registration/").json()
    assert body["registration_status"] == "pending" and body["registration_message"] == ""
    assert remittance_generate(wallet=wallet, actor=admin_user).sent == 2


def test_second_copy_goes_as_due_date_change(admin_user, admin_api, wallet, billed):
    remittance_generate(wallet=wallet, actor=admin_user)
    invoice = billed[0]
    old_barcode = invoice.barcode
    new_due = timezone.localdate() + datetime.timedelta(days=5)

    response = admin_api.post(
        f"/api/v1/invoices/{invoice.pk}/second-copy/", {"due_date": str(new_due)}, format="json"
    )

    assert response.status_code == 200, response.content
    invoice.refresh_from_db()
    assert invoice.due_date == new_due and invoice.changes == 1
    assert invoice.barcode != old_barcode  # the new boleto follows the new date
    data = remittance_generate(wallet=wallet, actor=admin_user).remittance.file.read()
    (p,) = segments(data, "P")
    assert p[15:17] == "06" and p[77:85] == new_due.strftime("%d%m%Y")
    assert p[37:57].strip() == BB_CONVENIO + str(invoice.nosso_numero).zfill(10)
    # recorded once: nothing new the next time; a second change goes out again
    assert remittance_generate(wallet=wallet, actor=admin_user).remittance is None
    invoice_second_copy(actor=admin_user, invoice=invoice, due_date=new_due + datetime.timedelta(days=1))
    assert remittance_generate(wallet=wallet, actor=admin_user).sent == 1


def test_second_copy_limits(admin_user, admin_web, wallet, billed):
    today = timezone.localdate()
    with pytest.raises(Exception, match="at most 30 days"):
        invoice_second_copy(actor=admin_user, invoice=billed[0], due_date=today + datetime.timedelta(days=31))
    with pytest.raises(Exception, match="past"):
        invoice_second_copy(actor=admin_user, invoice=billed[0], due_date=today - datetime.timedelta(days=1))
    Invoice.objects.filter(pk=billed[1].pk).update(status="C")
    billed[1].refresh_from_db()
    with pytest.raises(ApplicationError):
        invoice_second_copy(actor=admin_user, invoice=billed[1], due_date=today + datetime.timedelta(days=3))
    page = admin_web.get(reverse("billing:invoice_second_copy", args=[billed[0].pk]))
    assert page.status_code == 200
    done = admin_web.post(
        reverse("billing:invoice_second_copy", args=[billed[0].pk]),
        {"due_date": str(today + datetime.timedelta(days=2))},
    )
    assert done.status_code == 302


def test_amount_change_goes_to_the_bank(admin_user, admin_api, admin_web, wallet, billed):
    """Issue 16: an amount change of a title the bank knows goes as movement 47 with the new
    face value, once; the boleto and PIX follow; a due date and an amount changed together give
    two lines; changing back to what the bank has gives none."""
    remittance_generate(wallet=wallet, actor=admin_user)
    invoice = billed[0]
    old_barcode = invoice.barcode

    page = admin_web.get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert 'id="change-amount-button"' in page
    done = admin_web.post(reverse("billing:invoice_change_amount", args=[invoice.pk]), {"amount": "1.234,56"})
    assert done.status_code == 302
    invoice.refresh_from_db()
    assert invoice.amount == D("1234.56") and invoice.changes == 1 and invoice.barcode != old_barcode
    assert invoice.barcode[9:19] == "0000123456"  # the boleto's amount field
    data = remittance_generate(wallet=wallet, actor=admin_user).remittance.file.read()
    (p,) = segments(data, "P")
    assert p[15:17] == "47" and p[85:100] == "000000000123456"
    assert remittance_generate(wallet=wallet, actor=admin_user).remittance is None

    new_due = timezone.localdate() + datetime.timedelta(days=4)
    invoice_second_copy(actor=admin_user, invoice=invoice, due_date=new_due)
    response = admin_api.post(
        f"/api/v1/invoices/{invoice.pk}/change-amount/", {"amount": "150.00"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = remittance_generate(wallet=wallet, actor=admin_user).remittance.file.read()
    assert sorted(p[15:17] for p in segments(data, "P")) == ["06", "47"]

    response = admin_api.post(
        f"/api/v1/invoices/{invoice.pk}/change-amount/", {"amount": "99.00"}, format="json"
    )
    assert response.status_code == 200
    response = admin_api.post(
        f"/api/v1/invoices/{invoice.pk}/change-amount/", {"amount": "150.00"}, format="json"
    )
    assert response.status_code == 200
    assert remittance_generate(wallet=wallet, actor=admin_user).remittance is None  # the bank has 150.00
    invoice.refresh_from_db()
    assert invoice.sent_changes == invoice.changes == 5


def test_amount_change_refusals(admin_user, admin_api, wallet, billed, branch_a):
    response = admin_api.post(
        f"/api/v1/invoices/{billed[0].pk}/change-amount/", {"amount": "0"}, format="json"
    )
    assert response.status_code == 400 and "amount" in response.json()
    Invoice.objects.filter(pk=billed[1].pk).update(paid_amount=D("10.00"), status="P")
    with pytest.raises(ApplicationError):
        invoice_change_amount(actor=admin_user, invoice=billed[1], amount=D("50.00"))
    # Banco do Brasil CNAB 400 has no amount change: a title at the bank is refused.
    Wallet.objects.filter(pk=wallet.pk).update(cnab_layout="400")
    Invoice.objects.filter(pk=billed[0].pk).update(registration_status=RegistrationStatus.SENT)
    billed[0].refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        invoice_change_amount(actor=admin_user, invoice=billed[0], amount=D("50.00"))
    assert refused.value.code == "no_amount_change"


@pytest.fixture
def overdue(admin_user, wallet, addressed):
    """An invoice of 99.90 that fell due 20 days ago, on a wallet with a PIX key (2 %, 1 % a month)."""
    from enlace.billing.services.invoices import invoice_create

    Wallet.objects.filter(pk=wallet.pk).update(pix_key=PIX_KEY)
    wallet.refresh_from_db()
    today = timezone.localdate()
    return invoice_create(
        actor=admin_user,
        customer=addressed,
        wallet=wallet,
        issue_date=today - datetime.timedelta(days=30),
        due_date=today - datetime.timedelta(days=20),
        amount=D("99.90"),
    )


def test_pix_of_an_invoice_20_days_overdue_charges_fine_and_interest(admin_api, admin_web, overdue):
    # fine 2 % of 99.90 = 2.00; interest 1 % a month for 20 days = 0.67; total 102.57
    payload, amount = invoice_pix(overdue)
    assert amount == D("102.57")
    assert pix.parse_brcode(payload).amount == D("102.57")
    assert pix.parse_brcode(overdue.pix_payload).amount == D("99.90")  # the stored one: face value

    body = admin_api.get(f"/api/v1/invoices/{overdue.pk}/pix/").json()
    assert D(body["amount"]) == D("102.57") and pix.parse_brcode(body["payload"]).amount == D("102.57")
    on_due = admin_api.get(f"/api/v1/invoices/{overdue.pk}/pix/", {"date": str(overdue.due_date)}).json()
    assert pix.parse_brcode(on_due["payload"]).amount == D("99.90")

    page = admin_web.get(overdue.get_absolute_url())
    assert payload in page.text

    slip = slip_of(overdue)
    assert slip.charged == "R$ 102,57" or slip.charged.endswith("102,57")
    assert slip.pix_payload == payload


def test_installation_fee_billed_once_with_the_first_invoice(admin_user, contract_data, addressed):
    contract = contract_create(
        actor=admin_user,
        **contract_data(
            installation_fee=D("150.00"),
            installation_instalments=2,
            first_billing_date=datetime.date(2026, 12, 1),
        ),
    )
    contract_activate(actor=admin_user, contract=contract, activation_date=datetime.date(2026, 12, 1))

    billing_run_start_and_execute(actor=admin_user, period="2026-12")
    billing_run_start_and_execute(actor=admin_user, period="2026-12")
    billing_run_start_and_execute(actor=admin_user, period="2027-01")

    fees = list(
        Invoice.objects.filter(contract=contract, installation_instalment__isnull=False).order_by(
            "installation_instalment"
        )
    )
    assert [(i.kind, i.amount, i.due_date) for i in fees] == [
        (InvoiceKind.ONE_OFF, D("75.00"), datetime.date(2026, 12, 10)),
        (InvoiceKind.ONE_OFF, D("75.00"), datetime.date(2027, 1, 10)),
    ]
    assert all(i.nosso_numero and i.barcode for i in fees)
    assert Invoice.objects.filter(contract=contract, kind=InvoiceKind.RECURRING).count() == 2


def test_daily_task(admin_user, wallet, billed):
    from enlace.billing.tasks import daily_remittances

    summary = daily_remittances()
    assert len(summary["files"]) == 1
    assert daily_remittances()["files"] == []


def test_generate_for_a_wallet_of_another_branch_is_404(operator_a_admin_web, wallet_b):
    """``remittances/generate/<wallet>/`` names a wallet, not a remittance: the scope matrix does
    not walk it, so it is checked here."""
    response = operator_a_admin_web.post(reverse("billing:remittance_generate", args=[wallet_b.pk]))
    assert response.status_code == 404
    assert not Remittance.objects.exists()


def test_wallet_registration_settings_from_the_page(admin_web, admin_user, wallet, billed):
    url = reverse("billing:wallet_registration", args=[wallet.pk])
    admin_web.post(url, {"variation": "019"})  # "required" unchecked: not required
    registration = WalletRegistration.objects.get(wallet=wallet)
    assert (registration.required, registration.variation) == (False, "019")
    assert Invoice.objects.get(pk=billed[0].pk).registration_status == RegistrationStatus.NOT_REQUIRED
    admin_web.post(url, {"required": "on", "variation": "019"})
    data = remittance_generate(wallet=wallet, actor=admin_user).remittance.file.read()
    assert data.decode("latin-1")[32:52] == "001234567" + "0014" + "17" + "019" + "  "
    page = admin_web.post(url, {"required": "on", "variation": "19x"}, follow=True)
    assert "até 3 dígitos" in page.text
