"""The portal's front door (SPEC P-1, K-4, K-5): its own session, login by portal login or
CPF/CNPJ, lockout by source IP, automatic access, first-access password change, password reset by
e-mail link, session expiry, CSRF."""

import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enlace.core import http
from enlace.core.services import parameters_update
from enlace.customers.models import Customer
from enlace.customers.services import customer_update
from enlace.portal import security
from enlace.portal.models import PortalLoginFailure
from tests.portal.conftest import HOME_IP, PASSWORD, open_session, portal_login

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
LOGIN = reverse("portal:login")


def errors_of(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for e in form.non_field_errors()]


# --- Login and session -------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response.url == LOGIN
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert 'id="portal-login-form"' in page.text and "Central do Assinante" in page.text
    assert 'id="portal-auto-button"' in page.text


def test_login_with_portal_login_and_password(maria, client):
    response = portal_login(client, "maria")
    assert response.status_code == 302 and response.url == HOME
    assert security.COOKIE_NAME in response.cookies
    cookie = response.cookies[security.COOKIE_NAME]
    assert cookie["path"] == "/portal/" and cookie["httponly"]
    page = client.get(HOME)
    assert page.status_code == 200 and "Maria Souza" in page.text


def test_wrong_password_and_unknown_login_give_the_same_answer(maria, client):
    wrong = portal_login(client, "maria", "errada-123")
    unknown = portal_login(client, "ninguem", "errada-123")
    assert errors_of(wrong) == errors_of(unknown) == ["Wrong login or password."]
    assert client.get(HOME).status_code == 302


def test_inactive_customer_is_refused(maria, client):
    Customer.objects.filter(pk=maria.pk).update(active=False)
    response = portal_login(client, "maria")
    assert response.status_code == 200
    assert "not active" in errors_of(response)[0]
    assert client.get(HOME).status_code == 302


def test_deactivating_a_customer_ends_their_session(maria, maria_web):
    Customer.objects.filter(pk=maria.pk).update(active=False)
    assert maria_web.get(HOME).status_code == 302


def test_login_by_document_only_when_the_parameter_allows(maria, client):
    assert errors_of(portal_login(client, "529.982.247-25"))  # parameter off
    parameters_update(actor=None, portal_login_by_document=True)
    response = portal_login(client, "529.982.247-25")
    assert response.status_code == 302 and response.url == HOME
    other = Client()
    assert portal_login(other, "52998224725").status_code == 302


def test_staff_and_portal_sessions_do_not_see_each_other(maria, admin_user):
    browser = Client()
    browser.force_login(admin_user)
    assert browser.get(HOME).status_code == 302  # a staff session is no portal session
    portal_login(browser, "maria")
    assert browser.get(HOME).status_code == 200
    assert browser.get("/").status_code == 200  # the staff session is still there
    browser.post(reverse("portal:logout"))
    assert browser.get(HOME).status_code == 302
    assert browser.get("/").status_code == 200  # and survives the portal logout
    fresh = Client()
    portal_login(fresh, "maria")
    assert fresh.get("/").status_code == 302  # a portal session is no staff session


def test_login_rotates_the_session_key(maria, client):
    portal_login(client, "maria", "errada-123")
    client.cookies[security.COOKIE_NAME] = "fixed-by-an-attacker"
    portal_login(client, "maria")
    key = client.cookies[security.COOKIE_NAME].value
    assert key and key != "fixed-by-an-attacker"
    portal_login(client, "maria")
    assert client.cookies[security.COOKIE_NAME].value != key


def test_logout_flushes_the_session(maria, maria_web):
    key = maria_web.cookies[security.COOKIE_NAME].value
    response = maria_web.post(reverse("portal:logout"))
    assert response.status_code == 302 and response.url == LOGIN
    assert maria_web.get(HOME).status_code == 302
    replay = Client()
    replay.cookies[security.COOKIE_NAME] = key
    assert replay.get(HOME).status_code == 302


def test_logout_needs_a_post(maria_web):
    assert maria_web.get(reverse("portal:logout")).status_code == 405


def test_session_expires_after_the_idle_time(maria):
    parameters_update(actor=None, portal_session_minutes=30)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        portal_login(client, "maria")
    with time_machine.travel(start + datetime.timedelta(minutes=20), tick=False):
        assert client.get(HOME).status_code == 200  # activity slides the expiry
    with time_machine.travel(start + datetime.timedelta(minutes=45), tick=False):
        assert client.get(HOME).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=76), tick=False):
        response = client.get(HOME)
        assert response.status_code == 302 and response.url == LOGIN
        page = client.get(LOGIN)
        assert "Your session has ended" in page.text


