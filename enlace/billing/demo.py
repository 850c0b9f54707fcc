"""Finance part of the demo ISP (``manage.py seed_demo``, after contracts and RADIUS).

- the demo wallets get a PIX key (a random "EVP" key) so every invoice carries its PIX charge;
- the demo contracts are billed from three months ago (their first billing date is moved back to
  then, never before the activation) by billing runs (``billing_run_start_and_execute``) of the last two
  months, this month and the next one;
- most past invoices are settled (some late, with fine and interest), by hand (``payment_create``)
  or by a bank return file built with ``cnab.build_cnab240`` and imported with ``cnab_import``
  (settled, already-paid, information-only and not-found records);
- João Pedro's recent invoices stay overdue and the collection routine (``collection_run``, first
  on the day his notice would have been given, then today) blocks his contract; Fernanda's stay
  overdue and get the notice; Maria das Graças paid her last invoice partly;
- the Padaria's oldest invoice is renegotiated into three instalments (``renegotiation_*``);
- Fernanda has a one-off invoice ("Taxa de instalação") paid in cash.

Only contracts whose logins are offline change their access status, so no Disconnect or CoA is
ever sent to the demo concentrators. Idempotent: each step first looks for what it would make
(a billing run of the period, a payment of the invoice, the renegotiation, the file, the collection
state, the one-off invoice) and does nothing when it is there.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from enlace.contracts.models import ContractStatus
from enlace.contracts.services import contract_update
from enlace.core.models import GeneralParameters
from enlace.core.money import cents
from enlace.core.services import object_save

from .cnab import SyntheticRecord, build_cnab240, nosso_numero_for
from .models import (
    BillingRun,
    BillingSettings,
    CnabImport,
    CollectionState,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentMethod,
)
from .models import Renegotiation as RenegotiationModel
from .services.collection import collection_run
from .services.imports import cnab_import
from .services.invoices import invoice_create
from .services.payments import payment_create
from .services.renegotiation import renegotiation_finish, renegotiation_start, renegotiation_update
from .services.runs import billing_run_start_and_execute

#: Random PIX keys (EVP) of the demo wallets, by branch key.
PIX_KEYS = {
    "branch_main": "5f1c2b7e-8a4d-4c3b-9e2f-1a6d7c8b9e01",
    "branch_second": "9b2e4d6f-1c3a-4e5b-8d7f-2a4c6e8b0d12",
}
#: The key the contracts step gave the wallets (replaced by the EVP key).
OLD_DEMO_KEY = "financeiro@horizontefibra.example"

ANA = "Ana Beatriz Souza"
JOAO = "João Pedro Almeida"
MARIA = "Maria das Graças Oliveira"
PADARIA = "Padaria Pão Quente Ltda"
LUCAS = "Lucas Martins Rocha"
FERNANDA = "Fernanda Lima Costa"

#: How the past invoices of each customer are paid: (method, days late for the oldest one).
PAYERS = {
    ANA: (PaymentMethod.PIX, 6),
    LUCAS: (PaymentMethod.CASH, 3),
    MARIA: (PaymentMethod.BOLETO, 0),
    JOAO: (PaymentMethod.TRANSFER, 0),
}
OVERDUE_WINDOW = 55  # João's invoices due in the last 55 days stay open (and block his contract)
CNAB_FILE = "DEMO-RETORNO-SICOOB.RET"
INSTALLATION_FEE = "Taxa de instalação"


def _periods(today: datetime.date) -> list[str]:
    """The last two months, this month and the next one, as YYYY-MM."""
    periods = []
    for offset in (-2, -1, 0, 1):
        month = today.month - 1 + offset
        year, month = today.year + month // 12, month % 12 + 1
        periods.append(f"{year:04d}-{month:02d}")
    return periods


def _pix_keys(demo) -> None:
    for branch_key, key in PIX_KEYS.items():
        wallet = demo.objects.get(f"wallet_{branch_key}")
        if wallet is None:
            continue
        wallet.refresh_from_db()
        if wallet.pix_key in ("", OLD_DEMO_KEY):
            wallet.pix_key = key
            object_save(wallet, actor=None)


def _first_billing(demo, first_day: datetime.date) -> None:
    """Bill the demo contracts from ``first_day``'s month on (never before the activation)."""
    for contract in demo.objects.get("contracts", {}).values():
        contract.refresh_from_db()
        if contract.status != ContractStatus.ACTIVE or contract.activation_date is None:
            continue
        start = max(contract.activation_date, first_day)
        if contract.first_billing_date is None or contract.first_billing_date > start:
            contract_update(actor=None, contract=contract, first_billing_date=start)


