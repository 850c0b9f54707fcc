"""The régua's invoice e-mail attaches the DANFE-COM when the invoice has an authorised NFCom
(enlace.messaging.attachments), on a real SMTP server (tests/helpers/smtp.py)."""

import datetime

import pytest
from django.utils import timezone

from enlace.contracts.models import BillingType
from enlace.customers.models import Customer
from enlace.fiscal.services import document_issue, document_transmit
from enlace.messaging import services as messaging
from tests.helpers.smtp import smtp_server  # noqa: F401 - the real SMTP server fixture

pytestmark = pytest.mark.django_db


def _attachments(message) -> dict:
    return {
        part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()
    }


def test_invoice_email_attaches_the_danfe(
    smtp_server,  # noqa: F811 - the imported fixture
    admin_user,
    fiscal,
    addressed_customer,
    active_contract,
    make_invoice,
    sefaz,
    django_capture_on_commit_callbacks,
):
    assert active_contract.billing_type == BillingType.EMAIL
    Customer.objects.filter(pk=addressed_customer.pk).update(email="maria@example.com")
    due = timezone.localdate() + datetime.timedelta(days=3)
    with_nfcom = make_invoice(contract=active_contract, due_date=due)
    without_nfcom = make_invoice(contract=active_contract, due_date=due, amount="49.90")
    document = document_transmit(
        document=document_issue(invoice=with_nfcom, actor=admin_user), actor=admin_user
    )
    assert document.status == "authorised"

    with django_capture_on_commit_callbacks(execute=True):
        messaging.daily_run()

    sent = [_attachments(m) for m in smtp_server.messages]
    with_files = [files for files in sent if f"boleto-{with_nfcom.pk}.pdf" in files]
    without_files = [files for files in sent if f"boleto-{without_nfcom.pk}.pdf" in files]
    assert with_files and without_files
    for files in with_files:
        danfe = files[f"DANFE-COM-{document.key}.pdf"]
        assert danfe.startswith(b"%PDF")
    for files in without_files:
        assert not any(name.startswith("DANFE-COM") for name in files)  # no authorised NFCom: only the boleto
