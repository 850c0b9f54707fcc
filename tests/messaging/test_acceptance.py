"""Issue 18's acceptance, on a real SMTP server (aiosmtpd, tests/helpers/smtp.py):

- a one-off invoice of a customer whose contract is billed by e-mail arrives with the boleto PDF
  attached, the linha digitável and the PIX code in the text, and shows on the "Mensagens" tab;
- the daily task run twice on a day sends nothing twice;
- a subscriber moved to "Financeiro em atraso" receives the suspension notice with the date;
- with the SMTP server down the messages show as failed after their retries and go out when it is
  back (resend), and a message retried while the server is back goes out by itself (the automatic
  re-queue of failed messages once the server answers again: test_recovery.py).
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from enlace.billing.models import BillingSettings, Invoice
from enlace.billing.services.collection import collection_run
from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create
from enlace.contracts.models import AccessStatus, BillingType, Contract
from enlace.core.models import Wallet
from enlace.customers.services import customer_update
from enlace.messaging import delivery, services, tasks
from enlace.messaging.models import Channel, Event, Message, MessageRule, MessageStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(customer):
    return customer_update(
        actor=None,
        customer=customer,
        email="maria@example.com;financeiro@example.com",
        confirm_duplicate_address=True,
    )


@pytest.fixture
def billed_contract(maria, wallet, active_contract):
    assert active_contract.billing_type == BillingType.EMAIL
    Wallet.objects.filter(pk=wallet.pk).update(pix_key="financeiro@enlace.example")
    wallet.refresh_from_db()
    return active_contract


def _one_off(admin_user, customer, wallet, contract, *, due_in=10, amount="129.90"):
    return invoice_create(
        actor=admin_user,
        customer=customer,
        contract=contract,
        wallet=wallet,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in),
        amount=Decimal(amount),
        description="Instalação",
    )


def _body(message) -> str:
    parts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            parts.append(part.get_payload(decode=True).decode())
    return "\n".join(parts)


def _attachments(message) -> dict:
    return {
        part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()
    }


def test_default_rules_follow_res_765():
    events = set(MessageRule.objects.values_list("event", "days"))
    assert {
        (Event.ISSUED, 0),
        (Event.BEFORE_DUE, 3),
        (Event.DUE_TODAY, 0),
        (Event.OVERDUE, 1),
        (Event.NOTICE, 0),
        (Event.PAYMENT, 0),
    } <= events
    notice = MessageRule.objects.get(event=Event.NOTICE)
    assert "{{ suspension_date }}" in notice.body_text
    assert services.ensure_default_rules() == 0  # never twice


def test_one_off_invoice_arrives_with_boleto_and_shows_on_tab(
    smtp_server,
    admin_user,
    admin_web,
    maria,
    wallet,
    billed_contract,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _one_off(admin_user, maria, wallet, billed_contract)
    invoice.refresh_from_db()
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["To"] == "maria@example.com, financeiro@example.com"
    text = _body(received)
    assert invoice.digitable_line and invoice.pix_payload
    digits = "".join(ch for ch in text if ch.isdigit())
    assert invoice.digitable_line in digits
    assert invoice.pix_payload in text
    assert "R$ 129,90" in text
    files = _attachments(received)
    assert list(files) == [f"boleto-{invoice.pk}.pdf"]
    assert files[f"boleto-{invoice.pk}.pdf"].startswith(b"%PDF")
    message = Message.objects.get()
    assert (message.status, message.channel, message.key) == (
        MessageStatus.SENT,
        Channel.EMAIL,
        f"invoice:{invoice.pk}",
    )

    tab = admin_web.get(reverse("messaging:customer_tab_messages", args=[maria.pk]), HTTP_HX_REQUEST="true")
    assert tab.status_code == 200
    assert f'data-message="{message.pk}"' in tab.content.decode()
    page = admin_web.get(reverse("messaging:invoice_messages", args=[invoice.pk]))
    assert f'data-message="{message.pk}"' in page.content.decode()
    invoice_page = admin_web.get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert reverse("messaging:invoice_messages", args=[invoice.pk]) in invoice_page


def test_printed_billing_and_opt_out_get_no_issue_email(
    smtp_server,
    admin_user,
    maria,
    wallet,
    billed_contract,
    django_capture_on_commit_callbacks,
):
    Contract.objects.filter(pk=billed_contract.pk).update(billing_type=BillingType.PRINTED)
    billed_contract.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _one_off(admin_user, maria, wallet, billed_contract)
    assert smtp_server.messages == []
    Contract.objects.filter(pk=billed_contract.pk).update(billing_type=BillingType.EMAIL)
    billed_contract.refresh_from_db()
    services.preference_save(actor=admin_user, customer=maria, no_email=True, no_sms=False, no_whatsapp=False)
    with django_capture_on_commit_callbacks(execute=True):
        _one_off(admin_user, maria, wallet, billed_contract)
    assert smtp_server.messages == []
    assert not Message.objects.exists()


def test_daily_run_twice_sends_nothing_twice(
    smtp_server,
    admin_user,
    maria,
    wallet,
    billed_contract,
    django_capture_on_commit_callbacks,
):
    # one invoice for each invoice event of the default régua (issued today: the billing run's)
    due_in_3 = _one_off(admin_user, maria, wallet, billed_contract, due_in=3)
    due_today = _one_off(admin_user, maria, wallet, billed_contract, due_in=0)
    overdue = _one_off(admin_user, maria, wallet, billed_contract, due_in=-1)
    Invoice.objects.filter(pk=overdue.pk).update(
        issue_date=timezone.localdate() - datetime.timedelta(days=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = services.daily_run()
    subjects = smtp_server.subjects()
    keys = sorted(Message.objects.values_list("event", "key"))
    assert (Event.BEFORE_DUE, f"invoice:{due_in_3.pk}") in keys
    assert (Event.DUE_TODAY, f"invoice:{due_today.pk}") in keys
    assert (Event.OVERDUE, f"invoice:{overdue.pk}") in keys
    assert (Event.ISSUED, f"invoice:{due_in_3.pk}") in keys  # issued today
    assert (Event.ISSUED, f"invoice:{overdue.pk}") not in keys  # issued 20 days ago
    assert first["queued"] == len(keys) == len(subjects)
    assert Message.objects.filter(status=MessageStatus.SENT).count() == len(keys)

    with django_capture_on_commit_callbacks(execute=True):
        second = services.daily_run()
    assert second["queued"] == 0
    # the beat task (one task per rule, then the catch-up and a send) finds nothing new either
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.daily_messages()["rules"] == 4
    assert smtp_server.subjects() == subjects
    assert Message.objects.count() == len(keys)


def test_suspension_notice_with_the_date(
    smtp_server,
    admin_user,
    maria,
    wallet,
    billed_contract,
    django_capture_on_commit_callbacks,
):
    overdue = _one_off(admin_user, maria, wallet, billed_contract, due_in=-3)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        summary = collection_run(today=today)
    assert summary.notified == 1
    billed_contract.refresh_from_db()
    assert billed_contract.access_status == AccessStatus.OVERDUE
    notice = Message.objects.get(event=Event.NOTICE)
    assert notice.status == MessageStatus.SENT
    assert notice.key == f"contract:{billed_contract.pk}:{today:%Y-%m-%d}"
    suspension = today + datetime.timedelta(days=BillingSettings.load().collection_block_days)
    received = [
        m for m in smtp_server.messages if "suspens" in str(m["Subject"]).lower() or "suspens" in _body(m)
    ]
    assert len(received) == 1
    assert suspension.strftime("%d/%m/%Y") in _body(received[0])
    assert overdue.due_date.strftime("%d/%m/%Y") in _body(received[0])
    # the daily run's catch-up finds the notice already queued
    with django_capture_on_commit_callbacks(execute=True):
        services.daily_run()
    assert Message.objects.filter(event=Event.NOTICE).count() == 1


def test_payment_received_message(
    smtp_server,
    admin_user,
    maria,
    wallet,
    billed_contract,
    django_capture_on_commit_callbacks,
):
    invoice = _one_off(admin_user, maria, wallet, billed_contract)
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_create(actor=admin_user, invoice=invoice)
    message = Message.objects.get(event=Event.PAYMENT)
    assert message.key == f"payment:{payment.pk}"
    assert "R$ 129,90" in message.text
    assert message.status == MessageStatus.SENT


def test_smtp_down_then_back(
    smtp_server,
    settings,
    admin_user,
    maria,
    wallet,
    billed_contract,
    django_capture_on_commit_callbacks,
):
    settings.MESSAGING_MAX_ATTEMPTS = 3
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        first = _one_off(admin_user, maria, wallet, billed_contract)
        second = _one_off(admin_user, maria, wallet, billed_contract, due_in=20)
    rows = {m.invoice_id: m for m in Message.objects.all()}
    assert {rows[first.pk].status, rows[second.pk].status} == {MessageStatus.QUEUED}
    assert rows[first.pk].attempts == 1 and rows[first.pk].last_error
    now = timezone.now()
    # retried with backoff: nothing is due before the delay
    assert delivery.deliver(now=now) == {"sent": 0, "retry": 0, "failed": 0}
    later = now
    for _ in range(2):
        later += datetime.timedelta(hours=1)
        with time_machine.travel(later, tick=False):
            delivery.deliver()
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.FAILED}
    assert smtp_server.messages == []

    smtp_server.start()
    failed = Message.objects.get(invoice=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_resend(actor=admin_user, message=failed)
    failed.refresh_from_db()
    assert failed.status == MessageStatus.SENT and failed.attempts == 1
    assert len(smtp_server.messages) == 1

    # a message still within its retries goes out by itself once the server is back
    Message.objects.filter(invoice=second).update(status=MessageStatus.QUEUED, attempts=1)
    with time_machine.travel(later + datetime.timedelta(hours=1), tick=False):
        assert delivery.deliver()["sent"] == 1
    assert len(smtp_server.messages) == 2
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 2


def test_rerun_after_a_lost_kick_sends_once(
    smtp_server,
    admin_user,
    maria,
    wallet,
    billed_contract,
):
    """Without the after-commit kick (a broker that lost it), the periodic send delivers; a second
    worker finds nothing left."""
    invoice = _one_off(admin_user, maria, wallet, billed_contract)
    services.queue_invoice_issued(invoice, kick=False)
    services.queue_invoice_issued(invoice, kick=False)
    assert Message.objects.count() == 1
    assert delivery.deliver()["sent"] == 1
    assert delivery.deliver()["sent"] == 0
    assert len(smtp_server.messages) == 1


def test_block_and_trust_unlock_messages(
    smtp_server,
    admin_user,
    maria,
    wallet,
    billed_contract,
    django_capture_on_commit_callbacks,
):
    from enlace.billing.services.collection import trust_unlock

    for event in (Event.BLOCKED, Event.TRUST_UNLOCK):
        MessageRule.objects.create(
            name=str(event),
            event=event,
            subject="{{ company_name }}: " + str(event),
            body_text="Contrato {{ contract_id }}; até {{ trust_until }}; suspensão {{ suspension_date }}",
        )
    _one_off(admin_user, maria, wallet, billed_contract, due_in=-3)
    BillingSettings.objects.update_or_create(pk=1, defaults={"collection_block_days": 0})
    with django_capture_on_commit_callbacks(execute=True):
        collection_run()  # notice
    with django_capture_on_commit_callbacks(execute=True):
        collection_run()  # block (0 days after the notice)
    billed_contract.refresh_from_db()
    assert billed_contract.access_status == AccessStatus.AUTOMATIC_BLOCK
    blocked = Message.objects.get(event=Event.BLOCKED)
    assert blocked.status == MessageStatus.SENT and f"Contrato {billed_contract.pk}" in blocked.text
    with django_capture_on_commit_callbacks(execute=True):
        trust_unlock(actor=admin_user, contract=billed_contract)
    trusted = Message.objects.get(event=Event.TRUST_UNLOCK)
    until = timezone.localdate() + datetime.timedelta(days=BillingSettings.load().trust_unlock_days)
    assert until.strftime("%d/%m/%Y") in trusted.text
    assert trusted.status == MessageStatus.SENT
    assert len(smtp_server.messages) == 3  # notice, block, trust unlock


def test_plain_text_parts_are_not_html_escaped(admin_user, maria, wallet, billed_contract):
    from enlace.customers.models import Customer

    Customer.objects.filter(pk=maria.pk).update(name="Padaria D'Ávila & Filhos")
    invoice = _one_off(admin_user, maria, wallet, billed_contract)
    rule = MessageRule.objects.get(event=Event.ISSUED, branch=None)
    rule.body_html = "<p>{{ customer_name }}</p>"
    rendered = services.rule_preview(rule=rule, invoice=invoice)
    assert "Olá, Padaria D'Ávila & Filhos." in rendered.text
    assert rendered.html == "<p>Padaria D&#x27;Ávila &amp; Filhos</p>"