def _billing_runs(demo, periods) -> None:
    demo.track(BillingRun)
    demo.track(Invoice)
    for period in periods:
        if BillingRun.objects.filter(period=period, branch=None, status=BillingRun.Status.DONE).exists():
            continue
        run = billing_run_start_and_execute(actor=None, period=period)
        demo.created[BillingRun._meta.label] += 1
        demo.created[Invoice._meta.label] += run.created


def _past_open(contract, today) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            contract=contract, kind=InvoiceKind.RECURRING, due_date__lt=today, renegotiated=False
        )
        .exclude(status="C")
        .order_by("due_date")
    )


def _pay(demo, invoice: Invoice, *, method, late_days=0, amount=None) -> Payment | None:
    if invoice.payments.exists() or not invoice.is_open:
        return None
    date = invoice.due_date + datetime.timedelta(days=late_days) if late_days else invoice.due_date
    date = min(date, timezone.localdate())
    payment = payment_create(
        actor=None, invoice=invoice, date=date, method=method, amount=amount, notes="Demo"
    )
    demo.created[Payment._meta.label] += 1
    return payment


def _settlements(demo, contracts, today) -> None:
    demo.track(Payment)
    for name, (method, late) in PAYERS.items():
        contract = contracts.get(name)
        if contract is None:
            continue
        invoices = _past_open(contract, today)
        for n, invoice in enumerate(invoices):
            if name == JOAO and invoice.due_date >= today - datetime.timedelta(days=OVERDUE_WINDOW):
                continue  # stays overdue: the collection routine blocks the contract
            if name == MARIA and n == len(invoices) - 1:
                _pay(demo, invoice, method=method, amount=cents(invoice.amount / 2))
                continue  # partly paid (P)
            _pay(demo, invoice, method=method, late_days=late if n == 0 else 0)


def _one_off(demo, contracts) -> None:
    contract = contracts.get(FERNANDA)
    if contract is None or contract.activation_date is None:
        return
    customer = contract.customer
    invoice = Invoice.objects.filter(customer=customer, description=INSTALLATION_FEE).first()
    if invoice is None:
        invoice = invoice_create(
            actor=None,
            customer=customer,
            contract=contract,
            wallet=contract.wallet,
            description=INSTALLATION_FEE,
            issue_date=contract.activation_date,
            due_date=contract.activation_date + datetime.timedelta(days=10),
            amount=Decimal("150.00"),
        )
        demo.created[Invoice._meta.label] += 1
    if invoice.due_date < timezone.localdate():
        _pay(demo, invoice, method=PaymentMethod.CASH)


def _renegotiation(demo, contracts, today) -> None:
    demo.track(RenegotiationModel)
    contract = contracts.get(PADARIA)
    if contract is None or RenegotiationModel.objects.filter(customer=contract.customer_id).exists():
        return
    oldest = _past_open(contract, today)[:1]
    if not oldest or not oldest[0].is_open:
        return
    draft = renegotiation_start(actor=None, customer=contract.customer, invoices=oldest)
    renegotiation_update(
        actor=None,
        renegotiation=draft,
        instalments=3,
        discount=Decimal("10.00"),
        first_due_date=today + datetime.timedelta(days=10),
        notes="Acordo por telefone com o proprietário.",
    )
    renegotiation_finish(actor=None, renegotiation=draft)
    demo.created[RenegotiationModel._meta.label] += 1


