"""Sales screens: the customer's "Vendas" tab, the global list with filters, the sale form with
items, the closed sale refused in the UI, "Alterar" with its own permission, "Finalizar venda"
with receivables, delete, products, and branch scope."""

from decimal import Decimal

import pytest

from enlace.billing.models import Invoice
from enlace.sales import services
from enlace.sales.models import Product, Sale, SaleStatus

pytestmark = pytest.mark.django_db


def form_data(customer, rows, **extra):
    data = {
        "customer": customer.pk,
        "date": "2026-03-10",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{n}-{key}"] = value
    data.update(extra)
    return data


@pytest.fixture
def sale(admin_user, customer, router_product, visit_product):
    return services.sale_create(
        actor=admin_user,
        customer=customer,
        items=[{"product": router_product}, {"product": visit_product, "quantity": Decimal("2")}],
    )


def test_customer_tab_lists_sales(seller_web, sale, customer):
    response = seller_web.get(f"/customers/{customer.pk}/tab/sales/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-sale="{sale.pk}"' in body and 'id="new-sale"' in body
    page = seller_web.get(f"/customers/{customer.pk}/?tab=sales").content.decode()
    assert 'id="tab-sales"' in page and 'id="tab-files"' in page


def test_new_sale_through_the_form(seller_web, customer, router_product, visit_product, salesperson):
    response = seller_web.get(f"/sales/add/?customer={customer.pk}")
    assert response.status_code == 200
    assert "items-TOTAL_FORMS" in response.content.decode()
    data = form_data(
        customer,
        [
            {"product": router_product.pk, "quantity": "1", "unit_price": "", "discount": ""},
            {"product": visit_product.pk, "quantity": "1.5", "unit_price": "80.00", "discount": "5.00"},
            {"product": "", "quantity": "1", "unit_price": "", "discount": ""},  # blank row: ignored
        ],
        salesperson=salesperson.pk,
    )
    response = seller_web.post("/sales/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sale = Sale.objects.get()
    assert sale.total == Decimal("349.90") + Decimal("120.00") - Decimal("5.00")
    assert sale.items.count() == 2
    assert sale.salesperson == salesperson


def test_form_shows_discount_error(seller_web, customer, router_product):
    data = form_data(
        customer, [{"product": router_product.pk, "quantity": "1", "unit_price": "10", "discount": "11"}]
    )
    response = seller_web.post("/sales/add/", data)
    assert response.status_code == 200
    assert "excede o valor do item" in response.content.decode()
    assert not Sale.objects.exists()


def test_closed_sale_is_not_editable_in_the_ui_until_reopened(seller_web, seller, sale, customer):
    services.sale_finish(actor=seller, sale=sale)
    item = sale.items.order_by("id").first()
    response = seller_web.get(f"/sales/{sale.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/sales/{sale.pk}/"
    page = seller_web.get(f"/sales/{sale.pk}/").content.decode()
    assert 'id="edit-button"' not in page and 'id="finish-button"' not in page
    data = form_data(
        customer,
        [{"id": item.pk, "product": item.product_id, "quantity": "9", "unit_price": "1", "discount": ""}],
        **{"items-INITIAL_FORMS": "1"},
    )
    response = seller_web.post(f"/sales/{sale.pk}/edit/", data)
    assert response.status_code == 200
    assert "A venda está fechada" in response.content.decode()
    item.refresh_from_db()
    assert item.quantity == Decimal("1")
    # "Alterar" → open, then the edit goes through
    response = seller_web.post(f"/sales/{sale.pk}/status/", {"status": "O"})
    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.status == SaleStatus.OPEN
    second = sale.items.order_by("id").last()
    data = form_data(
        customer,
        [
            {"id": item.pk, "product": item.product_id, "quantity": "9", "unit_price": "1", "discount": ""},
            {
                "id": second.pk,
                "product": second.product_id,
                "quantity": "2",
                "unit_price": "80.00",
                "discount": "",
            },
        ],
        **{"items-INITIAL_FORMS": "2"},
    )
    assert seller_web.post(f"/sales/{sale.pk}/edit/", data).status_code == 302
    item.refresh_from_db()
    sale.refresh_from_db()
    assert item.quantity == Decimal("9") and sale.total == Decimal("169.00")


def test_status_change_needs_its_permission(operator_a_web, admin_user, sale):
    services.sale_finish(actor=admin_user, sale=sale)
    # Atendimento reads sales but may not change their status
    assert operator_a_web.get(f"/sales/{sale.pk}/").status_code == 200
    assert 'id="status-button"' not in operator_a_web.get(f"/sales/{sale.pk}/").content.decode()
    assert operator_a_web.post(f"/sales/{sale.pk}/status/", {"status": "O"}).status_code == 403
    sale.refresh_from_db()
    assert sale.status == SaleStatus.CLOSED


def test_finish_with_receivables_shows_them(seller_web, sale, wallet):
    response = seller_web.post(
        f"/sales/{sale.pk}/finish/", {"generate_receivables": "on", "wallet": wallet.pk}
    )
    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.status == SaleStatus.CLOSED and sale.receivables_generated
    invoice = Invoice.objects.get()
    assert invoice.amount == sale.total
    page = seller_web.get(f"/sales/{sale.pk}/").content.decode()
    assert f'data-invoice="{invoice.pk}"' in page
    # finishing twice (after a reopen) generates nothing new
    seller_web.post(f"/sales/{sale.pk}/status/", {"status": "O"})
    seller_web.post(f"/sales/{sale.pk}/finish/", {"generate_receivables": "on", "wallet": wallet.pk})
    assert Invoice.objects.count() == 1


def test_delete_open_sale(seller_web, sale, customer):
    response = seller_web.post(f"/sales/{sale.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/customers/{customer.pk}/?tab=sales")
    assert not Sale.objects.exists()


def test_list_filters(seller_web, admin_user, sale, customer, router_product):
    other = services.sale_create(actor=admin_user, customer=customer, items=[{"product": router_product}])
    services.sale_finish(actor=admin_user, sale=other)
    body = seller_web.get("/sales/?status=C").content.decode()
    assert f"/sales/{other.pk}/" in body and f"/sales/{sale.pk}/" not in body
    body = seller_web.get("/sales/?customer_name=maria").content.decode()
    assert f"/sales/{sale.pk}/" in body
    body = seller_web.get("/sales/?date_after=2099-01-01").content.decode()
    assert f"/sales/{sale.pk}/" not in body and f"/sales/{other.pk}/" not in body
    assert seller_web.get("/sales/?export=csv").status_code == 200


def test_other_branch_sale_is_404(seller_web, admin_user, customer_b, router_product):
    sale = services.sale_create(actor=admin_user, customer=customer_b, items=[{"product": router_product}])
    for url in (f"/sales/{sale.pk}/", f"/sales/{sale.pk}/edit/", f"/customers/{customer_b.pk}/tab/sales/"):
        assert seller_web.get(url, HTTP_HX_REQUEST="true").status_code == 404
    assert f"/sales/{sale.pk}/" not in seller_web.get("/sales/").content.decode()
    assert seller_web.get(f"/sales/add/?customer={customer_b.pk}").status_code == 404


def test_products_crud(seller_web):
    response = seller_web.post(
        "/products/add/", {"name": "ONU GPON", "type": "P", "unit": "UN", "price": "199.00", "active": "on"}
    )
    assert response.status_code == 302
    product = Product.objects.get()
    assert seller_web.get("/products/").status_code == 200
    response = seller_web.post("/products/add/", {"name": " ONU", "type": "P", "unit": "UN", "price": "1"})
    assert response.status_code == 200 and Product.objects.count() == 1
    assert seller_web.get(f"/products/{product.pk}/").status_code == 200


def test_menu_shows_sales(seller_web):
    body = seller_web.get("/").content.decode()
    assert "/sales/" in body and "/products/" in body


def test_form_takes_salesperson_and_condition_from_the_customer(
    seller_web, admin_user, customer, salesperson, three_times
):
    from enlace.customers.services import customer_update

    customer_update(
        actor=admin_user, customer=customer, salesperson=salesperson, payment_condition=three_times
    )
    body = seller_web.get(f"/sales/add/?customer={customer.pk}").content.decode()
    assert f'<option value="{salesperson.pk}" selected>' in body
    assert f'<option value="{three_times.pk}" selected>' in body


def test_status_double_submit_changes_it_once(seller_web, admin_user, sale):
    from enlace.contracts.models import ContractHistory

    services.sale_finish(actor=admin_user, sale=sale)
    page = seller_web.get(f"/sales/{sale.pk}/").content.decode()
    assert 'name="status" value="O"' in page  # the form posts the status it asks for
    entries = ContractHistory.objects.count()
    seller_web.post(f"/sales/{sale.pk}/status/", {"status": "O", "reason": ""})
    response = seller_web.post(f"/sales/{sale.pk}/status/", {"status": "O", "reason": ""}, follow=True)
    sale.refresh_from_db()
    assert sale.status == SaleStatus.OPEN
    assert ContractHistory.objects.count() == entries + 1
    # the first post's success, then the second one's refusal
    assert [m.level_tag for m in response.context["messages"]] == ["success", "error"]


def test_status_post_without_the_status_changes_nothing(seller_web, admin_user, sale):
    services.sale_finish(actor=admin_user, sale=sale)
    response = seller_web.post(f"/sales/{sale.pk}/status/", {"reason": ""}, follow=True)
    sale.refresh_from_db()
    assert sale.status == SaleStatus.CLOSED
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_repeated_item_id_in_the_form_is_a_form_error(seller_web, sale, customer):
    item = sale.items.order_by("id").first()
    total = sale.total
    row = {"id": item.pk, "product": item.product_id, "quantity": "1", "unit_price": "349.90", "discount": ""}
    data = form_data(customer, [row, row], **{"items-INITIAL_FORMS": "2"})
    response = seller_web.post(f"/sales/{sale.pk}/edit/", data)
    assert response.status_code == 200
    assert item.product.name in str(response.context["form"].errors)
    sale.refresh_from_db()
    assert sale.total == total == sale.items_total()
