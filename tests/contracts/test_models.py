"""Plans, wallets and contracts: validation (full_clean) and the database guards."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enlace.contracts.models import Contract, Plan
from enlace.core.models import Wallet
from enlace.customers.services import customer_update
from tests.helpers.contracts import make_plan, make_wallet

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
    return exc.value.message_dict


# --- Plan -----------------------------------------------------------------------------------


def test_internet_plan_requires_speeds(branch_a):
    plan = Plan(name="Fibra", branch=branch_a, type="I", price=Decimal("50"))
    errors = errors_of(plan)
    assert "download_kbps" in errors and "upload_kbps" in errors


def test_other_plan_types_need_no_speed(branch_a):
    for code in ("T", "S", "SVA"):
        Plan(name=f"Plano {code}", branch=branch_a, type=code, price=Decimal("10")).full_clean()


def test_plan_price_not_negative(branch_a):
    plan = Plan(name="X", branch=branch_a, type="S", price=Decimal("-1"))
    assert "price" in errors_of(plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(name="X", branch=branch_a, type="S", price=Decimal("-1"))


def test_plan_half_burst_refused(branch_a):
    plan = Plan(
        name="X", branch=branch_a, type="I", price=1, download_kbps=1, upload_kbps=1, burst_download_kbps=5
    )
    assert "burst_upload_kbps" in errors_of(plan)


def test_plan_half_reduced_profile_refused(branch_a):
    plan = Plan(
        name="X", branch=branch_a, type="I", price=1, download_kbps=1, upload_kbps=1, reduced_upload_kbps=5
    )
    assert "reduced_download_kbps" in errors_of(plan)


def test_plan_name_unique_per_branch(branch_a, branch_b):
    make_plan(branch_a, name="Fibra")
    make_plan(branch_b, name="Fibra")  # same name in another branch is fine
    with pytest.raises(IntegrityError), transaction.atomic():  # the database guards it
        Plan.objects.create(name="Fibra", branch=branch_a, type="S", price=1)


def test_plan_edge_whitespace_refused(branch_a, admin_user):
    plan = Plan(name=" Fibra", branch=branch_a, type="S", price=1)
    assert "name" in errors_of(plan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(name="Fibra ", branch=branch_a, type="S", price=1)


def test_plan_type_code_constraint(branch_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(name="X", branch=branch_a, type="Z", price=1)


# --- Wallet ---------------------------------------------------------------------------------


def test_wallet_defaults_follow_the_legal_caps(branch_a):
    wallet = make_wallet(branch_a)
    assert wallet.fine_percent == Decimal("2.00")
    assert wallet.interest_percent_month == Decimal("1.00")
    assert wallet.bank_name == "Sicoob"


@pytest.mark.parametrize(("field", "value"), [("fine_percent", "2.01"), ("interest_percent_month", "1.01")])
def test_wallet_caps(branch_a, field, value):
    wallet = Wallet(
        name="W", branch=branch_a, bank_code="001", agency="1", account="2", **{field: Decimal(value)}
    )
    assert field in errors_of(wallet)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_wallet(branch_a, name="W2", **{field: Decimal(value)})


@pytest.mark.parametrize("code", ["1", "12a", "1234", "abc"])
def test_wallet_bank_code_three_digits(branch_a, code):
    wallet = Wallet(name="W", branch=branch_a, bank_code=code, agency="1", account="2")
    assert "bank_code" in errors_of(wallet)


def test_wallet_other_bank_codes_allowed(branch_a):
    Wallet(name="W", branch=branch_a, bank_code="077", agency="1", account="2").full_clean()


# --- Contract -------------------------------------------------------------------------------


def test_contract_defaults(contract, plan):
    assert contract.status == "P"
    assert contract.access_status == "AA"
    assert contract.effective_price == plan.price
    assert contract.monthly_amount == Decimal("99.90")


def test_contract_price_override_and_discount(contract_data):
    contract = Contract(**contract_data(price=Decimal("80.00"), discount=Decimal("10.00")))
    contract.full_clean()
    assert contract.monthly_amount == Decimal("70.00")


def test_discount_above_price_refused(contract_data):
    assert "discount" in errors_of(Contract(**contract_data(discount=Decimal("100.00"))))


@pytest.mark.parametrize("day", [0, 29, 31])
def test_due_day_between_1_and_28(contract_data, day):
    assert "due_day" in errors_of(Contract(**contract_data(due_day=day)))


def test_due_day_database_guard(contract):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(due_day=29)


def test_status_codes_database_guard(contract):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(status="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(access_status="XX")


def test_plan_and_wallet_of_another_branch_refused(contract_data, plan_b, wallet_b):
    errors = errors_of(Contract(**contract_data(plan=plan_b, wallet=wallet_b)))
    assert "plan" in errors and "wallet" in errors


def test_contract_in_the_customers_branch(contract_data, branch_b):
    assert "branch" in errors_of(Contract(**contract_data(branch=branch_b)))


def test_contract_type_is_the_plans(contract_data):
    assert "type" in errors_of(Contract(**contract_data(type="T")))


def test_own_address_requires_the_address(contract_data, city):
    errors = errors_of(Contract(**contract_data(own_address=True)))
    assert {"street", "number", "neighborhood", "city"} <= set(errors)
    contract = Contract(
        **contract_data(own_address=True, street="Rua A", number="1", neighborhood="Centro", city=city)
    )
    contract.full_clean()
    assert contract.installation_address.startswith("Rua A, 1, Centro")


def test_installation_address_defaults_to_the_customers(contract, customer, admin_user, city):
    customer_update(
        actor=admin_user,
        customer=customer,
        street="Av. Paulista",
        number="1000",
        neighborhood="Bela Vista",
        city=city,
    )
    contract.customer = customer
    assert contract.installation_address.startswith("Av. Paulista, 1000, Bela Vista")


def test_contract_edge_whitespace(contract_data):
    assert "notes" in errors_of(Contract(**contract_data(notes="texto ")))


def test_no_contract_for_a_lead(contract_data, admin_user, branch_a):
    from enlace.customers.services import customer_create

    lead = customer_create(actor=admin_user, name="Prospect", person_type="F", branch=branch_a, is_lead=True)
    assert "customer" in errors_of(Contract(**contract_data(customer=lead)))
