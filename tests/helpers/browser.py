"""Real-browser test fixtures (loaded by tests/conftest.py for every folder): Playwright for Python driving Debian's Chromium against ``live_server``.

Browsers are never downloaded: the tests use ``/usr/bin/chromium`` (package ``chromium``) and are
skipped when it is missing — or fail, in CI (``ENLACE_REQUIRE_SERVICES``).
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import require_service

# Playwright's sync API keeps an asyncio loop running in the test thread; the ORM calls made by the
# fixtures there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("ENLACE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def chromium(transactional_db):
    """A Chromium for one test.

    Started after the test database is set up and stopped before it is flushed, on purpose: while
    Playwright's sync API runs, its asyncio loop counts as "running" in this thread, and Django then
    hands out separate (context-local) database connections, which are closed before the flush.
    The flush empties every table; post_migrate then restores the reference data (places, roles,
    parameters — ``enlace.core.places.ensure_reference_data``).
    """
    if not CHROMIUM.exists():
        require_service("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            connections.close_all()  # those opened while the loop ran
            browser.close()


class PageProblems:
    """JavaScript errors and failed requests seen by a page (a broken asset or script)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"JS error: {exc}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message):
        # "Failed to load resource" repeats a response already judged by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def _response(self, response):
        # 403/404 pages are opened on purpose; only assets failing or server errors count here.
        if response.status >= 500 or (
            response.status >= 400 and response.request.resource_type != "document"
        ):
            self.errors.append(f"{response.status} {response.url}")


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="pt-BR", viewport={"width": 1366, "height": 860}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    context.close()


def log_in(page, username: str, password: str = "s3nha-Forte!"):  # noqa: S107 - the personas' password
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-button")
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # home


def pick(page, field_id: str, text: str, option_text: str | None = None):
    """Choose in a searchable picker (``core.widgets.PickerSelect``, a Tom Select box): type
    ``text`` and click the option containing ``option_text`` (default: ``text``)."""
    control = page.locator(f"#{field_id}-ts-control")
    control.click()
    control.fill(text)
    option = page.locator(f"#{field_id}-ts-dropdown .option", has_text=option_text or text).first
    option.wait_for()
    option.click()
    page.locator(f"#{field_id}-ts-dropdown").wait_for(state="hidden")


def wait_modal_shown(page, modal_id: str):
    """Wait until a Bootstrap modal has finished opening: a click during its fade-in is ignored by
    Bootstrap (``_isTransitioning``), which made "OK" on the customer's alert flaky."""
    page.locator(f"#{modal_id}").wait_for(state="visible")
    page.wait_for_function(
        """id => {
            const modal = window.bootstrap.Modal.getInstance(document.getElementById(id));
            return modal && modal._isShown && !modal._isTransitioning;
        }""",
        arg=modal_id,
    )
