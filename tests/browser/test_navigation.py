"""The operator UI in a real Chromium: every menu entry opens, a branch is added through the form
(G-2 error naming the field, then saved, then its audit trail), and branch scope holds."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enlace.core.models import Branch, ObjectChange
from tests.helpers.browser import log_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/enlace-home.png"


def test_admin_walks_every_menu_entry_and_adds_a_branch(page, admin_user, branch_a):
    log_in(page, "admin")
    expect(page.locator("#nav-menu")).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)

    hrefs = page.eval_on_selector_all("#nav-menu a", "links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 8, hrefs
    for href in hrefs:
        response = page.goto(href)
        assert response.status == 200, href
        assert page.locator("h1").count() >= 1, href
        assert page.locator("h1").first.inner_text().strip(), href
        assert "Internal error" not in page.content() and "Server Error" not in page.content(), href
    assert page.problems.errors == []

    # Adicionar a branch: a leading space in the name is refused naming the field ...
    page.goto(reverse("core:branch_list"))
    page.click("#add-button")
    page.wait_for_url("**/branches/add/")
    page.fill("#id_name", " Norte")
    page.fill("#id_legal_name", "Norte Telecom Ltda")
    page.fill("#id_cnpj", "12.345.678/0001-95")
    page.fill("#id_phone", "(11) 98888-7777")
    pick(page, "id_city", "São Paulo", "São Paulo/SP")  # type-ahead over the 5,570 cities
    page.click("#save-button")
    error = page.locator("#div_name .field-error")
    expect(error).to_be_visible()  # waits for the answer to the POST
    label = page.locator("label[for=id_name]").inner_text().replace("*", "").strip()
    assert label and label in error.inner_text()
    expect(page.locator("#div_name .required-mark")).to_be_visible()  # G-1: the red asterisk
    assert not Branch.objects.filter(name__contains="Norte").exists()

    # ... fixed, it is saved and its detail page opens ...
    page.fill("#id_name", "Norte")
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/branches/\d+/$"))
    assert page.locator("h1").inner_text() == "Norte"
    assert "12.345.678/0001-95" in page.content()
    branch = Branch.objects.get(name="Norte")
    assert branch.cnpj == "12345678000195"

    # ... and its "Alterações" show who created it.
    page.click("#changes-link")
    page.wait_for_url(f"**/branches/{branch.pk}/changes/")
    table = page.locator("#changes-table").inner_text()
    assert "admin" in table and "Norte" in table
    assert ObjectChange.objects.filter(object_id=str(branch.pk), user=admin_user, action="create").exists()
    assert page.problems.errors == []


def test_branch_scope_in_the_browser(page, operator_a, branch_a, branch_b):
    log_in(page, "ana")
    page.goto(reverse("core:branch_list"))
    table = page.locator("#object-table").inner_text()
    assert branch_a.name in table
    assert branch_b.name not in table

    # the quick search (HTMX) does not find it either
    page.fill("#id_q", "Campinas")
    page.wait_for_url(re.compile(r"q=Campinas"))
    page.wait_for_function("!document.querySelector('#object-table').innerText.includes('Matriz')")
    assert branch_b.name not in page.locator("#object-table").inner_text()

    response = page.goto(reverse("core:branch_detail", args=[branch_b.pk]))
    assert response.status == 404
    assert "Página não encontrada" in page.locator("h1").inner_text()

    response = page.goto(reverse("core:user_list"))  # Atendimento does not manage operators
    assert response.status == 403
    assert page.problems.errors == []
