"""Security headers and caching (issue 14, item 6): Content-Security-Policy without inline
scripts, Permissions-Policy, HSTS over HTTPS, ``Cache-Control: no-store`` on what carries
personal data, X-Forwarded-Proto believed only behind a declared proxy, and CSV exports whose
cells a spreadsheet will not run."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from enlace.core.csvsafe import neutralise
from enlace.core.models import Department

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from config import settings as s
print(json.dumps({
    "proxy_ssl_header": getattr(s, "SECURE_PROXY_SSL_HEADER", None),
    "hsts": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "hsts_subdomains": getattr(s, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False),
    "secure_cookie": getattr(s, "SESSION_COOKIE_SECURE", False),
}))
"""


def settings_read(tmp_path, **env) -> dict:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    base["ENLACE_VAR_DIR"] = str(tmp_path / "var")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


# --- Content-Security-Policy and Permissions-Policy ---------------------------------------------


@pytest.mark.django_db
def test_every_page_has_a_policy_without_inline_scripts(client, admin_web):
    for response in (client.get(reverse("login")), admin_web.get(reverse("core:home"))):
        policy = directives(response)
        assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_has_inline_script_or_event_handler():
    """The policy blocks them: behaviour lives in static/<app>/*.js (data- attributes)."""
    handlers = r"on(?:abort|blur|change|click|dblclick|error|focus\w*|input|key\w+|load|mouse\w+|pointer\w+|reset|select|submit|toggle|unload)"
    inline = re.compile(rf"<script(?![^>]*\bsrc=)[^>]*>|<[a-z][^>]*\s{handlers}\s*=|hx-on|javascript:", re.I)
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "enlace").rglob("*.html")
        for match in inline.finditer(path.read_text())
        if "application/json" not in match.group(0)  # json_script data is not executed
    ]
    assert offenders == []


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_up_script_as_a_file(admin_web):
    page = admin_web.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    js = admin_web.get(script)
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in js.content.decode()


# --- Cache-Control ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_pages_api_answers_and_exports_are_not_stored(admin_web, admin_api):
    for response in (
        admin_web.get(reverse("core:home")),
        admin_web.get(reverse("core:department_list") + "?export=csv"),
        admin_api.get(reverse("api:branch-list")),
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_static_files_keep_their_caching(admin_web):
    static = admin_web.get("/static/core/enlace.js")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


# --- HTTPS and proxies ----------------------------------------------------------------------------


def test_x_forwarded_proto_is_believed_only_behind_a_declared_proxy(tmp_path):
    """TRUSTED_PROXY_COUNT=0 means "nothing proxies": a client could send X-Forwarded-Proto."""
    assert settings_read(tmp_path)["proxy_ssl_header"] is None
    assert settings_read(tmp_path, TRUSTED_PROXY_COUNT="0")["proxy_ssl_header"] is None
    assert settings_read(tmp_path, TRUSTED_PROXY_COUNT="1")["proxy_ssl_header"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_hsts_only_when_served_over_https(tmp_path):
    plain = settings_read(tmp_path)
    assert plain["hsts"] == 0 and plain["secure_cookie"] is False
    https = settings_read(tmp_path, SECURE_COOKIES="1")
    assert https["hsts"] == 31536000 and https["hsts_subdomains"] is False and https["secure_cookie"] is True
    tuned = settings_read(
        tmp_path, SECURE_COOKIES="1", SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="1"
    )
    assert tuned["hsts"] == 600 and tuned["hsts_subdomains"] is True


@pytest.mark.django_db
def test_hsts_header_on_https_requests(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = None
    assert "Strict-Transport-Security" not in client.get(reverse("login"))
    secure = client.get(reverse("login"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    # Without a declared proxy, a forged X-Forwarded-Proto does not make the request "secure".
    forged = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in forged


# --- CSV exports ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+55 11 9", "'+55 11 9"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Maria = Souza", "Maria = Souza"),
        ("-12.50", "-12.50"),  # plain numbers stay numbers
        ("+5511999990000", "+5511999990000"),
        (42, 42),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.django_db
def test_csv_export_neutralises_formulas(admin_web):
    Department.objects.create(name="=cmd|' /C calc'!A0")
    Department.objects.create(name="@SUM(1+1)*cmd")
    Department.objects.create(name="Suporte")
    response = admin_web.get(reverse("core:department_list") + "?export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    names = {row[0] for row in rows[1:]}
    assert {"'=cmd|' /C calc'!A0", "'@SUM(1+1)*cmd", "Suporte"} <= names
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row)
