"""Sales services (SPEC V-1 … V-3): defaults from the customer, exact totals, the closed sale's
immutability, "Alterar" with its own permission and history, "Finalizar venda" generating the
receivables once, delete with audit trail, and the database's own guards."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from enlace.billing.models import Invoice, InvoiceKind
from enlace.contracts.models import ContractHistory
from enlace.core.exceptions import ApplicationError, PermissionDeniedError
from enlace.core.models import ObjectChange
from enlace.customers.services import customer_update
from enlace.sales import services
from enlace.sales.models import Sale, SaleItem, SaleReceivable, SaleStatus

pytestmark = pytest.mark.django_db


def items(*rows):
    return [
        {"product": p, "quantity": Decimal(q), "unit_price": Decimal(u), "discount": Decimal(d)}
        for p, q, u, d in rows
    ]


@pytest.fixture
def sale(admin_user, customer, router_product, visit_product):
    return services.sale_create(
        actor=admin_user,
        customer=customer,
        items=items((router_product, "1", "349.90", "0"), (visit_product, "2", "80.00", "10.00")),
    )


def test_create_computes_total_and_takes_branch_and_defaults_from_the_customer(
    admin_user, customer, router_product, salesperson, three_times
):
    customer_update(
        actor=admin_user, customer=customer, salesperson=salesperson, payment_condition=three_times
    )
    sale = services.sale_create(actor=admin_user, customer=customer, items=[{"product": router_product}])
    assert sale.branch_id == customer.branch_id
    assert sale.salesperson == salesperson
    assert sale.payment_condition == three_times
    assert sale.status == SaleStatus.OPEN
    assert sale.total == Decimal("349.90")  # unit price defaults to the product's
    assert sale.items.get().unit_price == Decimal("349.90")


def test_total_is_exact(sale):
    assert sale.total == Decimal("349.90") + Decimal("160.00") - Decimal("10.00")


def test_item_total_rounds_each_item_half_up():
    assert services.item_total(Decimal("0.333"), Decimal("10.00")) == Decimal("3.33")
    assert services.item_total(Decimal("0.125"), Decimal("1.00")) == Decimal("0.13")
    assert services.item_total(Decimal("3"), Decimal("0.70"), Decimal("2.10")) == Decimal("0.00")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.001"), max_value=Decimal("999"), places=3),
            st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2),
            st.integers(min_value=0, max_value=100),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_total_property_sum_of_cents_never_float(rows):
    built = []
    expected = Decimal("0")
    for quantity, price, percent in rows:
        gross = (quantity * price).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        discount = (gross * percent / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        built.append(SaleItem(quantity=quantity, unit_price=price, discount=discount))
        expected += gross - discount
    total = services.sale_total(built)
    assert total == expected
    assert total >= 0
    assert total == total.quantize(Decimal("0.01"))


def test_contract_must_be_the_customers(admin_user, customer, contract_b, router_product):
    with pytest.raises(ValidationError) as exc:
        services.sale_create(
            actor=admin_user, customer=customer, contract=contract_b, items=[{"product": router_product}]
        )
    assert "contract" in exc.value.message_dict


def test_discount_larger_than_the_item_is_refused(admin_user, customer, router_product):
    with pytest.raises(ValidationError) as exc:
        services.sale_create(
            actor=admin_user, customer=customer, items=items((router_product, "1", "10.00", "10.01"))
        )
    assert "items" in exc.value.message_dict
    assert not Sale.objects.exists()


def test_a_sale_needs_items(admin_user, customer):
    with pytest.raises(ValidationError) as exc:
        services.sale_create(actor=admin_user, customer=customer, items=[])
    assert "items" in exc.value.message_dict


def test_database_refuses_bad_items(sale, router_product):
    for values in (
        {"quantity": Decimal("0")},
        {"discount": Decimal("400.00")},
        {"unit_price": Decimal("-1")},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            SaleItem.objects.create(
                sale=sale,
                product=router_product,
                **{"quantity": 1, "unit_price": Decimal("349.90"), **values},
            )


def test_database_refuses_closed_sale_without_closing_time(sale):
    with pytest.raises(IntegrityError), transaction.atomic():
        Sale.objects.filter(pk=sale.pk).update(status="C")


def test_update_edits_adds_and_removes_items_in_one_go(admin_user, sale, router_product, visit_product):
    first, second = sale.items.order_by("id")
    services.sale_update(
        actor=admin_user,
        sale=sale,
        items=[
            {"id": first.pk, "quantity": Decimal("2")},
            {"product": visit_product, "quantity": Decimal("1")},
        ],
    )
    sale.refresh_from_db()
    rows = list(sale.items.order_by("id"))
    assert [r.pk for r in rows][0] == first.pk and len(rows) == 2
    assert not SaleItem.objects.filter(pk=second.pk).exists()
    assert sale.total == Decimal("699.80") + Decimal("80.00")


def test_update_failure_changes_nothing(admin_user, sale, router_product):
    before = list(sale.items.values_list("id", "quantity"))
    with pytest.raises(ValidationError):
        services.sale_update(
            actor=admin_user,
            sale=sale,
            items=[
                {"product": router_product, "quantity": Decimal("1")},
                {"product": router_product, "quantity": Decimal("-1")},
            ],
        )
    assert list(sale.items.values_list("id", "quantity")) == before


def test_closed_sale_cannot_be_changed_until_reopened(admin_user, sale, router_product):
    services.sale_finish(actor=admin_user, sale=sale)
    item = sale.items.first()
    with pytest.raises(ApplicationError) as exc:
        services.sale_update(actor=admin_user, sale=sale, items=[{"id": item.pk, "quantity": Decimal("5")}])
    assert exc.value.code == "sale_closed"
    with pytest.raises(ApplicationError):
        services.sale_update(actor=admin_user, sale=sale, notes="x")
    with pytest.raises(ApplicationError):
        services.sale_delete(actor=admin_user, sale=sale)
    services.sale_set_status(actor=admin_user, sale=sale, status=SaleStatus.OPEN)
    services.sale_update(actor=admin_user, sale=sale, items=[{"id": item.pk, "quantity": Decimal("5")}])
    item.refresh_from_db()
    assert item.quantity == Decimal("5")


def test_set_status_needs_its_own_permission(operator_a_admin, operator_a, sale, admin_user):
    services.sale_finish(actor=admin_user, sale=sale)
    with pytest.raises(PermissionDeniedError):
        services.sale_set_status(actor=operator_a, sale=sale, status=SaleStatus.OPEN)
    services.sale_set_status(
        actor=operator_a_admin, sale=sale, status=SaleStatus.OPEN, reason="Cliente trocou o item"
    )
    entry = ContractHistory.objects.filter(customer=sale.customer, kind=ContractHistory.Kind.SALE).first()
    assert "Cliente trocou o item" in entry.text
    assert entry.contract is None
    assert entry.operator == operator_a_admin


def test_finish_writes_history_with_the_contract(admin_user, customer, contract, router_product):
    sale = services.sale_create(
        actor=admin_user, customer=customer, contract=contract, items=[{"product": router_product}]
    )
    services.sale_finish(actor=admin_user, sale=sale)
    entry = ContractHistory.objects.get(kind=ContractHistory.Kind.SALE)
    assert entry.contract == contract
    assert "349,90" in entry.text


def test_finish_generates_receivables_by_the_condition_once(admin_user, sale, wallet, three_times):
    services.sale_update(actor=admin_user, sale=sale, payment_condition=three_times)
    today = datetime.date(2026, 3, 10)
    services.sale_finish(actor=admin_user, sale=sale, generate_receivables=True, wallet=wallet, today=today)
    invoices = list(Invoice.objects.filter(sale_link__sale=sale).order_by("due_date"))
    assert [i.due_date for i in invoices] == [
        today + datetime.timedelta(days=30),
        today + datetime.timedelta(days=60),
        today + datetime.timedelta(days=90),
    ]
    assert sum(i.amount for i in invoices) == sale.total == Decimal("499.90")
    assert [i.amount for i in invoices] == [Decimal("166.64"), Decimal("166.63"), Decimal("166.63")]
    assert all(i.kind == InvoiceKind.ONE_OFF and i.customer == sale.customer for i in invoices)
    assert sale.receivables_generated
    # reopen and finish again: nothing new
    services.sale_reopen(actor=admin_user, sale=sale)
    assert Invoice.objects.filter(sale_link__sale=sale).count() == 3  # reopening keeps them
    services.sale_finish(actor=admin_user, sale=sale, generate_receivables=True, wallet=wallet)
    assert Invoice.objects.count() == 3
    # and the database refuses a second receivable for an instalment
    with pytest.raises(IntegrityError), transaction.atomic():
        SaleReceivable.objects.create(sale=sale, invoice=invoices[0], instalment=1)


def test_receivables_wallet_defaults_to_the_contracts(admin_user, customer, contract, router_product):
    sale = services.sale_create(actor=admin_user, customer=customer, items=[{"product": router_product}])
    services.sale_finish(actor=admin_user, sale=sale, generate_receivables=True)
    invoice = Invoice.objects.get()
    assert invoice.wallet == contract.wallet
    assert invoice.amount == Decimal("349.90")
    assert invoice.due_date == timezone.localdate()  # one instalment due today: the sale has no condition


def test_receivables_without_a_wallet_to_use_are_refused(admin_user, sale):
    with pytest.raises(ValidationError) as exc:
        services.sale_finish(actor=admin_user, sale=sale, generate_receivables=True)
    assert "wallet" in exc.value.message_dict
    sale.refresh_from_db()
    assert sale.status == SaleStatus.OPEN  # nothing half done


def test_delete_removes_items_and_is_audited(admin_user, sale):
    item_ids = list(sale.items.values_list("pk", flat=True))
    services.sale_delete(actor=admin_user, sale=sale)
    assert not Sale.objects.exists() and not SaleItem.objects.exists()
    deleted = ObjectChange.objects.filter(action="delete")
    assert {c.object_id for c in deleted} >= {str(pk) for pk in item_ids} | {str(sale.pk)}
    assert ContractHistory.objects.filter(kind=ContractHistory.Kind.SALE, text__contains="excluída").exists()


def test_sale_with_generated_receivables_cannot_be_deleted(admin_user, sale, wallet):
    services.sale_finish(actor=admin_user, sale=sale, generate_receivables=True, wallet=wallet)
    services.sale_reopen(actor=admin_user, sale=sale)
    with pytest.raises(ApplicationError) as exc:
        services.sale_delete(actor=admin_user, sale=sale)
    assert exc.value.code == "has_receivables"


def test_a_repeated_item_id_is_refused_naming_the_item(admin_user, sale):
    first = sale.items.order_by("id").first()
    total = sale.total
    with pytest.raises(ValidationError) as exc:
        services.sale_update(actor=admin_user, sale=sale, items=[{"id": first.pk}, {"id": first.pk}])
    message = exc.value.message_dict["items"][0]
    assert str(first.pk) in message and first.product.name in message
    sale.refresh_from_db()
    assert sale.total == total == sale.items_total() and sale.items.count() == 2


def test_customer_and_contract_stay_once_receivables_exist(admin_user, sale, customer, contract, wallet):
    from enlace.customers.services import customer_create

    other = customer_create(
        actor=admin_user, name="Pedro Lima", person_type="F", cpf_cnpj="39053344705", branch=customer.branch
    )
    services.sale_finish(actor=admin_user, sale=sale, generate_receivables=True, wallet=wallet)
    services.sale_reopen(actor=admin_user, sale=sale)
    for change in ({"customer": other}, {"contract": contract}):
        with pytest.raises(ApplicationError) as exc:
            services.sale_update(actor=admin_user, sale=sale, **change)
        assert exc.value.code == "has_receivables" and exc.value.field == next(iter(change))
    sale.refresh_from_db()
    invoice = Invoice.objects.get(sale_link__sale=sale)
    assert sale.customer_id == invoice.customer_id == customer.pk and sale.contract_id is None
    # the rest of the sale can still change
    services.sale_update(actor=admin_user, sale=sale, notes="Entregue na loja")
    assert Sale.objects.get(pk=sale.pk).notes == "Entregue na loja"


def test_customer_can_change_before_receivables(admin_user, sale, customer):
    from enlace.customers.services import customer_create

    other = customer_create(
        actor=admin_user, name="Pedro Lima", person_type="F", cpf_cnpj="39053344705", branch=customer.branch
    )
    services.sale_update(actor=admin_user, sale=sale, customer=other)
    assert Sale.objects.get(pk=sale.pk).customer == other


def test_set_status_to_the_current_one_is_refused_without_history(admin_user, sale):
    services.sale_finish(actor=admin_user, sale=sale)
    services.sale_set_status(actor=admin_user, sale=sale, status=SaleStatus.OPEN)
    entries = ContractHistory.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.sale_set_status(actor=admin_user, sale=sale, status=SaleStatus.OPEN)
    assert exc.value.code == "invalid_transition"
    assert ContractHistory.objects.count() == entries
    assert Sale.objects.get(pk=sale.pk).status == SaleStatus.OPEN


def test_full_discount_on_a_fractional_quantity(admin_user, customer):
    from enlace.sales.models import Product

    cable = services.product_save(Product(name="Cabo drop", unit="M", price=Decimal("0.09")), actor=None)
    # 2.5 m × R$ 0,09 = 0,225 → 0,23 (half up): a 100 % discount is 0,23
    assert services.item_total("2.5", "0.09", "0.23") == Decimal("0.00")
    sale = services.sale_create(
        actor=admin_user, customer=customer, items=items((cable, "2.5", "0.09", "0.23"))
    )
    assert sale.total == Decimal("0.00") and sale.items.get().total == Decimal("0.00")
    # the service keeps the exact rule: one cent more is refused with its message
    with pytest.raises(ValidationError) as exc:
        services.sale_create(actor=admin_user, customer=customer, items=items((cable, "2.5", "0.09", "0.24")))
    assert "items" in exc.value.message_dict


def test_database_tolerates_one_cent_not_two(sale, router_product):
    SaleItem.objects.create(
        sale=sale,
        product=router_product,
        quantity=Decimal("2.5"),
        unit_price=Decimal("0.09"),
        discount=Decimal("0.23"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SaleItem.objects.create(
            sale=sale,
            product=router_product,
            quantity=Decimal("2.5"),
            unit_price=Decimal("0.09"),
            discount=Decimal("0.24"),
        )
