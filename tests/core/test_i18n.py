"""The operator UI speaks pt-BR: every msgid of the code has a translation, and the compiled
catalog is the one of the .po file."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"


def _untranslated(po_path: Path) -> list[str]:
    out = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(po_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(po_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = [line for line in (out + fuzzy).splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    return ids


@pytest.fixture(scope="module")
def gettext_tools():
    if not shutil.which("msgattrib") or not shutil.which("xgettext"):
        require_service("GNU gettext", "msgattrib/xgettext not found (apt-get install gettext)")


def test_catalog_covers_every_message_of_the_code(gettext_tools, tmp_path):
    """Extract the messages of the code afresh into a copy of the catalog: nothing may be untranslated."""
    work = tmp_path / "src"
    for name in ("enlace", "config", "manage.py"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, work / name if src.is_dir() else work)
    shutil.copytree(ROOT / "locale", work / "locale")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "pt_BR", "--no-obsolete", "-v0"],
        cwd=work,
        check=True,
        capture_output=True,
    )
    missing = _untranslated(work / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po")
    assert missing == [], f"untranslated or fuzzy messages (run `make messages` and translate): {missing}"


def test_compiled_catalog_matches_po(gettext_tools, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), (
        "run `make messages` to compile the catalog"
    )


@pytest.mark.django_db
def test_pages_default_to_portuguese(client):
    response = client.get("/login/")
    assert 'lang="pt-br"' in response.content.decode()
    assert "Entrar" in response.content.decode()
