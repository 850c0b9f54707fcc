"""The automatic recovery of failed messages (``messaging/recovery.py``, beat task
``recover_failed``), on the real SMTP server (aiosmtpd) and the real provider stand-in:

- with the SMTP server down the messages show as failed after their retries, the recovery leaves
  them alone while it is down, and they go out — exactly once — when it is back;
- a re-queued message gets one attempt; the re-queues are capped, spaced (backoff) and limited to
  recent messages whose subject still holds (an unpaid invoice, a contract still in notice);
- a permanent failure (a provider's 4xx) is never re-queued; a temporary one is, after the quiet
  hours.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create
from enlace.contracts.models import AccessStatus, Contract
from enlace.customers.services import customer_update
from enlace.messaging import delivery, recovery, services, tasks
from enlace.messaging.models import Channel, Event, Message, MessageRule, MessageStatus

pytestmark = pytest.mark.django_db

SP = zoneinfo.ZoneInfo("America/Sao_Paulo")
DAYTIME = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=SP)


@pytest.fixture
def maria(customer):
    return customer_update(
        actor=None, customer=customer, email="maria@example.com", confirm_duplicate_address=True
    )


def _one_off(admin_user, customer, wallet, contract, *, due_in=10):
    return invoice_create(
        actor=admin_user,
        customer=customer,
        contract=contract,
        wallet=wallet,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in),
        amount=Decimal("129.90"),
        description="Instalação",
    )


def _fail_all(start: datetime.datetime) -> datetime.datetime:
    """Run the sender past every retry (the server being down): every message ends failed."""
    moment = start
    for _ in range(3):
        moment += datetime.timedelta(hours=1)
        with time_machine.travel(moment, tick=False):
            delivery.deliver()
    return moment


def test_smtp_down_failed_then_sent_once_by_the_recovery_task(
    smtp_server,
    settings,
    admin_user,
    admin_web,
    maria,
    wallet,
    active_contract,
    django_capture_on_commit_callbacks,
):
    settings.MESSAGING_MAX_ATTEMPTS = 3
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _one_off(admin_user, maria, wallet, active_contract)
    message = Message.objects.get(invoice=invoice)
    assert message.status == MessageStatus.QUEUED and message.attempts == 1 and message.last_error
    later = _fail_all(timezone.now())
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3 and message.failed_at and not message.permanent_failure
    assert smtp_server.messages == []

    # still down: the recovery probes the server and leaves the message as it is
    later += datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_failed() == {"requeued": 0}
    message.refresh_from_db()
    assert (message.status, message.recoveries, message.attempts) == (MessageStatus.FAILED, 0, 3)

    # back: the recovery task puts it in the queue and it goes out
    smtp_server.start()
    later += datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_failed() == {"requeued": 1}
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at
    assert (message.recoveries, message.attempts) == (1, 4)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "maria@example.com"
    page = admin_web.get(reverse("messaging:message_detail", args=[message.pk])).content.decode()
    assert 'id="message-recoveries">1<' in page

    # exactly once: the recovery, the periodic send and the daily run find nothing more to send
    later += datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_failed() == {"requeued": 0}
        assert delivery.deliver()["sent"] == 0
        services.daily_run()
    assert len(smtp_server.messages) == 1
    assert Message.objects.filter(invoice=invoice).count() == 1


def test_requeued_message_gets_one_attempt_and_the_requeues_are_capped(
    smtp_server, settings, admin_user, maria, wallet, active_contract
):
    settings.MESSAGING_MAX_ATTEMPTS = 2
    smtp_server.stop()
    invoice = _one_off(admin_user, maria, wallet, active_contract)
    services.queue_invoice_issued(invoice, kick=False)
    _fail_all(timezone.now())
    message = Message.objects.get(invoice=invoice)
    assert message.status == MessageStatus.FAILED
    for number, delay in enumerate(recovery.RECOVERY_DELAYS, start=1):
        smtp_server.start()
        # backoff: not before the delay of this re-queue has passed since the last failure
        with time_machine.travel(message.failed_at + delay - datetime.timedelta(seconds=1), tick=False):
            assert recovery.recover_failed() == []
        with time_machine.travel(message.failed_at + delay, tick=False):
            assert recovery.recover_failed() == [message.pk]
        smtp_server.stop()  # the server answered the probe, then went down again
        with time_machine.travel(message.failed_at + delay, tick=False):
            assert delivery.deliver() == {"sent": 0, "retry": 0, "failed": 1}  # one attempt only
        message.refresh_from_db()
        assert (message.status, message.recoveries) == (MessageStatus.FAILED, number)
    smtp_server.start()
    with time_machine.travel(message.failed_at + datetime.timedelta(days=1), tick=False):
        assert recovery.recover_failed() == []  # the cap
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and smtp_server.messages == []


def test_recovery_skips_old_paid_and_past_messages(
    smtp_server, settings, admin_user, maria, wallet, active_contract
):
    settings.MESSAGING_MAX_ATTEMPTS = 1
    smtp_server.stop()
    paid = _one_off(admin_user, maria, wallet, active_contract)
    old = _one_off(admin_user, maria, wallet, active_contract, due_in=20)
    due_today = _one_off(admin_user, maria, wallet, active_contract, due_in=0)
    for invoice in (paid, old):
        services.queue_invoice_issued(invoice, kick=False)
    services.daily_run(kick=False)  # the due day's message of ``due_today`` (and its issue e-mail)
    assert delivery.deliver()["failed"] == Message.objects.count() == 4
    payment_create(actor=admin_user, invoice=paid)  # (its "pagamento recebido" is queued after commit)
    Message.objects.filter(invoice=old).update(created_at=timezone.now() - datetime.timedelta(days=3))
    smtp_server.start()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        ids = recovery.recover_failed()
    # only the issue e-mail of the invoice due "today" (now yesterday), still open, recent
    assert list(Message.objects.filter(pk__in=ids).values_list("invoice", "event")) == [
        (due_today.pk, Event.ISSUED)
    ]
    still_failed = set(Message.objects.filter(status=MessageStatus.FAILED).values_list("invoice", "event"))
    assert still_failed == {
        (paid.pk, Event.ISSUED),  # paid meanwhile
        (old.pk, Event.ISSUED),  # older than MESSAGING_RECOVERY_MAX_AGE_HOURS
        (due_today.pk, Event.DUE_TODAY),  # "vence hoje", a day late
    }


def test_manual_resend_resets_the_recovery(
    smtp_server, settings, admin_user, maria, wallet, active_contract, django_capture_on_commit_callbacks
):
    settings.MESSAGING_MAX_ATTEMPTS = 1
    smtp_server.stop()
    invoice = _one_off(admin_user, maria, wallet, active_contract)
    services.queue_invoice_issued(invoice, kick=False)
    delivery.deliver()
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(recoveries=len(recovery.RECOVERY_DELAYS))
    smtp_server.start()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_resend(actor=admin_user, message=message)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert (message.recoveries, message.failed_at, message.attempts) == (0, None, 1)
    assert len(smtp_server.messages) == 1


@pytest.fixture
def sms_notice(customer, contract):
    cache.clear()
    customer_update(actor=None, customer=customer, mobile_phone="11987654321", confirm_duplicate_address=True)
    rule = MessageRule.objects.get(event=Event.NOTICE, branch=None)
    rule.email, rule.sms, rule.whatsapp = False, True, False
    rule.save()
    Contract.objects.filter(pk=contract.pk).update(access_status=AccessStatus.OVERDUE)
    yield contract
    cache.clear()


def test_provider_temporary_failure_recovered_permanent_not(twilio_provider, settings, sms_notice):
    settings.MESSAGING_MAX_ATTEMPTS = 1
    with time_machine.travel(DAYTIME, tick=False):
        services.queue_contract_event(sms_notice, Event.NOTICE, on=DAYTIME.date(), kick=False)
        twilio_provider.fail_with = 503
        assert delivery.deliver()["failed"] == 1
    message = Message.objects.get(channel=Channel.SMS)
    assert not message.permanent_failure
    twilio_provider.fail_with = None
    # at night the re-queued SMS waits for the end of the quiet hours
    night = datetime.datetime(2026, 12, 7, 22, 0, tzinfo=SP)
    with time_machine.travel(night, tick=False):
        assert recovery.recover_failed() == [message.pk]
        assert delivery.deliver()["sent"] == 0
    with time_machine.travel(datetime.datetime(2026, 12, 8, 8, 0, tzinfo=SP), tick=False):
        assert delivery.deliver()["sent"] == 1
    assert len(twilio_provider.requests) == 2  # the failed try, then the one that went out

    # a provider's 4xx is final: never re-queued by itself
    Message.objects.all().delete()
    with time_machine.travel(DAYTIME + datetime.timedelta(days=1), tick=False):
        services.queue_contract_event(sms_notice, Event.NOTICE, on=DAYTIME.date(), kick=False)
        twilio_provider.fail_with = 400
        assert delivery.deliver()["failed"] == 1
        twilio_provider.fail_with = None
    message = Message.objects.get()
    assert message.permanent_failure
    with time_machine.travel(DAYTIME + datetime.timedelta(days=1, hours=2), tick=False):
        assert recovery.recover_failed() == []
