"""Issue 19, item 5: every list and form page fits a 1366×768 screen — no horizontal scrolling —
with the demo ISP's data (long names, e-mail lists, every column)."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.helpers.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1366, 768
OVERFLOW = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
#: Nor may a list's table scroll inside its own box (the least needed columns are shown only
#: from 1,400 px up: ``EnlaceTable.wide_columns``).
TABLE = "() => { const t = document.getElementById('object-table'); return t ? [t.scrollWidth, t.clientWidth] : [0, 0]; }"


def _overflow(page, url):
    try:
        response = page.goto(url)
    except PlaywrightTimeout:
        return f"{url}: no answer in time"
    if response.status != 200:
        return f"{url}: HTTP {response.status}"
    scroll, client = page.evaluate(OVERFLOW)
    if scroll > client:
        return f"{url}: {scroll}px > {client}px"
    scroll, client = page.evaluate(TABLE)
    if scroll > client:
        return f"{url}: table {scroll}px > {client}px"
    return None


def test_every_list_and_form_page_fits_1366_pixels(page, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "s3nha-Forte!")
    call_command("seed_demo", stdout=StringIO())
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    log_in(page, "admin")
    lists = page.eval_on_selector_all("#nav-menu a", "links => links.map(a => a.getAttribute('href'))")
    assert len(lists) >= 15, lists
    too_wide, forms = [], []
    for url in ["/", *lists]:
        problem = _overflow(page, url)
        if problem:
            too_wide.append(problem)
        add = page.locator("#add-button")
        if add.count():
            forms.append(add.get_attribute("href"))
    assert len(forms) >= 10, forms
    for url in forms:
        problem = _overflow(page, url)
        if problem:
            too_wide.append(problem)
    assert too_wide == []
