"""Limits on what a subscriber sends through the portal (issue 14, item 7): new tickets and
replies per subscriber per hour, and the size of a description or message. They are counted per
customer (not per session or address), reset as the hour passes, and answered with a message on
the form; nothing is written when a limit refuses."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from enlace.portal import services
from enlace.support.models import Ticket, TicketMessage
from tests.portal.conftest import make_ticket

pytestmark = pytest.mark.django_db


def open_ticket(web, subject, description="Sem internet"):
    return web.post(reverse("portal:ticket_add"), {"subject": subject.pk, "description": description})


def test_new_tickets_per_hour_are_limited_per_subscriber(settings, maria_web, maria, maria_contract, subject):
    settings.PORTAL_TICKETS_PER_HOUR = 2
    # A ticket the ISP opened for her (origin internal) does not count against her.
    make_ticket(maria, subject)
    assert open_ticket(maria_web, subject, "Primeiro").status_code == 302
    assert open_ticket(maria_web, subject, "Segundo").status_code == 302

    refused = open_ticket(maria_web, subject, "Terceiro")
    assert refused.status_code == 200
    assert "most tickets allowed in one hour" in refused.text
    assert not Ticket.objects.filter(description="Terceiro").exists()
    assert services.portal_tickets_left(maria) == 0

    # An hour after the first ones she may open another.
    Ticket.objects.update(opened_at=timezone.now() - datetime.timedelta(minutes=61))
    assert services.portal_tickets_left(maria) == 2
    created = open_ticket(maria_web, subject, "Terceiro")
    assert created.status_code == 302 and "/tickets/" in created.url
    assert Ticket.objects.filter(customer=maria, origin=Ticket.Origin.HOTSITE).count() == 3


def test_another_subscriber_has_their_own_count(
    settings, maria_web, joao_web, maria, maria_contract, joao_contract, subject
):
    settings.PORTAL_TICKETS_PER_HOUR = 1
    assert open_ticket(maria_web, subject).status_code == 302
    assert open_ticket(maria_web, subject).status_code == 200
    assert open_ticket(joao_web, subject).status_code == 302


def test_replies_per_hour_are_limited_over_all_tickets(settings, admin_user, maria_web, maria, subject):
    from enlace.support.services import ticket_message_add

    settings.PORTAL_REPLIES_PER_HOUR = 3
    first, second = make_ticket(maria, subject), make_ticket(maria, subject)
    ticket_message_add(actor=admin_user, ticket=first, text="Resposta do provedor", public=True)  # not hers

    def reply(ticket, text):
        return maria_web.post(reverse("portal:ticket_detail", args=[ticket.pk]), {"text": text})

    for ticket, text in [(first, "um"), (second, "dois"), (first, "três")]:
        assert "#messages" in reply(ticket, text).url
    refused = reply(second, "quatro")
    assert refused.status_code == 200
    assert "most messages allowed in one hour" in refused.text
    assert not TicketMessage.objects.filter(text="quatro").exists()
    TicketMessage.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    accepted = reply(second, "quatro")
    assert accepted.status_code == 302 and "#messages" in accepted.url


def test_description_and_message_size_is_limited(settings, maria_web, maria, maria_contract, subject):
    settings.PORTAL_MESSAGE_MAX_CHARS = 50
    form = maria_web.get(reverse("portal:ticket_add"))
    assert 'maxlength="50"' in form.text

    refused = open_ticket(maria_web, subject, "x" * 51)
    assert refused.status_code == 200
    assert "at most 50 characters (it has 51)" in refused.text
    assert refused.context["form"].errors["description"]
    assert not Ticket.objects.exists()

    # A line break sent as CR LF counts as one character, as the browser's maxlength counts it.
    assert open_ticket(maria_web, subject, "a" * 24 + "\r\n" + "b" * 25).status_code == 302
    ticket = Ticket.objects.get()
    too_long = maria_web.post(reverse("portal:ticket_detail", args=[ticket.pk]), {"text": "y" * 51})
    assert too_long.status_code == 200
    assert too_long.context["form"].errors["text"]
    assert not TicketMessage.objects.filter(by_subscriber=True).exists()
