"""The webservice token button on the operator's page (issue 20): made by the same service as
``manage.py webservice_token``, shown once, replacing the previous one; only administrators who
may change the operator see and use it."""

import base64
import re

import pytest

from enlace.ixc.models import WebserviceToken

pytestmark = pytest.mark.django_db


def _listar(credentials: str):
    from django.test import Client

    return Client().post(
        "/webservice/v1/cliente",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(credentials.encode()).decode(),
        HTTP_IXCSOFT="listar",
    )


def _credentials(page: str) -> str:
    match = re.search(r'id="webservice-credentials" readonly value="(\d+:[0-9a-f]{64})"', page)
    assert match, page
    return match.group(1)


def test_admin_generates_the_token_on_the_operators_page(admin_web, operator_a):
    page = admin_web.get(f"/operators/{operator_a.pk}/").content.decode()
    assert 'id="webservice-token-button"' in page
    assert "Gerar token do webservice" in page

    answer = admin_web.post(f"/operators/{operator_a.pk}/webservice-token/")
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    first = _credentials(answer.content.decode())
    assert first.startswith(f"{operator_a.pk}:")
    assert "mostradas só desta vez" in answer.content.decode()
    row = WebserviceToken.objects.get(user=operator_a)
    assert first.split(":")[1] not in row.digest  # only the digest is kept
    assert _listar(first).status_code == 200

    # The page no longer shows it; the button now replaces it, and the old token stops working.
    page = admin_web.get(f"/operators/{operator_a.pk}/").content.decode()
    assert first.split(":")[1] not in page and "Substituir token do webservice" in page
    second = _credentials(admin_web.post(f"/operators/{operator_a.pk}/webservice-token/").content.decode())
    assert second != first
    assert _listar(first).status_code == 401
    assert _listar(second).status_code == 200


def test_who_may_generate_it(operator_a_web, operator_a_admin_web, admin_user, operator_a):
    # An operator without the administrators' permission: refused, and no button.
    assert operator_a_web.post(f"/operators/{admin_user.pk}/webservice-token/").status_code == 403
    assert operator_a_web.post(f"/operators/{operator_a.pk}/webservice-token/").status_code == 403
    # A branch-limited administrator cannot make a superuser's token (not among their operators).
    assert operator_a_admin_web.post(f"/operators/{admin_user.pk}/webservice-token/").status_code == 404
    assert operator_a_admin_web.get(f"/operators/{operator_a.pk}/webservice-token/").status_code == 405
    assert not WebserviceToken.objects.exists()