def _cnab(demo, contracts, today) -> None:
    """A Sicoob return file of the head office's wallet: Padaria's past invoices settled on their
    due date, Ana's first invoice again (already paid), her next one registered (information) and a
    title the ISP does not know."""
    demo.track(CnabImport)
    wallet = demo.objects.get("wallet_branch_main")
    padaria, ana = contracts.get(PADARIA), contracts.get(ANA)
    if wallet is None or padaria is None or CnabImport.objects.filter(file_name=CNAB_FILE).exists():
        return
    wallet.refresh_from_db()

    def number(invoice_or_int):
        value = getattr(invoice_or_int, "nosso_numero", invoice_or_int)
        return nosso_numero_for("240", wallet.bank_code, value, agency=wallet.agency, account=wallet.account)

    def record(invoice, code="06", paid=True):
        return SyntheticRecord(
            nosso_numero=number(invoice),
            occurrence_code=code,
            face_value=invoice.amount,
            paid_amount=invoice.amount if paid else Decimal("0"),
            due_date=invoice.due_date,
            occurrence_date=invoice.due_date if paid else today,
            credit_date=invoice.due_date + datetime.timedelta(days=1) if paid else None,
            document_number=str(invoice.pk),
            payer_name=invoice.customer.name[:40].upper(),
        )

    records = [record(i) for i in _past_open(padaria, today) if i.is_open and not i.payments.exists()]
    if ana is not None:
        ana_invoices = list(
            Invoice.objects.filter(contract=ana, kind=InvoiceKind.RECURRING).order_by("due_date")
        )
        paid = [i for i in ana_invoices if i.status == "R"]
        future = [i for i in ana_invoices if i.due_date >= today and i.is_open]
        if paid:
            records.append(record(paid[0]))
        if future:
            records.append(record(future[0], code="02", paid=False))
    if not records:
        return
    records.append(
        SyntheticRecord(
            nosso_numero=number(987654),
            occurrence_code="06",
            face_value=Decimal("89.90"),
            paid_amount=Decimal("89.90"),
            due_date=today - datetime.timedelta(days=3),
            occurrence_date=today - datetime.timedelta(days=3),
            credit_date=today - datetime.timedelta(days=2),
            payer_name="PAGADOR DESCONHECIDO",
        )
    )
    data = build_cnab240(
        wallet.bank_code,
        records,
        company_name=GeneralParameters.load().company_name[:30].upper() or "HORIZONTE FIBRA",
        agency=wallet.agency,
        account=wallet.account,
        account_dv=wallet.account_digit or "0",
        convenio=wallet.convenio,
        generation_date=today,
    )
    cnab_import(actor=None, wallet=wallet, data=data, file_name=CNAB_FILE, store_file=False)
    demo.created[CnabImport._meta.label] += 1


def _collection(demo, contracts, today) -> None:
    """Run the collection routine on the day João's notice would have been given, then today: his
    contract ends blocked (past the limit), Fernanda's gets the notice."""
    joao = contracts.get(JOAO)
    if joao is None or CollectionState.objects.filter(contract=joao).exists():
        return
    oldest = Invoice.objects.filter(
        contract=joao, status__in=("A", "P"), renegotiated=False, due_date__lt=today
    )
    first = oldest.order_by("due_date").first()
    if first is not None:
        params = BillingSettings.load()
        notice_day = first.due_date + datetime.timedelta(days=max(params.collection_notice_days, 1))
        if notice_day < today:
            collection_run(today=notice_day)
    collection_run(today=today)


def seed(demo):
    contracts = demo.objects.get("contracts", {})
    if not contracts:
        return
    today = timezone.localdate()
    periods = _periods(today)
    first_day = datetime.date(int(periods[0][:4]), int(periods[0][5:]), 1)
    _pix_keys(demo)
    _first_billing(demo, first_day)
    _billing_runs(demo, periods)
    for contract in contracts.values():
        contract.refresh_from_db()
    _settlements(demo, contracts, today)
    _one_off(demo, contracts)
    _renegotiation(demo, contracts, today)
    _cnab(demo, contracts, today)
    _collection(demo, contracts, today)
