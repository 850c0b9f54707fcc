"""Plans, billing wallets and contracts of the demo ISP (``manage.py seed_demo``).

Each branch gets a billing wallet and its Internet plans; each (non-lead) demo customer gets one
contract, created and moved through ``enlace.contracts.services`` (so the history and the RADIUS
projection follow): most are active, one is blocked by hand, one is still a pre-contract.
Idempotent: plans and wallets by name, contracts by customer (a customer that already has a
contract is left alone). The contracts made or found are shared as ``demo.objects["contracts"]``
(customer name → contract) for the later steps (RADIUS logins, billing)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from enlace.core.models import Wallet
from enlace.customers.models import Customer

from .models import Contract, Plan
from .services import contract_activate, contract_block, contract_create, plan_save

# (key, name, price, download kbit/s, upload kbit/s, extra fields)
PLANS = [
    (
        "fibra_300",
        "Fibra 300 Mega",
        "99.90",
        300_000,
        150_000,
        {"reduced_download_kbps": 5_000, "reduced_upload_kbps": 2_000, "address_list": "clientes"},
    ),
    (
        "fibra_600",
        "Fibra 600 Mega",
        "129.90",
        600_000,
        300_000,
        {
            "burst_download_kbps": 700_000,
            "burst_upload_kbps": 350_000,
            "burst_threshold_percent": 80,
            "burst_time_seconds": 30,
            "address_list": "clientes",
        },
    ),
    (
        "empresarial",
        "Empresarial 1 Giga",
        "299.90",
        1_000_000,
        500_000,
        {"priority": 2, "address_list": "empresas"},
    ),
]

WALLETS = {
    # branch key: (name, agency, account, account digit)
    "branch_main": ("Sicoob Ribeirão Preto", "3069", "104523", "7"),
    "branch_second": ("Sicoob Franca", "3070", "208871", "2"),
}

# customer name → (plan key, days since activation or None for a pre-contract, due day, block reason)
CONTRACTS = {
    "Ana Beatriz Souza": ("fibra_600", 420, 10, ""),
    "João Pedro Almeida": ("fibra_300", 200, 15, ""),
    "Maria das Graças Oliveira": ("fibra_300", 380, 5, "Solicitação da cliente: viagem de 60 dias"),
    "José Antônio Ferreira": ("fibra_300", None, 20, ""),
    "Padaria Pão Quente Ltda": ("empresarial", 730, 10, ""),
    "Lucas Martins Rocha": ("fibra_600", 95, 25, ""),
    "Fernanda Lima Costa": ("fibra_300", 30, 10, ""),
}


def _plan(demo, branch_key: str, key: str, name: str, price: str, down: int, up: int, extra: dict) -> Plan:
    branch = demo.objects[branch_key]
    demo.track(Plan)
    plan = Plan.objects.filter(branch=branch, name=name).first()
    if plan is None:
        plan = plan_save(
            Plan(
                name=name,
                branch=branch,
                type="I",
                price=Decimal(price),
                download_kbps=down,
                upload_kbps=up,
                **extra,
            ),
            actor=None,
        )
        demo.created[Plan._meta.label] += 1
    demo.objects[f"plan_{branch_key}_{key}"] = plan
    return plan


def _first_billing_date(due_day: int) -> datetime.date:
    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return datetime.date(year, month, due_day)


def seed(demo):
    for branch_key, (name, agency, account, digit) in WALLETS.items():
        demo.objects[f"wallet_{branch_key}"] = demo.ensure(
            Wallet,
            {"name": name},
            {
                "branch": demo.objects[branch_key],
                "bank_code": "756",
                "agency": agency,
                "account": account,
                "account_digit": digit,
                "carteira": "1",
                "convenio": "123456",
                "cnab_layout": Wallet.CnabLayout.CNAB240,
                "pix_key": "financeiro@horizontefibra.example",
            },
        )
        for key, plan_name, price, down, up, extra in PLANS:
            if branch_key != "branch_main" and key == "empresarial":
                continue  # the business plan is sold by the head office only
            _plan(demo, branch_key, key, plan_name, price, down, up, extra)

    demo.track(Contract)
    contracts = demo.objects.setdefault("contracts", {})
    payment = demo.objects["payment_À vista"]
    for customer_name, (plan_key, active_days, due_day, block_reason) in CONTRACTS.items():
        customer = Customer.objects.filter(name=customer_name, is_lead=False).first()
        if customer is None:
            continue
        existing = Contract.objects.filter(customer=customer).order_by("id").first()
        if existing is not None:
            contracts[customer_name] = existing
            continue
        branch_key = next(key for key in WALLETS if demo.objects[key].pk == customer.branch_id)
        today = timezone.localdate()
        signed = today - datetime.timedelta(days=active_days) if active_days is not None else None
        contract = contract_create(
            actor=None,
            customer=customer,
            branch=customer.branch,
            plan=demo.objects[f"plan_{branch_key}_{plan_key}"],
            type="I",
            contract_date=(signed or today) - datetime.timedelta(days=3),
            signature_date=signed,
            due_day=due_day,
            wallet=demo.objects[f"wallet_{branch_key}"],
            payment_condition=payment,
            first_billing_date=_first_billing_date(due_day),
        )
        if active_days is not None:
            contract_activate(actor=None, contract=contract, activation_date=signed)
        if block_reason:
            contract_block(actor=None, contract=contract, reason=block_reason)
        demo.created[Contract._meta.label] += 1
        contracts[customer_name] = contract
