from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalConfig(AppConfig):
    name = "enlace.fiscal"
    label = "fiscal"
    verbose_name = _("Fiscal documents")

    def ready(self):
        from enlace.billing import signals as billing_signals

        from . import checks, tasks  # noqa: F401 - register the system check and the periodic task

        billing_signals.billing_run_finished.connect(on_billing_run_finished, dispatch_uid="fiscal-run")
        billing_signals.payment_received.connect(on_payment_received, dispatch_uid="fiscal-payment")
        register_ui()


def on_billing_run_finished(sender, run, **kwargs):
    """Branches that issue at the billing run get the NFCom of the run's invoices (a task)."""
    from .models import FiscalSettings, IssueOn
    from .tasks import issue_for_run

    if FiscalSettings.objects.filter(issue_on=IssueOn.BILLING_RUN).exists():
        issue_for_run.delay(run.pk)


def on_payment_received(sender, payment, **kwargs):
    """Branches that issue at payment get the NFCom of the paid invoice (a task)."""
    from .models import FiscalSettings, IssueOn
    from .tasks import issue_invoices

    invoice = payment.invoice
    if FiscalSettings.objects.filter(branch_id=invoice.branch_id, issue_on=IssueOn.PAYMENT).exists():
        issue_invoices.delay([invoice.pk])


def register_ui():
    from enlace.core.navigation import register

    register("finance", _("Fiscal documents"), "fiscal:fiscaldocument_list", "fiscal.view_fiscaldocument")
    register("settings", _("Fiscal settings"), "fiscal:fiscalsettings_list", "fiscal.view_fiscalsettings")
    register(
        "settings",
        _("Plan fiscal profiles"),
        "fiscal:planfiscalprofile_list",
        "fiscal.view_planfiscalprofile",
    )
    register(
        "settings",
        _("Product fiscal profiles"),
        "fiscal:productfiscalprofile_list",
        "fiscal.view_productfiscalprofile",
    )
