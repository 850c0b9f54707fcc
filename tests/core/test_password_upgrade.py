"""Argon2id for operators and subscribers (issue 22): an old PBKDF2 hash still logs in and is
replaced by an Argon2id hash at that login (staff through Django's setter, the portal through
``enlace.portal.security.check_portal_password``); a wrong password changes nothing.

The suite hashes with MD5 for speed (``tests/conftest.py``); these tests put the project's own
``PASSWORD_HASHERS`` back."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, identify_hasher
from django.urls import reverse

from config import settings as project_settings
from enlace.customers.models import Customer
from enlace.customers.services import customer_update
from enlace.portal import security

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "s3nha-Forte!"  # noqa: S105 - the personas' password (tests/conftest.py)
PORTAL_PASSWORD = "senha-portal-1"  # noqa: S105 - test credential


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def old_hash(raw: str) -> str:
    """A PBKDF2-SHA256 hash as stored before Argon2id (few iterations: the test stays fast; the
    iterations are read from the hash when it is checked)."""
    return PBKDF2PasswordHasher().encode(raw, "oldsaltoldsalt12", iterations=1000)


def test_the_project_hashes_with_argon2id_and_still_reads_pbkdf2(project_hashers):
    assert project_settings.PASSWORD_HASHERS[0] == "enlace.core.hashers.Argon2idHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project_settings.PASSWORD_HASHERS
    from django.contrib.auth.hashers import make_password

    encoded = make_password("x")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


# --- Staff -------------------------------------------------------------------------------------


def staff_login(client, password):
    return client.post(reverse("login"), {"username": "admin", "password": password})


def test_staff_old_hash_logs_in_and_is_upgraded(project_hashers, client, admin_user):
    admin_user.password = old_hash(STAFF_PASSWORD)
    admin_user.save(update_fields=["password"])

    assert staff_login(client, STAFF_PASSWORD).status_code == 302
    admin_user.refresh_from_db()
    assert identify_hasher(admin_user.password).algorithm == "argon2"
    assert "$argon2id$" in admin_user.password
    assert check_password(STAFF_PASSWORD, admin_user.password)
    # The session opened by this login survives the rehash.
    assert client.get(reverse("core:home")).status_code == 200


def test_staff_wrong_password_keeps_the_old_hash(project_hashers, client, admin_user):
    admin_user.password = old = old_hash(STAFF_PASSWORD)
    admin_user.save(update_fields=["password"])

    assert staff_login(client, "senha-errada").status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.password == old


# --- Portal ------------------------------------------------------------------------------------


@pytest.fixture
def subscriber(customer):
    customer = customer_update(
        actor=None,
        customer=customer,
        portal_login="maria",
        portal_password="x" * 8,
        confirm_duplicate_address=True,
    )
    Customer.objects.filter(pk=customer.pk).update(portal_password=old_hash(PORTAL_PASSWORD))
    customer.refresh_from_db()
    return customer


def portal_login(client, password):
    return client.post(
        reverse("portal:login"), {"login": "maria", "password": password}, REMOTE_ADDR="198.51.100.1"
    )


def test_portal_old_hash_logs_in_and_is_upgraded(project_hashers, client, subscriber):
    updated_at = subscriber.updated_at

    response = portal_login(client, PORTAL_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    subscriber.refresh_from_db()
    assert "$argon2id$" in subscriber.portal_password
    assert check_password(PORTAL_PASSWORD, subscriber.portal_password)
    assert subscriber.updated_at == updated_at  # a rehash is not a change of the record
    # The session opened by this login carries the new hash: it stays valid.
    assert client.get(reverse("portal:home")).status_code == 200
    # The next login checks the Argon2id hash and leaves it alone.
    current = subscriber.portal_password
    assert portal_login(client, PORTAL_PASSWORD).status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.portal_password == current


def test_portal_wrong_password_keeps_the_old_hash(project_hashers, client, subscriber):
    old = subscriber.portal_password

    assert portal_login(client, "errada-123").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.portal_password == old


def test_portal_upgrade_is_one_update_of_the_column(project_hashers, subscriber, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        assert security.check_portal_password(subscriber, PORTAL_PASSWORD)
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith("UPDATE") and '"portal_password"' in sql and "updated_at" not in sql


def test_portal_upgrade_loses_to_a_password_changed_meanwhile(project_hashers, subscriber):
    Customer.objects.filter(pk=subscriber.pk).update(portal_password=old_hash("outra-senha-9"))

    assert security.check_portal_password(subscriber, PORTAL_PASSWORD)  # the copy read before
    subscriber.refresh_from_db()
    assert check_password("outra-senha-9", subscriber.portal_password)
