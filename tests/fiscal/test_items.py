"""The NFCom items come from the invoice (monthly fee with its usage period, pro rata, discount,
installation fee, a sale's products) with the plan's or product's classification and taxes over
the branch's defaults; the profiles' screens and API."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import etree

from enlace.billing.models import Invoice
from enlace.billing.services.runs import billing_run_start_and_execute
from enlace.contracts.services import contract_activate, contract_create
from enlace.core.models import City
from enlace.customers.models import Customer
from enlace.fiscal.models import PlanFiscalProfile, ProductFiscalProfile
from enlace.fiscal.nfcom import build
from enlace.fiscal.services import document_issue
from enlace.sales.models import Product, Sale, SaleItem, SaleReceivable

pytestmark = pytest.mark.django_db

NS = {"n": "http://www.portalfiscal.inf.br/nfcom"}


def items_of(document) -> list[dict]:
    root = etree.fromstring(bytes(document.xml))
    assert build.validate(root) == []
    found = []
    for det in root.iterfind("n:infNFCom/n:det", NS):
        values = {el.tag.split("}")[1]: el.text for el in det.find("n:prod", NS)}
        for group in det.find("n:imposto", NS):
            for el in group.iter():
                if el.text and el.text.strip():
                    values[f"{group.tag.split('}')[1]}.{el.tag.split('}')[1]}"] = el.text
        found.append(values)
    return found


def run_invoices(admin_user, period="2026-12"):
    """A billing run without the fiscal reaction (the test issues the NFCom itself)."""
    run = billing_run_start_and_execute(actor=admin_user, period=period)
    return list(Invoice.objects.filter(billing_run=run).order_by("pk"))


def test_monthly_fee_pro_rata_with_discount_and_plan_profile(
    admin_user, fiscal, addressed_customer, contract_data, plan
):
    PlanFiscalProfile.objects.create(plan=plan, cclass="0100501", cfop="5303", icms_rate=Decimal("25"))
    contract = contract_create(
        actor=admin_user,
        **contract_data(
            price=Decimal("100.00"), discount=Decimal("10.00"), first_billing_date=datetime.date(2026, 12, 1)
        ),
    )
    contract_activate(actor=admin_user, contract=contract, activation_date=datetime.date(2026, 12, 16))
    (invoice,) = run_invoices(admin_user)
    assert invoice.amount == Decimal("46.45")  # 90.00 × 16 / 31
    document = document_issue(invoice=invoice, actor=admin_user)
    (item,) = items_of(document)
    assert item["vItem"] == "51.61" and item["vProd"] == "51.61"  # 100.00 × 16 / 31
    assert item["vDesc"] == "5.16"  # what makes the net the invoice's 46.45
    assert "16/12/2026-31/12/2026" in item["xProd"] and plan.name in item["xProd"]
    assert (item["cClass"], item["CFOP"]) == ("0100501", "5303")  # the plan's profile
    assert item["ICMS00.pICMS"] == "25.00" and item["ICMS00.vICMS"] == "11.61"  # 46.45 × 25 %
    assert item["PIS.pPIS"] == "0.65"  # the branch's default where the profile is empty
    root = etree.fromstring(bytes(document.xml))
    assert root.findtext("n:infNFCom/n:gFat/n:dPerUsoIni", namespaces=NS) == "2026-12-16"
    assert root.findtext("n:infNFCom/n:total/n:vNF", namespaces=NS) == "46.45"
    assert document.amount == invoice.amount


def test_full_month_keeps_the_discount(admin_user, fiscal, addressed_customer, contract_data):
    contract = contract_create(
        actor=admin_user,
        **contract_data(
            price=Decimal("100.00"), discount=Decimal("10.00"), first_billing_date=datetime.date(2026, 12, 1)
        ),
    )
    contract_activate(actor=admin_user, contract=contract, activation_date=datetime.date(2026, 10, 5))
    (invoice,) = run_invoices(admin_user)
    (item,) = items_of(document_issue(invoice=invoice, actor=admin_user))
    assert (item["vItem"], item["vDesc"]) == ("100.00", "10.00")
    assert "01/12/2026-31/12/2026" in item["xProd"]
    assert (item["cClass"], item["CFOP"]) == ("0100401", "5307")  # no profile: the branch's


def test_installation_fee_out_of_state(admin_user, fiscal, addressed_customer, contract_data, plan):
    PlanFiscalProfile.objects.create(plan=plan, installation_cclass="0200402", icms_cst="40")
    Customer.objects.filter(pk=addressed_customer.pk).update(
        city=City.objects.get(code=3304557), cep="20040002"
    )
    contract = contract_create(
        actor=admin_user,
        **contract_data(
            installation_fee=Decimal("120.00"),
            installation_instalments=1,
            first_billing_date=datetime.date(2026, 12, 1),
        ),
    )
    contract_activate(actor=admin_user, contract=contract, activation_date=datetime.date(2026, 10, 5))
    monthly, installation = run_invoices(admin_user)
    assert installation.installation_instalment == 1
    (item,) = items_of(document_issue(invoice=installation, actor=admin_user))
    assert item["cClass"] == "0200402" and item["CFOP"] == "6307"  # out of the state: 5307 → 6307
    assert item["vProd"] == "120.00" and "ICMS40.CST" in item
    (fee,) = items_of(document_issue(invoice=monthly, actor=admin_user))
    assert fee["cClass"] == "0100401" and fee["CFOP"] == "6307"


def test_sale_items_with_product_profiles(admin_user, fiscal, make_invoice, branch_a):
    router = Product.objects.create(name="Roteador Wi-Fi 6", price=Decimal("300"))
    visit = Product.objects.create(name="Visita técnica", type="S", price=Decimal("80"))
    ProductFiscalProfile.objects.create(product=router, cclass="0900101", cfop="5949")
    invoice = make_invoice(amount="340.00", description="Sale")
    sale = Sale.objects.create(customer=invoice.customer, branch=branch_a)
    SaleItem.objects.create(
        sale=sale, product=router, quantity=1, unit_price=Decimal("300"), discount=Decimal("40")
    )
    SaleItem.objects.create(sale=sale, product=visit, quantity=1, unit_price=Decimal("80"))
    SaleReceivable.objects.create(sale=sale, invoice=invoice, instalment=1)
    router_item, visit_item = items_of(document_issue(invoice=invoice, actor=admin_user))
    assert (router_item["cClass"], router_item["CFOP"], router_item["vDesc"]) == ("0900101", "5949", "40.00")
    assert router_item["xProd"] == "Roteador Wi-Fi 6"
    assert (visit_item["cClass"], visit_item["vProd"]) == ("0100401", "80.00")


def test_sale_instalment_bills_each_items_share(admin_user, fiscal, make_invoice, branch_a):
    router = Product.objects.create(name="Roteador", price=Decimal("200"))
    visit = Product.objects.create(name="Visita", type="S", price=Decimal("100"))
    invoice = make_invoice(amount="100.00", description="Sale 1/3")
    sale = Sale.objects.create(customer=invoice.customer, branch=branch_a)
    SaleItem.objects.create(sale=sale, product=router, quantity=1, unit_price=Decimal("200"))
    SaleItem.objects.create(sale=sale, product=visit, quantity=1, unit_price=Decimal("100"))
    SaleReceivable.objects.create(sale=sale, invoice=invoice, instalment=1)
    first, second = items_of(document_issue(invoice=invoice, actor=admin_user))
    assert (first["vProd"], second["vProd"]) == ("66.67", "33.33")  # a third of each, adding up to 100


def test_profile_screens_and_api(admin_web, admin_api, plan):
    answer = admin_web.post(
        reverse("fiscal:planfiscalprofile_add"),
        {"plan": plan.pk, "service_type": "4", "cclass": "0100401", "cfop": "5307", "icms_rate": "18"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    profile = PlanFiscalProfile.objects.get(plan=plan)
    assert profile.icms_rate == Decimal("18") and profile.pis_rate is None
    page = admin_web.get(reverse("fiscal:planfiscalprofile_detail", args=[profile.pk])).content.decode()
    assert "0100401" in page
    assert admin_web.get(reverse("fiscal:planfiscalprofile_list")).status_code == 200
    wrong = admin_web.post(
        reverse("fiscal:planfiscalprofile_edit", args=[profile.pk]),
        {"plan": plan.pk, "service_type": "4", "cclass": "12"},
    )
    assert wrong.status_code == 200 and "7 dígitos" in wrong.content.decode()
    product = Product.objects.create(name="Roteador", price=Decimal("200"))
    created = admin_api.post(
        "/api/v1/product-fiscal-profiles/", {"product": product.pk, "cclass": "0900101"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["cclass"] == "0900101" and created.json()["cfop"] == ""
    assert admin_api.get(f"/api/v1/plan-fiscal-profiles/{profile.pk}/").json()["icms_rate"] == "18.00"
