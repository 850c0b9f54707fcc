"""Throttling (issue 14, item 7): API requests per token with 429 + Retry-After in the API's
error format; the staff login locked per source IP across user names (password spraying); the
change-password form counting wrong current passwords. The portal's limits are in
tests/portal/test_limits.py."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from enlace.api.throttling import AnonRateThrottle, parse_rate

PASSWORD = "s3nha-Forte!"  # the personas' password (tests/conftest.py)
# Twenty seconds into a minute: a fixed window of one minute has 40 s left.
INSTANT = datetime.datetime(2030, 3, 11, 12, 0, 20, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    cache.clear()
    with time_machine.travel(INSTANT, tick=False):
        yield
    cache.clear()


def test_parse_rate():
    assert parse_rate("600/minute") == (600, 60)
    assert parse_rate("10/s") == (10, 1)
    assert parse_rate("5000/day") == (5000, 86400)
    assert parse_rate("") is None


# --- API -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_requests_are_limited_per_token(settings, frozen, admin_api, operator_a_api):
    settings.API_THROTTLE_RATE = "3/minute"
    url = reverse("api:branch-list")
    for _request in range(3):
        assert admin_api.get(url).status_code == 200

    refused = admin_api.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    body = refused.json()
    assert body["code"] == "throttled" and body["retry_after"] == 40 and body["detail"]

    # Another token has its own count.
    assert operator_a_api.get(url).status_code == 200

    # The next window lets the first one in again.
    with time_machine.travel(INSTANT + datetime.timedelta(seconds=40), tick=False):
        assert admin_api.get(url).status_code == 200


@pytest.mark.django_db
def test_a_staff_session_on_the_api_is_counted_per_operator(settings, frozen, admin_web):
    settings.API_THROTTLE_RATE = "2/minute"
    url = reverse("api:branch-list")
    assert [admin_web.get(url).status_code for _request in range(3)] == [200, 200, 429]


class Open(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def get(self, request):
        return Response({})


@pytest.mark.django_db
def test_requests_without_credentials_are_limited_per_address(settings, frozen):
    settings.API_ANON_THROTTLE_RATE = "2/minute"
    factory, view = APIRequestFactory(), Open.as_view()

    def status(address):
        return view(factory.get("/api/v1/open/", REMOTE_ADDR=address)).status_code

    assert [status("203.0.113.5") for _request in range(3)] == [200, 200, 429]
    assert status("198.51.100.9") == 200


# --- Staff login -----------------------------------------------------------------------------------


def login(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_locked(settings, client, admin_user):
    """One or two guesses at each of many user names never reach the per-user-name limit; the
    failures from one address over every user name do (AXES_IP_FAILURE_LIMIT)."""
    assert settings.AXES_IP_FAILURE_LIMIT == 30
    settings.AXES_IP_FAILURE_LIMIT = 12
    sprayer = "203.0.113.66"
    for number in range(11):
        assert login(client, f"user{number}", "Senha123!", sprayer).status_code == 200
    locked = login(client, "user11", "Senha123!", sprayer)  # the 12th failure locks the address
    assert locked.status_code == 429 and 'id="locked-out"' in locked.content.decode()
    # Even a right password is refused from that address now ...
    assert login(client.__class__(), "admin", PASSWORD, sprayer).status_code == 429
    # ... while the operator logs in from anywhere else.
    assert login(client.__class__(), "admin", PASSWORD, "198.51.100.7").status_code == 302


# --- Change password ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_current_passwords_lock_and_log_out(settings, client, admin_user):
    address = "203.0.113.80"
    assert login(client, "admin", PASSWORD, address).status_code == 302
    data = {"old_password": "chute", "new_password1": "Outra-Senha-77", "new_password2": "Outra-Senha-77"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post(reverse("password_change"), data, REMOTE_ADDR=address)
        assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors

    locked = client.post(reverse("password_change"), data, REMOTE_ADDR=address)
    assert locked.status_code == 429 and 'id="locked-out"' in locked.content.decode()
    assert client.get(reverse("core:home"), REMOTE_ADDR=address).status_code == 302  # logged out
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)
    # The guesses counted as failed logins of this operator from this address.
    assert login(client, "admin", PASSWORD, address).status_code == 429
