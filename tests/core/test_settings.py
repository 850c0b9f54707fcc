"""Settings come from the environment (ARCHITECTURE rule 7), with safe defaults; .env.example lists them."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from config import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "conn_max_age": db["CONN_MAX_AGE"],
    "options": db.get("OPTIONS", {}), "debug": s.DEBUG, "allowed_hosts": s.ALLOWED_HOSTS,
    "secret_key": s.SECRET_KEY, "eager": s.CELERY_TASK_ALWAYS_EAGER, "broker": s.CELERY_BROKER_URL,
    "cache": s.CACHES["default"]["BACKEND"], "axes_limit": s.AXES_FAILURE_LIMIT,
    "axes_cooloff_hours": s.AXES_COOLOFF_TIME, "static_storage": s.STORAGES["staticfiles"]["BACKEND"],
    "require_services": s.ENLACE_REQUIRE_SERVICES,
}))
"""


def settings_read(tmp_path, **env) -> dict:
    """config.settings as imported by a fresh process with only `env` (and a private var dir) set."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
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


def test_defaults_are_safe_and_local(tmp_path):
    s = settings_read(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "var" / "enlace.sqlite3")
    assert s["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert s["debug"] is False
    assert s["allowed_hosts"] == ["127.0.0.1", "localhost", "[::1]"]
    assert s["eager"] is True and s["broker"] == ""
    assert s["cache"].endswith("LocMemCache")
    assert s["axes_limit"] == 5 and s["axes_cooloff_hours"] == pytest.approx(0.25)
    assert s["static_storage"] == "whitenoise.storage.CompressedStaticFilesStorage"
    assert s["require_services"] is False


def test_generated_secret_key_is_kept_private_and_stable(tmp_path):
    first = settings_read(tmp_path)["secret_key"]
    assert len(first) >= 50
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert settings_read(tmp_path)["secret_key"] == first
    assert settings_read(tmp_path, SECRET_KEY="from-the-environment")["secret_key"] == "from-the-environment"


def test_environment_overrides(tmp_path):
    s = settings_read(
        tmp_path,
        DATABASE_URL="postgres://enlace:pw@db.internal:5432/enlace",
        DEBUG="1",
        ALLOWED_HOSTS="erp.example.net, 10.0.0.5",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        REDIS_URL="redis://127.0.0.1:6379/1",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="30",
        ENLACE_REQUIRE_SERVICES="true",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "enlace"
    assert s["conn_max_age"] == 60
    assert s["debug"] is True
    assert s["allowed_hosts"] == ["erp.example.net", "10.0.0.5"]
    assert s["eager"] is False and s["broker"] == "redis://127.0.0.1:6379/0"
    assert s["cache"].endswith("RedisCache")
    assert s["axes_limit"] == 3 and s["axes_cooloff_hours"] == pytest.approx(0.5)
    assert s["static_storage"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert s["require_services"] is True


def _variables_read_by_settings() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    pattern = (
        r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_list|os\.getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    return set(re.findall(pattern, source))


def test_env_example_lists_every_variable_settings_read():
    names = _variables_read_by_settings()
    assert {"DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL", "DEBUG"} <= names
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert names - documented == set(), "add these to .env.example"


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_foreign_keys():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


S3_PROBE = """
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "class": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": default_storage.bucket_name, "endpoint": default_storage.endpoint_url,
    "location": default_storage.location, "overwrite": default_storage.file_overwrite,
    "signed": default_storage.querystring_auth,
    "url": default_storage.url("customers/1/abc-contrato.pdf"),
}))
"""


def test_s3_storage_is_configured_from_the_environment(tmp_path):
    """ENLACE_STORAGE=s3 turns uploads to an S3-compatible bucket (django-storages + boto3). Only
    the configuration is checked: a signed URL is computed locally, no bucket is contacted."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env = {
        **base,
        "ENLACE_VAR_DIR": str(tmp_path / "var"),
        "ENLACE_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "isp-files",
        "AWS_S3_ENDPOINT_URL": "http://minio.invalid:9000",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_LOCATION": "enlace",
    }
    out = subprocess.run(
        [sys.executable, "-c", S3_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    s = json.loads(out.stdout)
    assert s["class"] == "storages.backends.s3.S3Storage"
    assert (s["bucket"], s["endpoint"], s["location"]) == ("isp-files", "http://minio.invalid:9000", "enlace")
    assert s["overwrite"] is False and s["signed"] is True
    assert s["url"].startswith("http://minio.invalid:9000/isp-files/enlace/customers/1/abc-contrato.pdf?")
    assert "Signature=" in s["url"] or "X-Amz-Signature=" in s["url"]
