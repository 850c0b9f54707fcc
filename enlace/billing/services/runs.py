"""The billing run ("faturamento", SPEC F-3): one recurring invoice per active contract and period.

Rules (docs/billing.md):

- the invoice of period ``YYYY-MM`` (competência) charges that month and falls due on the
  contract's due day of that month;
- a contract is billed for a period when it is active, was activated by the end of the period and
  the period's due date is on or after its first billing date;
- the contract's first invoice is pro rata from the activation date to the end of its period
  (``monthly × days / days in the month``) when the contract was activated in that period or the
  month before it, so a subscriber activated on the 20th pays for those days in the first invoice;
  a contract activated earlier (e.g. brought over from another system) starts with the plain
  monthly amount — never months of back fees; later invoices charge the monthly amount (price or
  plan price minus the contract's discount);
- the database's unique (contract, period) constraint makes a second run — or a run started again
  after a crash — create nothing twice; contracts are read in chunks (memory stays bounded) and
  each chunk commits on its own, together with the run's figures and heartbeat;
- a worker takes a run with ``billing_run_claim`` (one conditional UPDATE): a queued run, or a
  running one whose heartbeat is older than ``STALE_AFTER`` (its worker died: killed, out of
  memory, machine lost). The run then goes on with the contracts not billed yet, and its figures
  stay exact, since they commit with the invoices they count. The task ``resume_billing_runs``
  (beat, every 5 minutes) sends such runs (``selectors.stale_billing_runs``) to a worker again
  (docs/operations.md, "What happens when a worker dies in a billing run").

Invoices made by a run point to it (``Invoice.billing_run``); the run, with its operator and
figures, is what the audit trail records (one entry per run, not 100,000).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import Contract, Plan
from enlace.core import context
from enlace.core.models import Wallet
from enlace.core.money import cents
from enlace.core.scope import allowed_branch_ids
from enlace.core.services import operator_of
from enlace.core.types import Actor

from .. import signals
from ..models import BillingRun, Invoice, InvoiceKind
from ..selectors import STALE_AFTER, billable_contracts, parse_period
from .common import column_of, take_nosso_numeros
from .invoices import invoice_fill_charges

CHUNK = 5000  # contracts per transaction: bounded memory (~25 MB), few round trips per contract


def invoice_amount(
    contract: Contract | _ContractRow, first: datetime.date, last: datetime.date, *, is_first: bool
) -> Decimal:
    monthly = contract.monthly_amount or Decimal("0")
    if not is_first or contract.activation_date is None:
        return monthly
    previous_month_start = (first - datetime.timedelta(days=1)).replace(day=1)
    if contract.activation_date < previous_month_start:
        return monthly  # activated long before its first invoice (migrated): no back fees
    days_in_month = (last - first).days + 1
    days = (last - contract.activation_date).days + 1
    if days == days_in_month:
        return monthly
    return cents(monthly * days / days_in_month)


def billing_run_start(*, actor: Actor, period: str, branch=None) -> BillingRun:
    """Record a run to be executed (by ``billing_run_execute`` in a task or a command). An
    operator limited to some branches runs it for one of them only (no branch = every branch)."""
    parse_period(period)
    if getattr(actor, "is_authenticated", False):
        allowed = allowed_branch_ids(actor)
        if allowed is not None and (branch is None or branch.pk not in allowed):
            raise ValidationError({"branch": [_("Choose one of your branches.")]})
    run = BillingRun(period=period, branch=branch, operator=operator_of(actor))
    run.save()  # audited by the save signal
    return run


def billing_run_claim(run_id: int) -> BillingRun | None:
    """Take run ``run_id`` for this worker: a queued run, or a running one whose worker stopped
    beating (``STALE_AFTER``). One conditional UPDATE, so of two workers only one gets it;
    ``None`` when the run is someone else's (or finished)."""
    now = timezone.now()
    stale = now - STALE_AFTER
    Status = BillingRun.Status
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=stale)
    claimable |= Q(status=Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=stale)
    if not BillingRun.objects.filter(claimable, pk=run_id).update(status=Status.RUNNING, heartbeat_at=now):
        return None
    return BillingRun.objects.get(pk=run_id)


