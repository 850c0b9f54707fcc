"""Issue 8 in a real Chromium: a Comercial operator sells two products from the customer's
"Vendas" tab, finishes the sale generating its receivables and sees them; an Atendimento
operator uploads a PDF in the "Arquivos" tab, edits its description and downloads it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from enlace.core.models import PaymentCondition
from enlace.customers.apps import register_files_tab
from enlace.customers.models import CustomerFile
from enlace.customers.services import customer_update
from enlace.sales.apps import register_ui
from enlace.sales.models import Product, Sale, SaleStatus
from enlace.sales.services import product_save
from tests.helpers.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def tabs():
    register_ui()  # another test may have replaced the registered tabs in this process
    register_files_tab()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_sell_two_products_finish_and_see_the_receivables(page, seller, admin_user, customer, wallet):
    two_times = PaymentCondition.objects.create(
        name="2x 30/60", instalments=2, first_due_days=30, days_between=30
    )
    customer_update(actor=admin_user, customer=customer, payment_condition=two_times)
    router = product_save(Product(name="Roteador Wi-Fi 6", price=Decimal("349.90")), actor=None)
    visit = product_save(
        Product(name="Visita técnica", type="S", unit="H", price=Decimal("80.00")), actor=None
    )
    log_in(page, "carla")

    page.goto(f"/customers/{customer.pk}/?tab=sales")
    page.locator("#tab-sales-pane").wait_for()
    page.click("#new-sale")
    page.wait_for_url(re.compile(r"/sales/add/\?customer="))
    expect(page.locator("#id_payment_condition")).to_have_value(str(two_times.pk))
    page.select_option("#id_items-0-product", str(router.pk))
    page.select_option("#id_items-1-product", str(visit.pk))
    page.fill("#id_items-1-quantity", "2")
    page.fill("#id_items-1-discount", "10.00")
    page.click("#add-item")
    expect(page.locator("#item-rows tr")).to_have_count(3)  # a third blank row, left blank
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/sales/\d+/$"))
    expect(page.locator("#sale-items tbody tr")).to_have_count(2)
    expect(page.locator("#sale-total")).to_contain_text("499,90")

    expect(page.locator("#id_generate_receivables")).to_be_checked()
    expect(page.locator("#id_wallet")).to_have_value(str(wallet.pk))
    page.click("#finish-button")
    expect(page.locator("#sale-status")).to_have_attribute("data-status", "C")
    rows = page.locator("#receivables tbody tr.invoice-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("249,95")
    expect(rows.nth(1)).to_contain_text("249,95")
    expect(page.locator("#edit-button")).to_have_count(0)
    sale = Sale.objects.get()
    assert sale.status == SaleStatus.CLOSED and sale.receivables.count() == 2
    assert page.problems.errors == []


def test_upload_edit_and_download_a_pdf(page, operator_a, customer, media, tmp_path):
    source = tmp_path / "Contrato assinado.pdf"
    source.write_bytes(PDF)
    log_in(page, "ana")

    page.goto(f"/customers/{customer.pk}/?tab=files")
    page.locator("#tab-files-pane").wait_for()
    page.click("#upload-file")
    page.fill("#id_description", "Contrato de permanência")
    page.set_input_files("#id_file", str(source))
    page.click("#save-button")
    page.wait_for_url("**?tab=files")
    row = page.locator("#files tbody tr[data-file]")
    expect(row).to_have_count(1)
    expect(row.locator(".file-description")).to_have_text("Contrato de permanência")

    row.locator(".file-edit").click()
    page.fill("#id_description", "Contrato de permanência assinado")
    page.click("#save-button")
    page.wait_for_url("**?tab=files")
    expect(page.locator("#files .file-description")).to_have_text("Contrato de permanência assinado")

    with page.expect_download() as info:
        page.locator("#files .file-download").click()
    download = info.value
    assert download.suggested_filename == "Contrato_assinado.pdf"
    target = tmp_path / "downloaded.pdf"
    download.save_as(target)
    assert target.read_bytes() == PDF
    assert CustomerFile.objects.get().description == "Contrato de permanência assinado"
    assert page.problems.errors == []
