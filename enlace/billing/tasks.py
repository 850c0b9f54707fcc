"""Celery tasks of the finance area (SPEC F-3: the billing run, one invoice per contract and period; F-9:
the daily collection routine that blocks overdue contracts). Each is idempotent: a retry or a second
worker never doubles an invoice or a block."""

from celery import shared_task
from celery.schedules import crontab

from enlace.core import context
from enlace.core.tasks import register_periodic


@shared_task(name="enlace.billing.tasks.check_contract", ignore_result=True)
def check_contract(contract_id: int) -> dict:
    """Judge one contract now (after a payment or a cancellation): releases it when no overdue
    invoice is left."""
    from .services.collection import collection_check_contract

    with context.acting_as(None, source="task"):
        return collection_check_contract(contract_id).as_dict()


@shared_task(name="enlace.billing.tasks.collection_routine", ignore_result=True)
def collection_routine() -> dict:
    """The daily collection routine (F-9: overdue contracts get the notice "Financeiro em atraso", then
    "Bloqueio automático"; a paid one gets its access back)."""
    from .services.collection import collection_run

    with context.acting_as(None, source="task"):
        return collection_run().as_dict()


register_periodic(
    "billing-collection-routine", "enlace.billing.tasks.collection_routine", crontab(hour=6, minute=0)
)


@shared_task(name="enlace.billing.tasks.execute_billing_run", ignore_result=True)
def execute_billing_run(run_id: int, chunk: int | None = None) -> dict:
    """Execute a run started from the UI or the API (the progress page polls it), or take again a
    run whose worker died (``billing_run_claim``). ``chunk``: contracts per transaction (default
    ``services.runs.CHUNK``)."""
    from .services.runs import CHUNK, billing_run_claim, billing_run_execute

    run = billing_run_claim(run_id)
    if run is None:
        return {"status": "taken"}  # a retry or a second worker does nothing
    with context.acting_as(run.operator, source="task"):
        run = billing_run_execute(run, chunk=chunk or CHUNK)
    return {"created": run.created, "skipped": run.skipped, "errors": run.errors}


@shared_task(name="enlace.billing.tasks.resume_billing_runs", ignore_result=True)
def resume_billing_runs() -> list[int]:
    """Send again the runs whose worker died or whose start message was lost (``selectors.stale_billing_runs``);
    the claim makes a run that is still alive refuse the second worker."""
    from .selectors import stale_billing_runs

    ids = list(stale_billing_runs().values_list("pk", flat=True))
    for run_id in ids:
        execute_billing_run.delay(run_id)
    return ids


register_periodic("billing-resume-runs", "enlace.billing.tasks.resume_billing_runs", 300.0)


@shared_task(name="enlace.billing.tasks.daily_billing", ignore_result=True)
def daily_billing() -> dict:
    """Every day, bill the period whose invoices fall due ``billing_days_ahead`` days from now;
    contracts activated since the last day are picked up, nothing is billed twice."""
    import datetime

    from django.utils import timezone

    from .models import BillingSettings
    from .services.runs import billing_run_start_and_execute

    ahead = timezone.localdate() + datetime.timedelta(days=BillingSettings.load().billing_days_ahead)
    with context.acting_as(None, source="task"):
        run = billing_run_start_and_execute(actor=None, period=f"{ahead:%Y-%m}")
    return {"period": run.period, "created": run.created}


register_periodic("billing-daily-run", "enlace.billing.tasks.daily_billing", crontab(hour=5, minute=0))


@shared_task(name="enlace.billing.tasks.daily_remittances", ignore_result=True)
def daily_remittances() -> dict:
    """Every morning, after the daily billing run: one remittance file per active wallet that
    registers its titles with the bank (issue 16), with every movement not sent yet; a wallet with
    nothing new gets no file. A wallet whose file cannot be written is reported and skipped."""
    from django.core.exceptions import ValidationError

    from enlace.core.exceptions import ApplicationError
    from enlace.core.models import Wallet

    from .cnab.remittance import MOVEMENT_CODES
    from .models import WalletRegistration
    from .registration import adapter_for

    not_required = set(WalletRegistration.objects.filter(required=False).values_list("wallet_id", flat=True))
    summary: dict = {"files": [], "errors": {}}
    with context.acting_as(None, source="task"):
        for wallet in Wallet.objects.filter(active=True).select_related("branch").order_by("pk"):
            if wallet.pk in not_required or (wallet.cnab_layout, wallet.bank_code) not in MOVEMENT_CODES:
                continue
            try:
                result = adapter_for(wallet).register(wallet=wallet, actor=None)
            except (ApplicationError, ValidationError) as exc:
                summary["errors"][wallet.pk] = str(exc)
                continue
            if result.remittance is not None:
                summary["files"].append(result.remittance.pk)
    return summary


register_periodic(
    "billing-daily-remittances", "enlace.billing.tasks.daily_remittances", crontab(hour=5, minute=30)
)
