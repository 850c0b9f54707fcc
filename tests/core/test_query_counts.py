"""No N+1 on any list (issue 22): every staff list page and every API list, found in the URL conf,
runs the same number of queries with 3 rows as with 30, and no more than a stated maximum.

The data set has ``n`` records of every kind in one branch (customers with a contract, a login,
invoices and a payment, tickets, service orders, sales, concentrators, pools, …); the test builds
3 of each, counts the queries of every list, adds 27 more of each and counts again. Counts, never
timings (timings live in ``bench/``).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from enlace.billing.models import BillingRun, CnabImport, Remittance
from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create
from enlace.contracts.services import contract_create, history_add
from enlace.core.models import AnalyticAccount, Department, Employee, PaymentCondition
from enlace.customers.services import customer_create
from enlace.fiscal.models import FiscalDocument
from enlace.messaging.models import Message, MessageRule
from enlace.radius.models import IpPool, Nas
from enlace.radius.services import login_create, nas_save, pool_save
from enlace.sales.models import Product
from enlace.sales.services import product_save, sale_create
from enlace.support.models import Process, Subject
from enlace.support.services import service_order_create, ticket_create
from tests.core.test_scope_matrix import api_list_routes, staff_list_urls
from tests.helpers.contracts import make_plan, make_wallet

pytestmark = pytest.mark.django_db

#: Queries of a staff list page at most (session, user, permissions, menu, filter choices, count,
#: rows, chart); a page listed here needs more, with the reason.
MAX_PAGE_QUERIES = 16
PAGE_MAXIMA: dict[str, int] = {
    # The audit trail names the records a change links to (core.audit_display): one query per kind
    # of linked record on the page (branch, city, plan, …), whatever the number of rows.
    "core:objectchange_list": 24,
}

#: Queries of an API list at most (token, permissions, count, rows, prefetches).
MAX_API_QUERIES = 10
API_MAXIMA: dict[str, int] = {}


def _cpf(n: int) -> str:
    base = f"{100000000 + n * 7919:09d}"[-9:]
    digits = [int(d) for d in base]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=False))
        digits.append((total * 10) % 11 % 10)
    return "".join(map(str, digits))


def add_records(admin, branch, start: int, stop: int) -> None:
    """Records ``start`` … ``stop - 1`` of every kind the lists show, all in ``branch``."""
    for i in range(start, stop):
        department = Department.objects.create(name=f"Departamento {i}")
        condition = PaymentCondition.objects.create(name=f"Condição {i}", instalments=1)
        AnalyticAccount.objects.create(code=f"9.{i:02d}", name=f"Conta {i}", kind="R")
        subject = Subject.objects.create(name=f"Assunto {i}", default_department=department)
        os_subject = Subject.objects.create(name=f"Visita {i}", purpose="O", default_department=department)
        Process.objects.create(name=f"Processo {i}")
        product = product_save(Product(name=f"Produto {i}", price=Decimal("10.00")), actor=None)
        employee = Employee.objects.create(
            name=f"Vendedor {i}", is_salesperson=True, is_technician=True, is_attendant=True
        )
        employee.branches.set([branch])
        wallet = make_wallet(branch, name=f"Carteira {i}", pix_key=f"pix{i}@enlace.com.br")
        plan = make_plan(branch, name=f"Fibra {i}")
        customer = customer_create(
            actor=admin,
            name=f"Cliente {i}",
            person_type="F",
            cpf_cnpj=_cpf(i),
            branch=branch,
            salesperson=employee,
        )
        contract = contract_create(
            actor=admin,
            customer=customer,
            branch=branch,
            plan=plan,
            type="I",
            due_day=10,
            wallet=wallet,
            payment_condition=condition,
            first_billing_date=datetime.date(2026, 12, 10),
            salesperson=employee,
        )
        history_add(actor=admin, customer=customer, contract=contract, text="Nota", manual=True)
        nas_save(Nas(name=f"BNG {i}", ip=f"10.1.{i}.1", secret="s", branch=branch), actor=admin)
        pool_save(IpPool(name=f"Pool {i}", ranges=[f"100.64.{i}.0/29"], branch=branch), actor=admin)
        login_create(actor=admin, contract=contract, username=f"cliente{i}@fibra", password="segredo123")
        invoices = [
            invoice_create(
                actor=admin,
                customer=customer,
                contract=contract,
                wallet=wallet,
                due_date=datetime.date(2027, 1, day),
                amount=Decimal("99.90"),
            )
            for day in (10, 11)
        ]
        payment_create(actor=admin, invoice=invoices[1])
        FiscalDocument.objects.create(
            branch=branch,
            invoice=invoices[0],
            cnpj=branch.cnpj,
            series=1,
            number=i + 1,
            environment="2",
            key=f"{i:044d}",
            amount=Decimal("99.90"),
            issued_at=timezone.now(),
            xml=b"<NFCom/>",
        )
        CnabImport.objects.create(
            wallet=wallet, file_name=f"retorno{i}.ret", sha256=f"{i:064d}", layout="240", bank_code="756"
        )
        BillingRun.objects.create(period=f"{2000 + i}-01", branch=branch, status=BillingRun.Status.DONE)
        Remittance.objects.create(
            wallet=wallet,
            sequence=i + 1,
            layout="240",
            bank_code="756",
            file_name=f"remessa{i}.rem",
            sha256=f"{i:064d}",
            size=0,
            title_count=0,
        )
        ticket_create(actor=admin, customer=customer, subject=subject, description="Sem sinal")
        service_order_create(actor=admin, subject=os_subject, description="Visita", customer=customer)
        sale_create(actor=admin, customer=customer, items=[{"product": product}])
        rule = MessageRule.objects.create(
            branch=branch, name=f"Régua {i}", event="overdue", days=10 + i, subject="Aviso", body_text="Texto"
        )
        Message.objects.create(
            rule=rule,
            event=rule.event,
            channel="email",
            key=f"invoice:{invoices[0].pk}",
            customer=customer,
            invoice=invoices[0],
            recipient=f"cliente{i}@example.com",
            text="Texto",
        )


def count_queries(get, url: str) -> tuple[int, int]:
    get(url)  # caches that live across requests (content types, parameters) warm up first
    with CaptureQueriesContext(connection) as queries:
        response = get(url)
    return response.status_code, len(queries)


def test_lists_run_the_same_queries_for_3_and_30_rows(admin_user, branch_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = Client()
    page.force_login(admin_user)
    token, _created = Token.objects.get_or_create(user=admin_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    urls = [
        (name, reverse(name), page.get, PAGE_MAXIMA.get(name, MAX_PAGE_QUERIES)) for name in staff_list_urls()
    ]
    urls += [
        (name, reverse(f"api:{name}"), api.get, API_MAXIMA.get(name, MAX_API_QUERIES))
        for name, _view in api_list_routes()
    ]
    assert len(urls) >= 50

    add_records(admin_user, branch_a, 0, 3)
    few = {name: count_queries(get, url) for name, url, get, _max in urls}
    add_records(admin_user, branch_a, 3, 30)
    many = {name: count_queries(get, url) for name, url, get, _max in urls}

    report = []
    for name, url, _get, maximum in urls:
        (status_few, queries_few), (status_many, queries_many) = few[name], many[name]
        if status_few != 200 or status_many != 200:
            report.append(f"{url}: HTTP {status_few}/{status_many}")
        elif queries_many != queries_few:
            report.append(f"{url}: {queries_few} queries with 3 rows, {queries_many} with 30 (N+1)")
        elif queries_many > maximum:
            report.append(f"{url}: {queries_many} queries, more than {maximum}")
    assert not report, "\n".join(report)
