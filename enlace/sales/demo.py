"""Products and sales of the demo ISP (``manage.py seed_demo``, after finance).

- a small catalogue: equipment (router, ONU, cable by the metre) and services (technical visit,
  point change), under the analytic account "Venda de equipamentos" when the demo has it;
- Ana Beatriz bought a Wi-Fi 6 router with her contract, in three instalments: the sale is
  finished and its receivables generated;
- the Padaria has an open sale (a visit and 20 m of cable) still being put together.

Idempotent: products by name; a customer that already has a sale is left alone.
"""

from decimal import Decimal

from enlace.core.models import Employee, PaymentCondition
from enlace.customers.models import Customer

from .models import Product, Sale
from .services import sale_create, sale_finish

PRODUCTS = [
    # (name, type, unit, price)
    ("Roteador Wi-Fi 6", "P", "UN", "349.90"),
    ("ONU GPON", "P", "UN", "199.00"),
    ("Cabo UTP Cat6", "P", "M", "2.50"),
    ("Visita técnica", "S", "H", "80.00"),
    ("Mudança de ponto", "S", "UN", "120.00"),
]


def seed(demo):
    account = demo.objects.get("account_1.02.001")
    products = {}
    for name, kind, unit, price in PRODUCTS:
        products[name] = demo.ensure(
            Product,
            {"name": name},
            {"type": kind, "unit": unit, "price": Decimal(price), "analytic_account": account},
        )
    demo.track(Sale)
    contracts = demo.objects.get("contracts", {})
    salesperson = Employee.objects.filter(is_salesperson=True, active=True).order_by("id").first()
    ana = Customer.objects.filter(name="Ana Beatriz Souza").first()
    if ana is not None and not Sale.objects.filter(customer=ana).exists():
        sale = sale_create(
            actor=None,
            customer=ana,
            contract=contracts.get(ana.name),
            salesperson=salesperson,
            payment_condition=PaymentCondition.objects.filter(name="3x 30/60/90").first(),
            items=[{"product": products["Roteador Wi-Fi 6"]}],
        )
        sale_finish(actor=None, sale=sale, generate_receivables=True)
        demo.created[Sale._meta.label] += 1
    bakery = Customer.objects.filter(name="Padaria Pão Quente Ltda").first()
    if bakery is not None and not Sale.objects.filter(customer=bakery).exists():
        sale_create(
            actor=None,
            customer=bakery,
            salesperson=salesperson,
            notes="Cliente pediu orçamento para a mudança de ponto.",
            items=[
                {"product": products["Visita técnica"]},
                {"product": products["Cabo UTP Cat6"], "quantity": Decimal("20")},
            ],
        )
        demo.created[Sale._meta.label] += 1
