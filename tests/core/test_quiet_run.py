"""Issue 19 item 9: ``make run`` prints the address and the logins and little else — no Celery
line per task nor kombu's broker warning when tasks run eagerly, no e-mail printed (they go to
files under var/mail/), no demo summary at verbosity 0 — and the README tells about ``PORT``."""

import logging
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_eager_tasks_log_no_trace_and_no_broker_warning():
    assert settings.CELERY_TASK_ALWAYS_EAGER  # the test settings have no broker, like `make run`
    assert logging.getLogger("celery.app.trace").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("kombu.connection").getEffectiveLevel() >= logging.ERROR


def test_make_run_writes_e_mails_to_files_and_prints_the_logins():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") : makefile.index("\nworker:")]
    assert "django.core.mail.backends.filebased.EmailBackend" in makefile
    assert "migrate --noinput --verbosity 0" in run and "seed_demo --if-empty --verbosity 0" in run
    assert "http://$(HOST):$(PORT)/" in run and "admin" in run and "$(DEMO_PASSWORD)" in run
    assert str(settings.EMAIL_FILE_PATH).endswith("mail")


@pytest.mark.django_db
def test_seed_demo_is_silent_at_verbosity_0():
    out = StringIO()
    call_command("seed_demo", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    out = StringIO()
    call_command("seed_demo", "--if-empty", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def test_readme_tells_about_port_and_the_cep_base():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"make run PORT=\d+", readme)
    assert "manage.py import_ceps" in readme and "ViaCEP" in readme
