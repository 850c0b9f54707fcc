"""One nosso número per title (docs/decisions.md): a second wallet that would print the same
barcodes as another — same bank and the same agency, account, convênio and carteira as they enter
that bank's barcode — is refused by the form, the API and the database."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from enlace.billing import boleto
from enlace.core.models import Wallet
from enlace.core.services import object_save
from tests.helpers.contracts import make_wallet

pytestmark = pytest.mark.django_db

SICOOB = {"bank_code": "756", "agency": "3069", "account": "12345", "carteira": "1", "convenio": "123456"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _wallet(branch, name, **fields):
    return Wallet(name=name, branch=branch, cnab_layout="240", **fields)


def test_second_wallet_of_the_same_account_is_refused_naming_the_field(branch_a, branch_b):
    make_wallet(branch_a, name="Sicoob 1", **SICOOB)
    with pytest.raises(ValidationError) as caught:
        object_save(_wallet(branch_b, "Sicoob 2", **{**SICOOB, "account": "99999"}), actor=None)
    assert "same barcodes" in caught.value.message_dict["convenio"][0]
    assert "Sicoob 1" not in str(caught.value)  # another branch's wallet is never named


def test_the_database_refuses_it_too(branch_a):
    make_wallet(branch_a, name="Sicoob 1", **SICOOB)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.create(name="Sicoob 2", branch=branch_a, **{**SICOOB, "agency": "03069"})


def test_the_api_answers_400_on_the_field(admin_api, branch_a):
    make_wallet(branch_a, name="Sicoob 1", **SICOOB)
    response = admin_api.post(
        "/api/v1/wallets/",
        {"name": "Sicoob 2", "branch": branch_a.pk, "cnab_layout": "240", **SICOOB},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "convenio" in response.json()


def test_the_form_shows_it_on_the_field(admin_web, branch_a):
    make_wallet(branch_a, name="Sicoob 1", **SICOOB)
    response = admin_web.post(
        reverse("core:wallet_add"),
        {
            "name": "Sicoob 2",
            "branch": branch_a.pk,
            "cnab_layout": "240",
            "fine_percent": "2.00",
            "interest_percent_month": "1.00",
            "active": "on",
            **SICOOB,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "convenio" in form.errors
    assert Wallet.objects.filter(name="Sicoob 2").count() == 0


def test_editing_a_wallet_does_not_clash_with_itself(branch_a):
    wallet = make_wallet(branch_a, name="Sicoob 1", **SICOOB)
    wallet.instructions = "Não receber após 30 dias."
    object_save(wallet, actor=None)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Banco do Brasil, 7-digit convênio: agency and account are not in the barcode.
        (
            {
                "bank_code": "001",
                "agency": "1234",
                "account": "1111",
                "carteira": "17",
                "convenio": "1234567",
            },
            {
                "bank_code": "001",
                "agency": "4321",
                "account": "2222",
                "carteira": "17",
                "convenio": "1234567",
            },
        ),
        # Caixa: only the beneficiary code and the carteira (blank and 1 are both "registrada").
        (
            {"bank_code": "104", "agency": "1234", "account": "1", "carteira": "", "convenio": "1100123"},
            {"bank_code": "104", "agency": "9999", "account": "2", "carteira": "1", "convenio": "1100123"},
        ),
        # Bradesco: the convênio is not in the barcode; leading zeros print the same.
        (
            {"bank_code": "237", "agency": "1234", "account": "1234567", "carteira": "09", "convenio": "1"},
            {"bank_code": "237", "agency": "01234", "account": "1234567", "carteira": "9", "convenio": "2"},
        ),
        # Sicredi: the account is not in the barcode.
        (
            {"bank_code": "748", "agency": "0101.02", "account": "1", "carteira": "1", "convenio": "12345"},
            {"bank_code": "748", "agency": "0101.02", "account": "2", "carteira": "", "convenio": "12345"},
        ),
    ],
)
def test_fields_outside_the_barcode_do_not_tell_wallets_apart(branch_a, first, second):
    a = make_wallet(branch_a, name="A", **first)
    b = _wallet(branch_a, "B", **second)
    assert a.barcode_key() == b.barcode_key()
    assert _barcodes(a, range(1, 4)) == _barcodes(b, range(1, 4))  # why they must be refused
    with pytest.raises(ValidationError):
        object_save(b, actor=None)


ACCEPTED = [
    {"bank_code": "001", "agency": "1234", "account": "1111", "carteira": "17", "convenio": "1234567"},
    {"bank_code": "001", "agency": "1234", "account": "1111", "carteira": "17", "convenio": "7654321"},
    {"bank_code": "001", "agency": "1234", "account": "1111", "carteira": "18", "convenio": "1234567"},
    {"bank_code": "001", "agency": "1234", "account": "11111", "carteira": "17", "convenio": "123456"},
    {"bank_code": "001", "agency": "4321", "account": "11111", "carteira": "17", "convenio": "123456"},
    {"bank_code": "104", "agency": "1234", "account": "1", "carteira": "1", "convenio": "1100123"},
    {"bank_code": "104", "agency": "1234", "account": "1", "carteira": "1", "convenio": "1100124"},
    {"bank_code": "237", "agency": "1234", "account": "1234567", "carteira": "09", "convenio": ""},
    {"bank_code": "237", "agency": "1234", "account": "1234568", "carteira": "09", "convenio": ""},
    {"bank_code": "237", "agency": "1234", "account": "1234567", "carteira": "06", "convenio": ""},
    {"bank_code": "341", "agency": "1234", "account": "12345", "account_digit": "1", "carteira": "109"},
    {"bank_code": "341", "agency": "1234", "account": "12345", "account_digit": "1", "carteira": "112"},
    {"bank_code": "748", "agency": "0101.02", "account": "1", "carteira": "1", "convenio": "12345"},
    {"bank_code": "748", "agency": "0101.03", "account": "1", "carteira": "1", "convenio": "12345"},
    {"bank_code": "756", "agency": "3069", "account": "1", "carteira": "1", "convenio": "123456"},
    {"bank_code": "756", "agency": "3070", "account": "1", "carteira": "1", "convenio": "123456"},
]


def _barcodes(wallet, numbers) -> set[str]:
    return {
        boleto.make_boleto(
            wallet.bank_code,
            agency=wallet.agency,
            account=wallet.account,
            account_digit=wallet.account_digit,
            carteira=wallet.carteira,
            convenio=wallet.convenio,
            nosso_numero=n,
            due_date=datetime.date(2026, 3, 10),
            amount=Decimal("99.90"),
            issue_date=datetime.date(2026, 3, 1),
        ).barcode
        for n in numbers
    }


def test_two_titles_never_have_the_same_barcode(branch_a):
    """Every wallet the constraint lets in numbers its titles 1, 2, 3...: the first 200 titles of
    each, same due date and amount, give pairwise distinct barcodes across all wallets."""
    wallets = [make_wallet(branch_a, name=f"W{i}", **fields) for i, fields in enumerate(ACCEPTED)]
    seen: dict[str, str] = {}
    for wallet in wallets:
        for code in _barcodes(wallet, range(1, 201)):
            assert code not in seen, f"{wallet} and {seen.get(code)} print {code}"
            seen[code] = wallet.name
    assert len(seen) == 200 * len(wallets)
    for a, b in itertools.combinations(wallets, 2):
        assert a.barcode_key() != b.barcode_key()