def test_password_change_elsewhere_ends_other_sessions(maria, maria_web):
    customer_update(actor=None, customer=Customer.objects.get(pk=maria.pk), portal_password="outra-senha-9")
    assert maria_web.get(HOME).status_code == 302


# --- Lockout by source IP ----------------------------------------------------------------------


def test_fourth_attempt_from_the_same_ip_is_refused_without_checking(maria, client):
    for _ in range(3):
        response = portal_login(client, "maria", "errada-123", ip="203.0.113.9")
        assert errors_of(response) == ["Wrong login or password."]
    record = PortalLoginFailure.objects.get(ip="203.0.113.9")
    assert record.failures == 3 and record.locked_until is not None and record.last_login_tried == "maria"
    # the right password now: refused, and the password is never looked at
    with mock.patch("enlace.portal.services.check_password") as checker:
        response = portal_login(client, "maria", PASSWORD, ip="203.0.113.9")
    checker.assert_not_called()
    assert response.status_code == 403
    assert "Too many failed attempts" in errors_of(response)[0]
    assert client.get(HOME).status_code == 302
    # another IP still logs in to the same account
    other = Client()
    assert portal_login(other, "maria", ip="203.0.113.10").status_code == 302
    assert other.get(HOME).status_code == 200


def test_lockout_ends_after_the_period(maria):
    parameters_update(actor=None, portal_lockout_attempts=3, portal_lockout_minutes=30)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            portal_login(client, "maria", "errada-123", ip="203.0.113.9")
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert portal_login(client, "maria", ip="203.0.113.9").status_code == 403
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        response = portal_login(client, "maria", ip="203.0.113.9")
        assert response.status_code == 302
    assert not PortalLoginFailure.objects.filter(ip="203.0.113.9").exists()  # success clears


def test_failures_outside_the_window_do_not_add_up(maria):
    parameters_update(actor=None, portal_lockout_attempts=3, portal_lockout_minutes=30)
    client = Client()
    start = timezone.now()
    for minutes in (0, 20, 40, 60):  # never 3 within 30 minutes
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            response = portal_login(client, "maria", "errada-123", ip="203.0.113.9")
            assert response.status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        assert portal_login(client, "maria", ip="203.0.113.9").status_code == 302


def test_lockout_attempts_follow_the_parameter(maria, client):
    parameters_update(actor=None, portal_lockout_attempts=5)
    for _ in range(4):
        portal_login(client, "maria", "errada-123", ip="203.0.113.9")
    assert portal_login(client, "maria", ip="203.0.113.9").status_code == 302


# --- Client IP behind proxies ------------------------------------------------------------------