def billing_run_execute(
    run: BillingRun, *, progress: Callable[[int], None] | None = None, chunk: int = CHUNK
) -> BillingRun:
    """Generate the run's invoices chunk by chunk; figures are saved on the run as it goes. A run
    taken again after its worker died (``billing_run_claim``) goes on from what was committed."""
    first, last = parse_period(run.period)
    base = billable_contracts(run.period, branch=run.branch)
    run.status = BillingRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.heartbeat_at = timezone.now()
    run.total = run.processed + base.count()  # what earlier workers processed + what is left
    run.save(update_fields=["status", "started_at", "heartbeat_at", "total"])
    last_pk = 0
    cache = _Cache()
    try:
        while True:
            ids = list(base.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            last_pk = ids[-1]
            with transaction.atomic():  # the figures commit with the invoices they count
                created, skipped, amount, errors = _bill_chunk(run, ids, first, last, cache=cache)
                run.processed += len(ids)
                run.created += created
                run.skipped += skipped
                run.amount += amount
                run.errors += len(errors)
                run.error_messages = (run.error_messages + errors)[:200]
                run.heartbeat_at = timezone.now()
                run.save(
                    update_fields=[
                        "processed",
                        "created",
                        "skipped",
                        "amount",
                        "errors",
                        "error_messages",
                        "heartbeat_at",
                    ]
                )
            if progress:
                progress(len(ids))
    except Exception as exc:
        run.status = BillingRun.Status.FAILED
        run.error_messages = [*run.error_messages, str(exc)][:200]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error_messages", "finished_at"])
        raise
    run.status = BillingRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    signals.send_on_commit(signals.billing_run_finished, BillingRun, run=run)
    return run


class _ContractRow:
    """What a chunk reads of a contract, from one ``values_list`` row: no model instance per
    contract (a second per 100,000). The price rules are the model's own properties."""

    FIELDS = (
        "id",
        "customer_id",
        "branch_id",
        "plan_id",
        "wallet_id",
        "due_day",
        "first_billing_date",
        "activation_date",
        "price",
        "discount",
        "installation_fee",
        "installation_instalments",
        "customer__analytic_account_id",
    )
    __slots__ = (*FIELDS[:-1], "analytic_account_id", "plan")

    effective_price = Contract.effective_price
    # Contract's property, read on a row as on a contract (what the annotation tells the checker).
    monthly_amount: Decimal | None = Contract.monthly_amount  # type: ignore[assignment]

    def __init__(self, row, plan):
        (
            self.id,
            self.customer_id,
            self.branch_id,
            self.plan_id,
            self.wallet_id,
            self.due_day,
            self.first_billing_date,
            self.activation_date,
            self.price,
            self.discount,
            self.installation_fee,
            self.installation_instalments,
            self.analytic_account_id,
        ) = row
        self.plan = plan

    @property
    def pk(self) -> int:
        return self.id


class _Cache:
    """Plans and wallets (with the branch and city the PIX payload names) read once per run,
    not once per contract."""

    def __init__(self):
        self.plans: dict[int, Plan] = {}
        self.wallets: dict[int, Wallet] = {}

    def fill(self, rows) -> None:
        """Read the plans and wallets of ``rows`` (``_ContractRow.FIELDS``) not read yet."""
        plan_ids = {row[3] for row in rows} - self.plans.keys()
        if plan_ids:
            self.plans.update(Plan.objects.in_bulk(plan_ids))
        wallet_ids = {row[4] for row in rows} - self.wallets.keys()
        if wallet_ids:
            self.wallets.update(Wallet.objects.select_related("branch", "branch__city").in_bulk(wallet_ids))


class _NewInvoices:
    """Builds a chunk's invoices positionally from one row of defaults: Django's keyword
    ``__init__`` costs twice as much per object, seconds over 100,000 invoices. Choices are
    stored by value, as the ORM writes them."""

    def __init__(self):
        fields = Invoice._meta.concrete_fields
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.template = []
        for f in fields:
            if f.primary_key:
                value = None
            elif f.has_default():
                value = f.get_default()  # created_at, issue_date: now, once per chunk
            else:
                value = None if f.null else ""
            self.template.append(value.value if isinstance(value, Enum) else value)

    def make(self, **values) -> Invoice:
        row = self.template.copy()
        for name, value in values.items():
            row[self.index[name]] = value
        return Invoice(*row)


def _bill_chunk(run, ids, first, last, *, retry: bool = True, cache: _Cache | None = None):
    cache = cache or _Cache()
    with transaction.atomic():
        rows = list(
            billable_contracts(run.period).filter(pk__in=ids).order_by("pk").values_list(*_ContractRow.FIELDS)
        )
        cache.fill(rows)
        contracts = [_ContractRow(row, cache.plans[row[3]]) for row in rows]
        skipped = len(ids) - len(contracts)
        due_day_dates: dict[int, datetime.date] = {}
        billed_before = set(
            Invoice.objects.filter(contract_id__in=[c.pk for c in contracts], kind=InvoiceKind.RECURRING)
            .values_list("contract_id", flat=True)
            .distinct()
        )
        by_wallet = defaultdict(list)
        errors = []
        for contract in contracts:
            due = due_day_dates.setdefault(contract.due_day, first.replace(day=contract.due_day))
            if contract.first_billing_date and due < contract.first_billing_date:
                skipped += 1
                continue
            is_first = contract.pk not in billed_before
            amount = invoice_amount(contract, first, last, is_first=is_first)
            if amount <= 0:
                skipped += 1
                continue
            by_wallet[contract.wallet_id].append((contract, due, amount, None))
            if is_first and contract.installation_fee:
                by_wallet[contract.wallet_id].extend(installation_instalments(contract, due))
        invoices = []
        today = timezone.localdate()
        descriptions: dict[int, str] = {}
        factory = _NewInvoices()
        for wallet_id, items in by_wallet.items():
            wallet = cache.wallets[wallet_id]
            numbers = iter(take_nosso_numeros(wallet, len(items), issue_date=today))
            for contract, due, amount, instalment in items:
                if instalment is not None:
                    invoice = _installation_invoice(
                        factory, run, contract, wallet_id, due, amount, instalment
                    )
                    invoice.nosso_numero = next(numbers)
                    invoice.wallet = wallet
                    try:
                        invoice_fill_charges(invoice)
                    except ValidationError as exc:
                        errors.append(
                            _("Contract %(id)s: %(error)s")
                            % {"id": contract.pk, "error": "; ".join(exc.messages)}
                        )
                        continue
                    invoices.append(invoice)
                    continue
                description = descriptions.get(contract.plan_id)
                if description is None:
                    description = descriptions[contract.plan_id] = _("Monthly fee %(period)s — %(plan)s") % {
                        "period": f"{first:%m/%Y}",
                        "plan": contract.plan.name,
                    }
                invoice = factory.make(
                    customer_id=contract.customer_id,
                    branch_id=contract.branch_id,
                    contract_id=contract.pk,
                    wallet_id=wallet_id,
                    kind=InvoiceKind.RECURRING.value,
                    period=run.period,
                    description=description,
                    issue_date=today,
                    due_date=due,
                    amount=amount,
                    nosso_numero=next(numbers),
                    analytic_account_id=contract.analytic_account_id,
                    billing_run_id=run.pk,
                )
                invoice.wallet = wallet
                try:
                    invoice_fill_charges(invoice)
                except ValidationError as exc:
                    errors.append(
                        _("Contract %(id)s: %(error)s")
                        % {"id": contract.pk, "error": "; ".join(exc.messages)}
                    )
                    continue
                invoices.append(invoice)
        try:
            with transaction.atomic():
                _insert(invoices)
        except IntegrityError:
            if not retry:
                raise
            retry_now = True
        else:
            retry_now = False
    if retry_now:
        # another run billed some of these contracts meanwhile: take the chunk again without them
        return _bill_chunk(run, ids, first, last, retry=False, cache=cache)
    return len(invoices), skipped, sum((i.amount for i in invoices), Decimal("0")), errors


def _add_months(date: datetime.date, months: int) -> datetime.date:
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def installation_instalments(contract, first_due: datetime.date) -> list[tuple]:
    """The installation fee of ``contract`` (CT-6: its amount and number of instalments) as
    (contract, due date, amount, instalment) items: the first falls due with the contract's
    first recurring invoice, the others a month apart; cents left by the split go to the last."""
    count = max(int(contract.installation_instalments or 1), 1)
    fee = contract.installation_fee
    part = cents(fee / count)
    items = []
    for number in range(1, count + 1):
        amount = part if number < count else fee - part * (count - 1)
        items.append((contract, _add_months(first_due, number - 1), amount, number))
    return items


def _installation_invoice(factory, run, contract, wallet_id, due, amount, instalment) -> Invoice:
    """A one-off invoice of the contract's installation fee (issue 16, item 7: separate one-off
    invoices, numbered by ``installation_instalment``; the unique (contract, instalment) makes a
    second run bill none of them again)."""
    count = max(int(contract.installation_instalments or 1), 1)
    return factory.make(
        customer_id=contract.customer_id,
        branch_id=contract.branch_id,
        contract_id=contract.pk,
        wallet_id=wallet_id,
        kind=InvoiceKind.ONE_OFF.value,
        period="",
        description=_("Installation fee %(number)s/%(count)s") % {"number": instalment, "count": count},
        issue_date=timezone.localdate(),
        due_date=due,
        amount=amount,
        analytic_account_id=contract.analytic_account_id,
        billing_run_id=run.pk,
        installation_instalment=instalment,
    )


def _insert(invoices: list[Invoice]) -> None:
    """Write new invoices in bulk: COPY on PostgreSQL (several times faster than INSERT batches
    for 100,000 rows), ``bulk_create`` elsewhere. The invoices get no primary key back."""
    if connection.vendor != "postgresql":
        Invoice.objects.bulk_create(invoices, batch_size=1000)
        return
    fields = [f for f in Invoice._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(column_of(f)) for f in fields)
    row = attrgetter(*(f.attname for f in fields))
    sql = f"COPY {Invoice._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for invoice in invoices:
            copy.write_row(row(invoice))


def billing_run_start_and_execute(*, actor: Actor, period: str, branch=None, progress=None) -> BillingRun:
    """Start and execute a run in the caller (command, task)."""
    ctx = context.current()
    with context.acting_as(actor, source=ctx.source, request_id=ctx.request_id):
        run = billing_run_start(actor=actor, period=period, branch=branch)
        return billing_run_execute(run, progress=progress)
