"""Celery tasks of the fiscal area. Idempotent: issuing returns the invoice's existing document,
and transmitting an authorised document does nothing."""

from celery import shared_task

from enlace.core import context
from enlace.core.tasks import register_periodic


@shared_task(name="enlace.fiscal.tasks.issue_invoices", ignore_result=True)
def issue_invoices(invoice_ids: list[int]) -> dict:
    """Issue and transmit the NFCom of these invoices."""
    from .services import documents_issue_for_invoices

    with context.acting_as(None, source="task"):
        return documents_issue_for_invoices(invoice_ids, actor=None)


@shared_task(name="enlace.fiscal.tasks.issue_for_run", ignore_result=True)
def issue_for_run(run_id: int) -> dict:
    """Issue the NFCom of a finished billing run's invoices (branches that issue at the run)."""
    from enlace.billing.models import Invoice

    from .models import FiscalSettings, IssueOn
    from .services import documents_issue_for_invoices

    branches = FiscalSettings.objects.filter(issue_on=IssueOn.BILLING_RUN).values_list("branch_id", flat=True)
    ids = list(
        Invoice.objects.filter(billing_run_id=run_id, branch_id__in=list(branches)).values_list(
            "pk", flat=True
        )
    )
    with context.acting_as(None, source="task"):
        return documents_issue_for_invoices(ids, actor=None)


@shared_task(name="enlace.fiscal.tasks.transmit_pending", ignore_result=True)
def transmit_pending() -> dict:
    """Transmit drafts and offline-contingency documents (the authoriser is back)."""
    from .services import documents_transmit_pending

    with context.acting_as(None, source="task"):
        return documents_transmit_pending(actor=None)


register_periodic("fiscal-transmit-pending", "enlace.fiscal.tasks.transmit_pending", 600.0)