class FakeRequest:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "1.2.3.4", "203.0.113.5"),  # no proxy: the header is ignored
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the spoofed entry is skipped
        (2, "10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.3", "198.51.100.7", "10.0.0.3"),  # fewer entries than proxies
        (1, "10.0.0.2", None, "10.0.0.2"),
        (1, "10.0.0.2", "not-an-ip", "10.0.0.2"),
        (0, "::ffff:198.51.100.7", None, "198.51.100.7"),
        (1, "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_client_ip(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert http.client_ip(FakeRequest(remote, forwarded)) == expected


def test_lockout_uses_the_forwarded_ip_behind_a_proxy(settings, maria):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for _ in range(3):
        client.post(
            LOGIN,
            {"login": "maria", "password": "errada-123"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert PortalLoginFailure.objects.filter(ip="203.0.113.9", failures=3).exists()
    other = Client()  # the same proxy, another subscriber
    response = other.post(
        LOGIN,
        {"login": "maria", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert response.status_code == 302


# --- Automatic access (K-5) --------------------------------------------------------------------


def auto(client, ip=HOME_IP):
    return client.post(reverse("portal:auto"), REMOTE_ADDR=ip)


def set_auto(customer, value):
    Customer.objects.filter(pk=customer.pk).update(portal_auto_access=value)


def test_automatic_access_from_the_ip_of_an_open_session(maria, maria_login, client):
    set_auto(maria, "S")
    open_session(maria_login)
    response = auto(client)
    assert response.status_code == 302 and response.url == HOME
    page = client.get(HOME)
    assert page.status_code == 200 and "Maria Souza" in page.text


def test_automatic_access_without_an_open_session_is_refused(maria, maria_login, client):
    set_auto(maria, "S")
    response = auto(client)
    assert response.status_code == 302 and response.url == LOGIN
    assert "not available from this connection" in client.get(LOGIN).text
    assert client.get(HOME).status_code == 302


def test_automatic_access_with_a_closed_session_is_refused(maria, maria_login, client):
    set_auto(maria, "S")
    open_session(maria_login, stopped=True)
    auto(client)
    assert client.get(HOME).status_code == 302


def test_automatic_access_from_another_ip_is_refused(maria, maria_login, client):
    set_auto(maria, "S")
    open_session(maria_login)
    auto(client, ip="100.64.0.11")
    assert client.get(HOME).status_code == 302


def test_automatic_access_from_another_customers_ip_logs_in_that_customer_only(
    maria, maria_login, joao, joao_login, client
):
    set_auto(maria, "S")
    set_auto(joao, "N")
    open_session(maria_login)
    open_session(joao_login, ip="100.64.1.20", suffix="2")
    auto(client, ip="100.64.1.20")  # João's address: João refused automatic access
    assert client.get(HOME).status_code == 302
    auto(client)  # Maria's address
    page = client.get(HOME)
    assert "Maria Souza" in page.text and "João" not in page.text


def test_automatic_access_setting_no_is_refused(maria, maria_login, client):
    set_auto(maria, "N")
    parameters_update(actor=None, portal_auto_access=True)
    open_session(maria_login)
    auto(client)
    assert client.get(HOME).status_code == 302


def test_automatic_access_default_follows_the_global_parameter(maria, maria_login, client):
    set_auto(maria, "P")
    open_session(maria_login)
    auto(client)
    assert client.get(HOME).status_code == 302  # parameter off
    parameters_update(actor=None, portal_auto_access=True)
    auto(client)
    assert client.get(HOME).status_code == 200


def test_automatic_access_behind_a_proxy_uses_the_forwarded_ip(settings, maria, maria_login, client):
    settings.TRUSTED_PROXY_COUNT = 1
    set_auto(maria, "S")
    open_session(maria_login)
    # a client elsewhere writing the subscriber's address into the header: the proxy appends the real one
    client.post(
        reverse("portal:auto"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{HOME_IP}, 198.51.100.7"
    )
    assert client.get(HOME).status_code == 302
    client.post(reverse("portal:auto"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=HOME_IP)
    assert client.get(HOME).status_code == 200


# --- Password at first access, change, reset ---------------------------------------------------


def test_first_access_requires_a_password_change_before_anything(maria, client):
    Customer.objects.filter(pk=maria.pk).update(portal_change_password=True)
    response = portal_login(client, "maria")
    first = reverse("portal:password_first")
    assert response.url == first
    for name in ("portal:home", "portal:invoices", "portal:tickets", "portal:password"):
        assert client.get(reverse(name)).url == first
    short = client.post(first, {"new_password1": "curta", "new_password2": "curta"})
    assert "at least 8 characters" in short.text
    response = client.post(first, {"new_password1": "nova-senha-1", "new_password2": "nova-senha-1"})
    assert response.status_code == 302 and response.url == HOME
    assert client.get(HOME).status_code == 200
    maria.refresh_from_db()
    assert not maria.portal_change_password and check_password("nova-senha-1", maria.portal_password)


def test_change_password_needs_the_current_one(maria, maria_web):
    url = reverse("portal:password")
    wrong = maria_web.post(
        url, {"old_password": "errada", "new_password1": "nova-senha-1", "new_password2": "nova-senha-1"}
    )
    assert "current password is wrong" in wrong.text
    mismatch = maria_web.post(
        url, {"old_password": PASSWORD, "new_password1": "nova-senha-1", "new_password2": "nova-senha-2"}
    )
    assert "do not match" in mismatch.text
    done = maria_web.post(
        url, {"old_password": PASSWORD, "new_password1": "nova-senha-1", "new_password2": "nova-senha-1"}
    )
    assert done.status_code == 302
    assert maria_web.get(HOME).status_code == 200  # this session goes on
    assert portal_login(Client(), "maria", "nova-senha-1").status_code == 302


def reset_link() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+", mail.outbox[0].body).group(0)


def test_forgot_password_sends_a_link_that_works_once(maria, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:forgot"), {"login": "maria"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["maria@example.com"]
    link = reset_link()
    page = client.get(link)
    assert page.status_code == 200 and 'id="portal-reset-form"' in page.text
    short = client.post(link, {"new_password1": "1234567", "new_password2": "1234567"})
    assert "at least 8 characters" in short.text
    done = client.post(link, {"new_password1": "nova-senha-1", "new_password2": "nova-senha-1"})
    assert done.status_code == 302 and done.url == LOGIN
    assert portal_login(Client(), "maria", "nova-senha-1").status_code == 302
    again = client.get(link)  # the password changed: the link is dead
    assert again.status_code == 400 and 'id="reset-invalid"' in again.text
    again = client.post(link, {"new_password1": "outra-senha-2", "new_password2": "outra-senha-2"})
    assert again.status_code == 400
    assert portal_login(Client(), "maria", "outra-senha-2").status_code == 200  # not changed


def test_forgot_password_link_expires(settings, maria, client, django_capture_on_commit_callbacks):
    settings.PORTAL_PASSWORD_RESET_MINUTES = 60
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:forgot"), {"login": "maria"})
    link = reset_link()
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        assert client.get(link).status_code == 400


def test_forgot_password_never_reveals_whether_the_login_exists(
    maria, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("portal:forgot"), {"login": "maria"}, follow=True)
        unknown = client.post(reverse("portal:forgot"), {"login": "ninguem"}, follow=True)
    assert len(mail.outbox) == 1
    flash = re.compile(r'<div class="alert alert-info portal-flash"[^>]*>(.*?)</div>', re.S)
    assert flash.findall(known.text) == flash.findall(unknown.text) != []


def test_tampered_reset_links_are_refused(maria, client):
    assert client.get(reverse("portal:reset", args=["zz", "1-abc"])).status_code == 400
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(maria.pk))
    assert client.get(reverse("portal:reset", args=[uid, "1-abc"])).status_code == 400


# --- CSRF --------------------------------------------------------------------------------------


def test_csrf_is_enforced_on_every_post(maria, maria_login, maria_contract):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"login": "maria", "password": PASSWORD})
    assert response.status_code == 403
    page = client.get(LOGIN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(LOGIN, {"login": "maria", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    for name, args in [
        ("portal:logout", []),
        ("portal:password", []),
        ("portal:ticket_add", []),
        ("portal:trust_unlock", [maria_contract.pk]),
        ("portal:auto", []),
        ("portal:forgot", []),
    ]:
        assert client.post(reverse(name, args=args), {}).status_code == 403, name
    assert client.get(HOME).status_code == 200  # still logged in


# --- Logo ---------------------------------------------------------------------------------------


def test_logo_is_served_from_storage(settings, tmp_path, client):
    from django.core.files.base import ContentFile

    from enlace.portal.models import PortalSettings

    settings.MEDIA_ROOT = tmp_path
    assert client.get(reverse("portal:logo")).status_code == 404
    params = PortalSettings.load()
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
        b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    params.portal_logo.save("logo.png", ContentFile(png), save=True)
    response = client.get(reverse("portal:logo"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    assert 'src="/portal/logo/"' in client.get(LOGIN).text


def test_portal_name_comes_from_the_parameters(client):
    parameters_update(actor=None, portal_name="Minha Central", company_name="Fibra Boa")
    page = client.get(LOGIN)
    assert "Minha Central" in page.text and "Fibra Boa" in page.text


def test_old_failure_rows_are_purged_but_locks_in_force_kept(maria):
    from enlace.portal.tasks import purge_login_failures

    client = Client()
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=2), tick=False):
        portal_login(client, "maria", "errada-123", ip="203.0.113.1")
    for _ in range(3):
        portal_login(client, "maria", "errada-123", ip="203.0.113.2")
    PortalLoginFailure.objects.filter(ip="203.0.113.2").update(
        first_failure_at=start - datetime.timedelta(days=2),
        last_failure_at=start - datetime.timedelta(days=2),
    )
    assert purge_login_failures.delay().get() == 1
    assert list(PortalLoginFailure.objects.values_list("ip", flat=True)) == ["203.0.113.2"]


def test_an_address_in_open_sessions_of_two_customers_is_refused(
    maria, maria_login, joao, joao_login, client
):
    set_auto(maria, "S")
    set_auto(joao, "S")
    open_session(maria_login)
    open_session(joao_login, suffix="2")  # a stale session with the same address
    auto(client)
    assert client.get(HOME).status_code == 302
