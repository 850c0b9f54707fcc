"""The sales API (SPEC G-5, §14): products; sales with nested items, writable while open; a closed
sale answers 400 with a message; finish/reopen actions with their permissions; branch scope."""

from decimal import Decimal

import pytest

from enlace.billing.models import Invoice
from enlace.sales import services
from enlace.sales.models import Sale, SaleStatus

pytestmark = pytest.mark.django_db


def test_products_resource(seller_api, visit_product):
    response = seller_api.post(
        "/api/v1/products/", {"name": "Cabo UTP", "type": "P", "unit": "M", "price": "2.50"}
    )
    assert response.status_code == 201, response.json()
    assert {"id", "name", "type", "price"} <= set(response.json())
    assert response.json()["price"] == "2.50"
    assert seller_api.post("/api/v1/products/", {"name": "X", "type": "Z", "price": "1"}).status_code == 400
    names = [p["name"] for p in seller_api.get("/api/v1/products/?type=S").json()["results"]]
    assert names == ["Visita técnica"]


def test_create_read_and_patch_an_open_sale(seller_api, customer, router_product, visit_product, salesperson):
    payload = {
        "customer": customer.pk,
        "salesperson": salesperson.pk,
        "items": [
            {"product": router_product.pk, "quantity": "1"},
            {"product": visit_product.pk, "quantity": "2", "unit_price": "75.00", "discount": "10.00"},
        ],
    }
    response = seller_api.post("/api/v1/sales/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {
        "id",
        "customer",
        "contract",
        "status",
        "salesperson",
        "payment_condition",
        "items",
        "total",
    } <= set(body)
    assert body["status"] == "O" and body["total"] == "489.90" and body["branch"] == customer.branch_id
    assert {"product", "quantity", "unit_price", "discount"} <= set(body["items"][0])
    pk = body["id"]
    first = body["items"][0]["id"]
    response = seller_api.patch(
        f"/api/v1/sales/{pk}/", {"items": [{"id": first, "quantity": "3"}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["total"] == "1049.70" and len(response.json()["items"]) == 1
    response = seller_api.patch(f"/api/v1/sales/{pk}/", {"notes": "Entrega na sexta"}, format="json")
    assert response.status_code == 200 and response.json()["total"] == "1049.70"


def test_closed_sale_refuses_changes_until_reopened(seller_api, seller, customer, router_product):
    sale = services.sale_create(actor=seller, customer=customer, items=[{"product": router_product}])
    response = seller_api.post(f"/api/v1/sales/{sale.pk}/finish/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "C"
    item = sale.items.get()
    for method, body in (
        ("patch", {"items": [{"id": item.pk, "quantity": "5"}]}),
        ("patch", {"notes": "x"}),
        ("patch", {"customer": customer.pk}),
    ):
        response = getattr(seller_api, method)(f"/api/v1/sales/{sale.pk}/", body, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "sale_closed" and response.json()["detail"]
    assert seller_api.delete(f"/api/v1/sales/{sale.pk}/").status_code == 400
    item.refresh_from_db()
    assert item.quantity == Decimal("1")
    assert (
        seller_api.post(f"/api/v1/sales/{sale.pk}/reopen/", {"reason": "Troca"}, format="json").status_code
        == 200
    )
    response = seller_api.patch(
        f"/api/v1/sales/{sale.pk}/", {"items": [{"id": item.pk, "quantity": "5"}]}, format="json"
    )
    assert response.status_code == 200 and response.json()["total"] == "1749.50"


def test_status_is_read_only(seller_api, seller, customer, router_product):
    sale = services.sale_create(actor=seller, customer=customer, items=[{"product": router_product}])
    seller_api.patch(f"/api/v1/sales/{sale.pk}/", {"status": "C"}, format="json")
    sale.refresh_from_db()
    assert sale.status == SaleStatus.OPEN


def test_reopen_needs_the_status_permission(operator_a_api, admin_user, customer, router_product):
    sale = services.sale_create(actor=admin_user, customer=customer, items=[{"product": router_product}])
    services.sale_finish(actor=admin_user, sale=sale)
    assert operator_a_api.get(f"/api/v1/sales/{sale.pk}/").status_code == 200
    assert operator_a_api.post(f"/api/v1/sales/{sale.pk}/reopen/", {}, format="json").status_code == 403
    assert operator_a_api.post(f"/api/v1/sales/{sale.pk}/finish/", {}, format="json").status_code == 403


def test_finish_generates_receivables_once(seller_api, seller, customer, router_product, wallet, three_times):
    sale = services.sale_create(
        actor=seller, customer=customer, payment_condition=three_times, items=[{"product": router_product}]
    )
    response = seller_api.post(
        f"/api/v1/sales/{sale.pk}/finish/", {"generate_receivables": True, "wallet": wallet.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    ids = response.json()["receivables"]
    assert len(ids) == 3
    assert sum(Invoice.objects.filter(pk__in=ids).values_list("amount", flat=True)) == Decimal("349.90")
    seller_api.post(f"/api/v1/sales/{sale.pk}/reopen/", {}, format="json")
    response = seller_api.post(
        f"/api/v1/sales/{sale.pk}/finish/", {"generate_receivables": True, "wallet": wallet.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["receivables"] == ids
    assert Invoice.objects.count() == 3


def test_finish_twice_is_400(seller_api, seller, customer, router_product):
    sale = services.sale_create(actor=seller, customer=customer, items=[{"product": router_product}])
    seller_api.post(f"/api/v1/sales/{sale.pk}/finish/", {}, format="json")
    response = seller_api.post(f"/api/v1/sales/{sale.pk}/finish/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_transition"


def test_other_branch_is_404_and_unlisted(seller_api, admin_user, customer_b, router_product):
    sale = services.sale_create(actor=admin_user, customer=customer_b, items=[{"product": router_product}])
    assert seller_api.get(f"/api/v1/sales/{sale.pk}/").status_code == 404
    assert seller_api.get("/api/v1/sales/").json()["count"] == 0
    response = seller_api.post(
        "/api/v1/sales/",
        {"customer": customer_b.pk, "items": [{"product": router_product.pk}]},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()


def test_validation_errors_name_the_field(seller_api, customer, router_product):
    response = seller_api.post("/api/v1/sales/", {"customer": customer.pk, "items": []}, format="json")
    assert response.status_code == 400 and "items" in response.json()
    response = seller_api.post(
        "/api/v1/sales/",
        {"customer": customer.pk, "items": [{"product": router_product.pk, "discount": "999.00"}]},
        format="json",
    )
    assert response.status_code == 400 and "items" in response.json()
    assert not Sale.objects.exists()


def test_filters(seller_api, seller, customer, router_product):
    open_sale = services.sale_create(actor=seller, customer=customer, items=[{"product": router_product}])
    closed = services.sale_create(actor=seller, customer=customer, items=[{"product": router_product}])
    services.sale_finish(actor=seller, sale=closed)
    ids = [s["id"] for s in seller_api.get("/api/v1/sales/?status=C").json()["results"]]
    assert ids == [closed.pk]
    ids = {s["id"] for s in seller_api.get(f"/api/v1/sales/?customer={customer.pk}").json()["results"]}
    assert ids == {open_sale.pk, closed.pk}


def test_a_repeated_item_id_is_400_naming_the_item(seller_api, admin_user, customer, router_product):
    sale = services.sale_create(actor=admin_user, customer=customer, items=[{"product": router_product}])
    item = sale.items.get()
    response = seller_api.patch(
        f"/api/v1/sales/{sale.pk}/", {"items": [{"id": item.pk}, {"id": item.pk}]}, format="json"
    )
    assert response.status_code == 400
    assert router_product.name in str(response.json()["items"])
    sale.refresh_from_db()
    assert sale.total == Decimal("349.90") == sale.items_total()


def test_customer_change_after_receivables_is_400(seller_api, admin_user, customer, router_product, wallet):
    from enlace.customers.services import customer_create

    other = customer_create(
        actor=admin_user, name="Pedro Lima", person_type="F", cpf_cnpj="39053344705", branch=customer.branch
    )
    sale = services.sale_create(actor=admin_user, customer=customer, items=[{"product": router_product}])
    services.sale_finish(actor=admin_user, sale=sale, generate_receivables=True, wallet=wallet)
    services.sale_reopen(actor=admin_user, sale=sale)
    response = seller_api.patch(f"/api/v1/sales/{sale.pk}/", {"customer": other.pk}, format="json")
    assert response.status_code == 400
    sale.refresh_from_db()
    assert sale.customer_id == Invoice.objects.get(sale_link__sale=sale).customer_id == customer.pk


def test_full_discount_on_a_fractional_quantity_is_201(seller_api, customer):
    from enlace.sales.models import Product

    cable = services.product_save(Product(name="Cabo drop", unit="M", price=Decimal("0.09")), actor=None)
    response = seller_api.post(
        "/api/v1/sales/",
        {
            "customer": customer.pk,
            "items": [{"product": cable.pk, "quantity": "2.5", "unit_price": "0.09", "discount": "0.23"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "0.00"
