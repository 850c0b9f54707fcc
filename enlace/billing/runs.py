"""The billing run ("faturamento", SPEC F-3): one recurring invoice per active contract and period.

Rules (docs/billing.md):

- the invoice of period ``YYYY-MM`` (competência) charges that month and falls due on the
  contract's due day of that month;
- a contract is billed for a period when it is active, was activated by the end of the period and
  the period's due date is on or after its first billing date;
- the contract's first invoice is pro rata from the activation date to the end of its period
  (``monthly × days / days in the month``), so a subscriber activated on the 20th pays for those
  days in the first invoice; later invoices charge the monthly amount (price or plan price minus
  the contract's discount);
- the database's unique (contract, period) constraint makes a second run — or a run started again
  after a crash — create nothing twice; contracts are read in chunks (memory stays bounded) and
  each chunk commits on its own.

Invoices made by a run point to it (``Invoice.billing_run``); the run, with its operator and
figures, is what the audit trail records (one entry per run, not 100,000).
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import Contract, ContractStatus
from enlace.core import audit, context
from enlace.core.models import ObjectChange

from . import charges
from .models import BillingRun, Invoice, InvoiceKind
from .services import take_nosso_numeros

CHUNK = 2000
CENT = Decimal("0.01")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(period: str) -> tuple[datetime.date, datetime.date]:
    """``"2026-12"`` → (first day, last day) of the month; ``ValidationError`` naming ``period``."""
    match = PERIOD_RE.match(period or "")
    if not match:
        raise ValidationError({"period": [_("Give the period as YYYY-MM, e.g. 2026-12.")]})
    year, month = int(match[1]), int(match[2])
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def billable_contracts(period: str, *, branch=None):
    """Active contracts billed for ``period`` that have no invoice for it yet."""
    first, last = parse_period(period)
    qs = Contract.objects.filter(status=ContractStatus.ACTIVE, activation_date__lte=last)
    if branch is not None:
        qs = qs.filter(branch=branch)
    existing = Invoice.objects.filter(contract=OuterRef("pk"), kind=InvoiceKind.RECURRING, period=period)
    return qs.filter(~Exists(existing))


def invoice_amount(
    contract: Contract, first: datetime.date, last: datetime.date, *, is_first: bool
) -> Decimal:
    monthly = contract.monthly_amount or Decimal("0")
    if not is_first or contract.activation_date is None:
        return monthly
    days_in_month = (last - first).days + 1
    days = (last - contract.activation_date).days + 1
    if days == days_in_month:
        return monthly
    return (monthly * days / days_in_month).quantize(CENT, rounding=ROUND_HALF_UP)


def start_run(*, actor, period: str, branch=None) -> BillingRun:
    """Record a run to be executed (by ``execute`` in a task or a command)."""
    parse_period(period)
    run = BillingRun(
        period=period, branch=branch, operator=actor if getattr(actor, "is_authenticated", False) else None
    )
    run.save()
    audit.record_change(run, ObjectChange.Action.CREATE, None, audit.serialize(run))
    return run


def execute(
    run: BillingRun, *, progress: Callable[[int], None] | None = None, chunk: int = CHUNK
) -> BillingRun:
    """Generate the run's invoices chunk by chunk; figures are saved on the run as it goes."""
    first, last = parse_period(run.period)
    base = billable_contracts(run.period, branch=run.branch)
    run.status = BillingRun.Status.RUNNING
    run.started_at = timezone.now()
    run.total = base.count()
    run.save(update_fields=["status", "started_at", "total"])
    last_pk = 0
    try:
        while True:
            ids = list(base.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            last_pk = ids[-1]
            created, skipped, amount, errors = _bill_chunk(run, ids, first, last)
            run.processed += len(ids)
            run.created += created
            run.skipped += skipped
            run.amount += amount
            run.errors += len(errors)
            run.error_messages = (run.error_messages + errors)[:200]
            run.save(update_fields=["processed", "created", "skipped", "amount", "errors", "error_messages"])
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
    return run


def _bill_chunk(run, ids, first, last, *, retry: bool = True):
    with transaction.atomic():
        contracts = list(
            billable_contracts(run.period)
            .filter(pk__in=ids)
            .select_related("plan", "wallet", "wallet__branch", "wallet__branch__city", "customer")
            .order_by("pk")
        )
        skipped = len(ids) - len(contracts)
        due_day_dates = {}
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
            amount = invoice_amount(contract, first, last, is_first=contract.pk not in billed_before)
            if amount <= 0:
                skipped += 1
                continue
            by_wallet[contract.wallet_id].append((contract, due, amount))
        invoices = []
        for items in by_wallet.values():
            wallet = items[0][0].wallet
            numbers = iter(take_nosso_numeros(wallet, len(items)))
            for contract, due, amount in items:
                invoice = Invoice(
                    customer_id=contract.customer_id,
                    branch_id=contract.branch_id,
                    contract=contract,
                    wallet=wallet,
                    kind=InvoiceKind.RECURRING,
                    period=run.period,
                    description=_("Monthly fee %(period)s — %(plan)s")
                    % {"period": f"{first:%m/%Y}", "plan": contract.plan.name},
                    issue_date=timezone.localdate(),
                    due_date=due,
                    amount=amount,
                    nosso_numero=next(numbers),
                    analytic_account_id=contract.customer.analytic_account_id,
                    billing_run=run,
                )
                try:
                    charges.fill(invoice)
                except ValidationError as exc:
                    errors.append(
                        _("Contract %(id)s: %(error)s")
                        % {"id": contract.pk, "error": "; ".join(exc.messages)}
                    )
                    continue
                invoices.append(invoice)
        try:
            with transaction.atomic():
                Invoice.objects.bulk_create(invoices, batch_size=1000)
        except IntegrityError:
            if not retry:
                raise
            retry_now = True
        else:
            retry_now = False
    if retry_now:
        # another run billed some of these contracts meanwhile: take the chunk again without them
        return _bill_chunk(run, ids, first, last, retry=False)
    return len(invoices), skipped, sum((i.amount for i in invoices), Decimal("0")), errors


def billing_run(*, actor, period: str, branch=None, progress=None) -> BillingRun:
    """Start and execute a run in the caller (command, task)."""
    ctx = context.current()
    with context.acting_as(actor, source=ctx.source, request_id=ctx.request_id):
        run = start_run(actor=actor, period=period, branch=branch)
        return execute(run, progress=progress)
