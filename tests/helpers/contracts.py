"""Fixtures shared by the contracts tests and the areas built on contracts: a wallet, plans and
contracts of ``branch_a`` (and one of ``branch_b`` for the branch scope)."""

import datetime
import zlib
from decimal import Decimal

import pytest

from enlace.contracts.models import Plan
from enlace.contracts.services import contract_activate, contract_create, plan_save
from enlace.core.models import PaymentCondition, Wallet
from enlace.customers.services import customer_create


def make_wallet(branch, name="Carteira Sicoob", **extra):
    """A Sicoob wallet. Wallets that print the same barcodes are refused (``wallet_unique_bank_account``),
    so a wallet named otherwise whose agency, account and convênio are not given gets a convênio of its own."""
    values = {
        "name": name,
        "branch": branch,
        "bank_code": "756",
        "agency": "3069",
        "account": "12345",
        "account_digit": "6",
        "carteira": "1",
        "convenio": "123456",
        "cnab_layout": "240",
    }
    if name != "Carteira Sicoob" and not {"agency", "account", "convenio"} & set(extra):
        values["convenio"] = str(100000 + zlib.crc32(name.encode()) % 900000)
    values.update(extra)
    return Wallet.objects.create(**values)


def make_plan(branch, name="Fibra 500", **extra):
    values = {
        "name": name,
        "branch": branch,
        "type": "I",
        "price": Decimal("99.90"),
        "download_kbps": 500_000,
        "upload_kbps": 250_000,
    }
    values.update(extra)
    return plan_save(Plan(**values), actor=None)


@pytest.fixture
def wallet(branch_a):
    return make_wallet(branch_a)


@pytest.fixture
def wallet_b(branch_b):
    return make_wallet(branch_b, name="Carteira Campinas")


@pytest.fixture
def plan(branch_a):
    return make_plan(branch_a)


@pytest.fixture
def plan_b(branch_b):
    return make_plan(branch_b, name="Fibra Campinas")


@pytest.fixture
def condition(db):
    return PaymentCondition.objects.create(name="À vista", instalments=1)


@pytest.fixture
def customer(admin_user, branch_a):
    return customer_create(
        actor=admin_user, name="Maria Souza", person_type="F", cpf_cnpj="52998224725", branch=branch_a
    )


@pytest.fixture
def customer_b(admin_user, branch_b):
    return customer_create(
        actor=admin_user, name="João Campinas", person_type="F", cpf_cnpj="11144477735", branch=branch_b
    )


@pytest.fixture
def contract_data(customer, plan, wallet, condition, branch_a):
    def data(**extra):
        values = {
            "customer": customer,
            "branch": branch_a,
            "plan": plan,
            "type": "I",
            "due_day": 10,
            "wallet": wallet,
            "payment_condition": condition,
            "first_billing_date": datetime.date(2026, 12, 10),
        }
        values.update(extra)
        return values

    return data


@pytest.fixture
def contract(admin_user, contract_data):
    return contract_create(actor=admin_user, **contract_data())


@pytest.fixture
def contract_b(admin_user, customer_b, plan_b, wallet_b, condition, branch_b):
    return contract_create(
        actor=admin_user,
        customer=customer_b,
        branch=branch_b,
        plan=plan_b,
        type="I",
        due_day=5,
        wallet=wallet_b,
        payment_condition=condition,
        first_billing_date=datetime.date(2026, 12, 5),
    )


@pytest.fixture
def active_contract(admin_user, contract):
    """``contract``, signed and active (access status Ativo)."""
    return contract_activate(actor=admin_user, contract=contract)
