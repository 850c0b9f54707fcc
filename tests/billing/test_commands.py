"""``manage.py billing_run`` and ``manage.py cnab_import`` (SPEC F-3, F-6)."""

import datetime
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from enlace.billing.models import BillingRun, CnabImport, Invoice, InvoiceStatus, Payment
from enlace.contracts.services import contract_activate, contract_create
from enlace.core.models import ObjectChange
from tests.billing.test_imports import FIXTURES, file_invoices, fixture_bytes, snapshot
from tests.helpers.contracts import make_wallet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids (the pt-BR catalog translates them)."""
    with translation.override("en"):
        yield


def run(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def billable(admin_user, contract_data, branch_a):
    contracts = []
    for _n in range(3):
        contract = contract_create(
            actor=admin_user, **contract_data(first_billing_date=datetime.date(2026, 12, 1))
        )
        contracts.append(
            contract_activate(actor=admin_user, contract=contract, activation_date=datetime.date(2026, 12, 1))
        )
    return contracts


# --- billing_run -------------------------------------------------------------------------------------


def test_billing_run_prints_its_summary(admin_user, billable):
    out, err = run("billing_run", "--period", "2026-12", "--user", "admin")
    assert "Billing run 2026-12: 3 invoice(s) created, 0 skipped, 0 error(s), total R$ 299.70." in out
    assert "billing 2026-12" in err  # the progress bar
    run_ = BillingRun.objects.get()
    assert run_.operator_id == admin_user.pk and run_.status == "done" and run_.created == 3
    change = ObjectChange.objects.get(content_type__model="billingrun", action="create")
    assert change.user_id == admin_user.pk and change.source == "command"

    out, _err = run("billing_run", "--period", "2026-12", "--no-progress")
    assert "0 invoice(s) created" in out
    assert Invoice.objects.count() == 3


def test_billing_run_lists_errors(admin_user, billable, branch_a):
    bad = make_wallet(branch_a, name="Sicoob agência errada", agency="306999")
    type(billable[0]).objects.filter(pk=billable[0].pk).update(wallet=bad)
    out, _err = run("billing_run", "--period", "2026-12", "--no-progress")
    assert "2 invoice(s) created, 0 skipped, 1 error(s)" in out
    assert f"Contract {billable[0].pk}:" in out and "agency" in out


def test_billing_run_branch_option(billable, contract_b, branch_a, branch_b):
    out, _err = run("billing_run", "--period", "2026-12", "--branch", str(branch_b.pk), "--no-progress")
    assert "0 invoice(s) created" in out  # contract_b is a pre-contract
    out, _err = run("billing_run", "--period", "2026-12", "--branch", str(branch_a.pk), "--no-progress")
    assert "3 invoice(s) created" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "YYYY-MM"),
        (["--period", "12/2026"], "YYYY-MM"),
        (["--period", "2026-12", "--branch", "999999"], "No branch 999999"),
        (["--period", "2026-12", "--user", "ninguem"], "No operator 'ninguem'"),
    ],
)
def test_billing_run_refusals(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("billing_run", *args, "--no-progress")
    assert BillingRun.objects.count() == 0


def test_billing_run_needs_a_period(db):
    with pytest.raises(CommandError, match="period"):
        run("billing_run")


# --- cnab_import -------------------------------------------------------------------------------------


def test_cnab_import_command(admin_user, customer, wallet, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    file_invoices(admin_user, customer, wallet, "CNAB240SICOOB.RET")
    path = tmp_path / "CNAB240SICOOB.RET"
    shutil.copy(FIXTURES / "CNAB240SICOOB.RET", path)
    out, _err = run("cnab_import", str(path), "--wallet", str(wallet.pk), "--user", "admin")
    assert "CNAB240SICOOB.RET: 3 record(s), 3 settled (R$ 6.00), 0 not settled." in out
    assert "Settled: 3" in out
    imp = CnabImport.objects.get()
    assert imp.operator_id == admin_user.pk and imp.file.read() == fixture_bytes("CNAB240SICOOB.RET")
    assert Invoice.objects.filter(status=InvoiceStatus.RECEIVED).count() == 3

    before = snapshot()
    with pytest.raises(CommandError, match="already imported"):
        run("cnab_import", str(path), "--wallet", str(wallet.pk))
    assert snapshot() == before


def test_cnab_import_command_lists_outcomes(admin_user, customer, branch_a, tmp_path, settings):
    from tests.billing.test_imports import bank_wallet

    settings.MEDIA_ROOT = tmp_path / "media"
    wallet = bank_wallet(branch_a, "341")
    file_invoices(admin_user, customer, wallet, "CNAB400ITAU.RET", leave_out={11})
    out, _err = run("cnab_import", str(FIXTURES / "CNAB400ITAU.RET"), "--wallet", str(wallet.pk))
    assert "52 record(s), 50 settled" in out
    assert "Information only: 1" in out and "Invoice not found: 1" in out and "Settled: 50" in out


def test_cnab_import_command_refusals(admin_user, customer, wallet, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    file_invoices(admin_user, customer, wallet, "CNAB240SICOOB.RET")
    data = fixture_bytes("CNAB240SICOOB.RET")
    cut = tmp_path / "cut.RET"
    cut.write_bytes(data[: len(data) // 2])
    before = snapshot()
    with pytest.raises(CommandError, match=r"line \d+"):
        run("cnab_import", str(cut), "--wallet", str(wallet.pk))
    with pytest.raises(CommandError, match="from bank 341"):
        run("cnab_import", str(FIXTURES / "CNAB400ITAU.RET"), "--wallet", str(wallet.pk))
    with pytest.raises(CommandError, match="No wallet 999999"):
        run("cnab_import", str(cut), "--wallet", "999999")
    with pytest.raises(CommandError, match="No such file"):
        run("cnab_import", str(tmp_path / "missing.RET"), "--wallet", str(wallet.pk))
    with pytest.raises(CommandError, match="No operator"):
        run("cnab_import", str(cut), "--wallet", str(wallet.pk), "--user", "ninguem")
    assert snapshot() == before
    assert Payment.objects.count() == 0
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.RET"))
