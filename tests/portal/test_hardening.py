"""Portal hardening found in review: the lockout counts an attempt before checking it (parallel
guesses), by /64 for IPv6, and also guards the current password of the change-password form;
"forgot my password" neither floods an inbox nor fails when the mail server is down; a ticket the
provider opened under a hidden subject is not the subscriber's to read."""

from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from enlace.portal import services
from enlace.portal.models import PortalLoginFailure
from tests.portal.conftest import PASSWORD, make_ticket, portal_login

pytestmark = pytest.mark.django_db


def test_lockout_covers_the_whole_ipv6_64(maria):
    for _ in range(3):
        portal_login(Client(), "maria", "errada-123", ip="2001:db8:1:2::1")
    assert PortalLoginFailure.objects.get(ip="2001:db8:1:2::").locked_until is not None
    # same /64 (same subscriber line / host with privacy addresses), next address
    with mock.patch("enlace.portal.services.check_password", return_value=False) as checker:
        r = portal_login(Client(), "maria", "errada-456", ip="2001:db8:1:2::2")
    assert r.status_code == 403, "another address of the same /64 is checked, not refused"
    checker.assert_not_called()


def test_parallel_attempts_cannot_slip_past_the_limit(maria):
    calls = []
    from django.contrib.auth.hashers import check_password as real

    def slow_check(password, encoded):
        calls.append(password)
        # a concurrent request arrives while this one is still hashing
        if len(calls) < 10:
            services.portal_authenticate(
                identifier="maria", password=f"guess-{len(calls)}", ip="203.0.113.50"
            )
        return real(password, encoded)

    with mock.patch("enlace.portal.services.check_password", side_effect=slow_check):
        services.portal_authenticate(identifier="maria", password="guess-0", ip="203.0.113.50")
    assert len(calls) <= 3, f"{len(calls)} passwords checked from one IP with a limit of 3"


def test_forgot_password_sends_one_email_per_interval(maria, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(20):
            client.post(reverse("portal:forgot"), {"login": "maria"}, REMOTE_ADDR="203.0.113.77")
    assert len(mail.outbox) == 1, f"{len(mail.outbox)} reset e-mails sent to maria by one anonymous IP"


def test_forgot_password_with_the_mail_server_down(settings, maria, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    c = Client(raise_request_exception=False)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = c.post(reverse("portal:forgot"), {"login": "nobody"})
    with django_capture_on_commit_callbacks(execute=True):
        known = c.post(reverse("portal:forgot"), {"login": "maria"})
    assert (unknown.status_code, known.status_code) == (302, 302), (unknown.status_code, known.status_code)


def test_current_password_guesses_are_locked_out(maria, maria_web):
    answers = []
    for i in range(4):
        r = maria_web.post(
            reverse("portal:password"),
            {"old_password": f"guess-{i}", "new_password1": "nova-senha-1", "new_password2": "nova-senha-1"},
            REMOTE_ADDR="203.0.113.88",
        )
        answers.append("The current password is wrong." in r.text)
    assert answers == [True, True, True, False]  # the 4th is not even checked
    assert PortalLoginFailure.objects.get(ip="203.0.113.88").locked_until is not None
    # ... and the login form from that address is locked too
    assert portal_login(Client(), "maria", PASSWORD, ip="203.0.113.88").status_code == 403


def test_internal_ticket_under_a_hidden_subject_is_not_shown(maria, maria_web, hidden_subject):
    t = make_ticket(maria, hidden_subject, description="Cliente suspeito de fraude - nao liberar")
    lst = maria_web.get(reverse("portal:tickets"))
    page = maria_web.get(reverse("portal:ticket_detail", args=[t.pk]))
    assert hidden_subject.name not in lst.text
    assert page.status_code == 404


def test_internal_ticket_under_a_visible_subject_shows_no_operator_description(maria, maria_web, subject):
    t = make_ticket(maria, subject, description="Anotação interna do operador")
    page = maria_web.get(reverse("portal:ticket_detail", args=[t.pk]))
    assert page.status_code == 200 and t.protocol in page.text
    assert "Anotação interna do operador" not in page.text


@pytest.mark.django_db(transaction=True)
def test_forgot_password_with_the_mail_server_down_outside_a_transaction(settings, maria):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    c = Client(raise_request_exception=False)
    unknown = c.post(reverse("portal:forgot"), {"login": "nobody"})
    known = c.post(reverse("portal:forgot"), {"login": "maria"})
    assert (unknown.status_code, known.status_code) == (302, 302), (unknown.status_code, known.status_code)
