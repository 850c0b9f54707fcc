"""Operator login, lockout (django-axes), logout and password change, through the real views.

These post to ``/login/`` instead of using ``client.login()``: django-axes needs the request
(user name + source address) to count failures.
"""

import pytest
from django.conf import settings
from django.urls import reverse

PASSWORD = "s3nha-Forte!"  # the personas' password (tests/conftest.py)


def login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


@pytest.mark.django_db
def test_login_page_is_in_portuguese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'lang="pt-br"' in content
    assert "Entrar" in content  # the button and the title
    assert "Usuário" in content and "Senha" in content  # field labels
    assert 'id="login-form"' in content


@pytest.mark.django_db
def test_login_with_the_right_password_goes_home(client, admin_user):
    response = login(client, "admin", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert 'id="nav-menu"' in home.content.decode()


@pytest.mark.django_db
def test_login_follows_next(client, admin_user):
    response = login(client, "admin", PASSWORD, next=reverse("core:branch_list"))
    assert response["Location"] == reverse("core:branch_list")


@pytest.mark.django_db
def test_login_ignores_next_to_another_site(client, admin_user):
    response = login(client, "admin", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_wrong_password_shows_an_error(client, admin_user):
    response = login(client, "admin", "senha-errada")
    assert response.status_code == 200
    content = response.content.decode()
    assert "senha corretos" in content  # Django: "Por favor, entre com um usuário e senha corretos..."
    assert 'class="alert alert-danger form-errors"' in content
    assert client.get(reverse("core:home")).status_code == 302  # not logged in


@pytest.mark.django_db
def test_inactive_operator_cannot_log_in(client, admin_user):
    admin_user.is_active = False
    admin_user.save()
    response = login(client, "admin", PASSWORD)
    assert response.status_code == 200
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_lockout_after_too_many_failures(client, admin_user, operator_a):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _attempt in range(limit - 1):
        assert login(client, "admin", "senha-errada").status_code == 200
    locked = login(client, "admin", "senha-errada")  # the limit-th failure locks
    assert locked.status_code == 429
    assert 'id="locked-out"' in locked.content.decode()

    # Even the right password is refused now, for this user from this address ...
    response = login(client, "admin", PASSWORD)
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:home")).status_code == 302

    # ... but another operator from the same address still logs in (user name + IP together).
    other = client.__class__()
    assert login(other, "ana", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_behind_a_proxy_is_by_the_real_client(client, admin_user, settings):
    """Behind one trusted proxy every request comes from the proxy's address: the lockout must
    count the client named in X-Forwarded-For (enlace.core.http.client_ip), or one attacker
    would lock every operator out."""
    settings.TRUSTED_PROXY_COUNT = 1

    def attempt(web, password, client_address):
        data = {"username": "admin", "password": password}
        return web.post(reverse("login"), data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=client_address)

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "senha-errada", "203.0.113.66")
    assert attempt(client, PASSWORD, "203.0.113.66").status_code == 429
    assert attempt(client.__class__(), PASSWORD, "198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_success_resets_the_failure_count(client, admin_user):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "admin", "senha-errada")
    assert login(client, "admin", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "admin", "senha-errada").status_code == 200
    assert login(client, "admin", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_logout_is_a_post(admin_web):
    assert admin_web.get(reverse("logout")).status_code == 405  # a link cannot log anyone out
    response = admin_web.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert admin_web.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_the_layout_offers_logout_and_password_change(admin_web):
    content = admin_web.get(reverse("core:home")).content.decode()
    assert f'action="{reverse("logout")}"' in content
    assert f'href="{reverse("password_change")}"' in content
    assert "Sair" in content and "Alterar senha" in content


@pytest.mark.django_db
def test_password_change_flow(client, admin_user):
    assert login(client, "admin", PASSWORD).status_code == 302
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Senha antiga" in page.content.decode()

    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "nao-e-essa",
            "new_password1": "Outra-Senha-77",
            "new_password2": "Outra-Senha-77",
        },
    )
    assert wrong.status_code == 200
    assert "old_password" in wrong.context["form"].errors

    weak = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert weak.status_code == 200
    assert "new_password2" in weak.context["form"].errors

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Outra-Senha-77",
            "new_password2": "Outra-Senha-77",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(response["Location"]).status_code == 200  # still logged in
    admin_user.refresh_from_db()
    assert admin_user.check_password("Outra-Senha-77")

    client.post(reverse("logout"))
    assert login(client, "admin", PASSWORD).status_code == 200  # the old one no longer works
    assert login(client, "admin", "Outra-Senha-77").status_code == 302


@pytest.mark.django_db
def test_password_change_needs_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_logged_in_operator_visiting_login_goes_home(admin_web):
    response = admin_web.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_createsuperuser_noinput_from_environment(monkeypatch, client):
    """Production's first administrator: DJANGO_SUPERUSER_* variables and --noinput."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Outra-s3nha-longa")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    call_command("createsuperuser", "--noinput")
    user = get_user_model().objects.get(username="root")
    assert user.is_superuser and user.check_password("Outra-s3nha-longa")
    response = client.post("/login/", {"username": "root", "password": "Outra-s3nha-longa"})
    assert response.status_code == 302
