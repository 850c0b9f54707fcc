"""SMS and WhatsApp through a real local HTTP server standing in for the provider
(tests/helpers/messaging_provider.py): Twilio's Messages API and the generic JSON webhook, their
delivery-status callbacks, permanent and temporary failures, quiet hours and the rate limit."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from enlace.customers.services import customer_update
from enlace.messaging import delivery, services
from enlace.messaging.models import Channel, Event, Message, MessageRule, MessageStatus, MessagingSettings
from enlace.messaging.providers import TwilioProvider

pytestmark = pytest.mark.django_db

SP = zoneinfo.ZoneInfo("America/Sao_Paulo")
DAYTIME = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=SP)
NIGHT = datetime.datetime(2026, 12, 7, 22, 30, tzinfo=SP)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def joana(customer):
    return customer_update(
        actor=None,
        customer=customer,
        mobile_phone="11987654321",
        whatsapp="11912345678",
        confirm_duplicate_address=True,
    )


@pytest.fixture
def notice_rule():
    rule = MessageRule.objects.get(event=Event.NOTICE, branch=None)
    rule.email, rule.sms, rule.whatsapp = False, True, True
    rule.save()
    return rule


def _queue(contract, on=None):
    return services.queue_contract_event(contract, Event.NOTICE, on=on or DAYTIME.date(), kick=False)


@time_machine.travel(DAYTIME, tick=False)
def test_twilio_sms_and_whatsapp_then_delivery_callback(
    twilio_provider, client, joana, contract, notice_rule
):
    ids = _queue(contract)
    assert len(ids) == 2
    assert delivery.deliver() == {"sent": 2, "retry": 0, "failed": 0}
    sent = {r["body"]["To"]: r for r in twilio_provider.requests}
    assert set(sent) == {"+5511987654321", "whatsapp:+5511912345678"}
    sms = sent["+5511987654321"]
    assert sms["path"] == f"/2010-04-01/Accounts/{'AC' + '0' * 32}/Messages.json"
    assert sms["headers"]["Authorization"].startswith("Basic ")
    assert sms["body"]["From"] == "+5511900000000"
    assert sent["whatsapp:+5511912345678"]["body"]["From"] == "whatsapp:+5511900000001"
    assert "suspenso em" in sms["body"]["Body"]
    assert sms["body"]["StatusCallback"] == "http://testserver" + reverse("messaging:callback_twilio")
    message = Message.objects.get(channel=Channel.SMS)
    assert message.status == MessageStatus.SENT and message.provider_id.startswith("SM")

    url = "http://testserver" + reverse("messaging:callback_twilio")
    params = {"MessageSid": message.provider_id, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}
    bad = client.post(url, params, HTTP_X_TWILIO_SIGNATURE="forged")
    assert bad.status_code == 403
    signature = TwilioProvider().signature(url, params)
    ok = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert ok.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.delivered_at


@time_machine.travel(DAYTIME, tick=False)
def test_webhook_adapter_and_callback(webhook_provider, client, joana, contract, notice_rule):
    _queue(contract)
    assert delivery.deliver()["sent"] == 2
    request = webhook_provider.requests[0]
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer webhook-secret"
    assert {r["body"]["channel"] for r in webhook_provider.requests} == {"sms", "whatsapp"}
    message = Message.objects.get(channel=Channel.WHATSAPP)
    assert message.provider_id.startswith("wh-")
    url = reverse("messaging:callback_webhook")
    body = {"id": message.provider_id, "status": "failed", "error": "number not on WhatsApp"}
    assert client.post(url, body, content_type="application/json").status_code == 403
    answer = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer webhook-secret"
    )
    assert answer.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.last_error == "number not on WhatsApp"


@time_machine.travel(DAYTIME, tick=False)
def test_provider_errors_temporary_and_permanent(twilio_provider, joana, contract, notice_rule):
    _queue(contract)
    twilio_provider.fail_with = 503
    assert delivery.deliver() == {"sent": 0, "retry": 2, "failed": 0}
    twilio_provider.fail_with = 400
    Message.objects.update(next_attempt_at=DAYTIME)
    assert delivery.deliver() == {"sent": 0, "retry": 0, "failed": 2}
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.FAILED}


def test_quiet_hours_hold_sms_until_morning(twilio_provider, joana, contract, notice_rule):
    with time_machine.travel(NIGHT, tick=False):
        _queue(contract, on=NIGHT.date())
        message = Message.objects.get(channel=Channel.SMS)
        assert message.next_attempt_at.astimezone(SP) == datetime.datetime(2026, 12, 8, 8, 0, tzinfo=SP)
        assert delivery.deliver()["sent"] == 0
        Message.objects.update(next_attempt_at=NIGHT)  # even when due, nothing goes out at night
        assert delivery.deliver()["sent"] == 0
    assert twilio_provider.requests == []
    with time_machine.travel(datetime.datetime(2026, 12, 8, 8, 1, tzinfo=SP), tick=False):
        assert delivery.deliver()["sent"] == 2


@time_machine.travel(DAYTIME, tick=False)
def test_rate_limit_per_provider(twilio_provider, joana, contract, customer_b, contract_b, notice_rule):
    MessagingSettings.objects.update_or_create(pk=1, defaults={"rate_per_minute": 3})
    customer_update(
        actor=None, customer=customer_b, mobile_phone="19987654321", confirm_duplicate_address=True
    )
    _queue(contract)
    _queue(contract_b)
    assert Message.objects.count() == 4  # joana: SMS + WhatsApp; customer_b: SMS + WhatsApp (mobile)
    assert delivery.deliver()["sent"] == 3
    assert delivery.deliver()["sent"] == 0  # the minute's budget is spent
    with time_machine.travel(DAYTIME + datetime.timedelta(minutes=1), tick=False):
        assert delivery.deliver()["sent"] == 1
    assert len(twilio_provider.requests) == 4


def test_no_provider_queues_no_sms(joana, contract, notice_rule):
    assert _queue(contract) == []


@time_machine.travel(DAYTIME, tick=False)
def test_sms_opt_out(twilio_provider, admin_user, joana, contract, notice_rule):
    services.preference_save(actor=admin_user, customer=joana, no_email=False, no_sms=True, no_whatsapp=False)
    _queue(contract)
    assert list(Message.objects.values_list("channel", flat=True)) == [Channel.WHATSAPP]
