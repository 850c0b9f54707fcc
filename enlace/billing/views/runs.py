"""Billing runs ("Faturamento", F-3: one invoice per active recurring contract and period; running it
twice creates nothing new): the list of past runs, the form (period — next month by
default — and branch) that starts a run in the background (``tasks.execute_billing_run``), and the
progress page, which polls every second with HTMX while the run works and ends with its summary."""

import logging

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from enlace.core.exceptions import ApplicationError
from enlace.core.forms import add_service_errors
from enlace.core.views.generic import ObjectDetailView, ObjectListView, ObjectViewMixin

from .. import filtersets, forms, tables, tasks
from ..models import BillingRun
from ..services.runs import billing_run_start

logger = logging.getLogger(__name__)


class _RunScopeMixin:
    """Runs with their branch and operator. The branch scope is BillingRun's own declaration
    (``branch_scope = "branch"``): a run of every branch (no branch) is not a limited operator's."""

    queryset = BillingRun.objects.select_related("branch", "operator")


class BillingRunListView(_RunScopeMixin, ObjectListView):
    model = BillingRun
    table_class = tables.BillingRunTable
    filterset_class = filtersets.BillingRunFilterSet
    template_name = "billing/object_list.html"

    def base_context(self):
        return {**super().base_context(), "add_label": _("New billing run")}


class BillingRunAddView(ObjectViewMixin, View):
    """Start a run: recorded by ``billing_run_start``, executed by the Celery task (in the request when
    no broker is configured), then the progress page."""

    model = BillingRun
    action = "add"
    template_name = "billing/billingrun_form.html"

    def render_form(self, form):
        return render(self.request, self.template_name, {**self.base_context(), "form": form})

    def get(self, request):
        return self.render_form(forms.BillingRunForm(user=request.user))

    def post(self, request):
        form = forms.BillingRunForm(data=request.POST, user=request.user)
        if form.is_valid():
            try:
                run = billing_run_start(
                    actor=request.user, period=form.cleaned_data["period"], branch=form.cleaned_data["branch"]
                )
            except (ValidationError, ApplicationError) as exc:
                add_service_errors(form, exc)
            else:
                try:
                    tasks.execute_billing_run.delay(run.pk)
                except Exception:
                    # eager execution (no broker) propagates; the run itself records that it failed
                    logger.exception("billing run %s failed", run.pk)
                return redirect(run.get_absolute_url())
        return self.render_form(form)


def progress_context(run: BillingRun) -> dict:
    percent = round(run.processed * 100 / run.total) if run.total else (100 if run.status == "done" else 0)
    return {
        "run": run,
        "percent": percent,
        "working": run.status in (BillingRun.Status.QUEUED, BillingRun.Status.RUNNING),
    }


class BillingRunDetailView(_RunScopeMixin, ObjectDetailView):
    """A run: period, branch, operator and the progress (then the summary)."""

    model = BillingRun
    template_name = "billing/billingrun_detail.html"

    def fields_for(self, obj):
        return []

    def get_extra_context(self, run):
        return progress_context(run)


class BillingRunProgressView(_RunScopeMixin, ObjectViewMixin, View):
    """The progress block alone, for the page's HTMX polling (every second while running)."""

    model = BillingRun

    def get(self, request, pk):
        run = self.get_object()
        if not request.htmx:
            return redirect(run.get_absolute_url())
        return render(request, "billing/includes/run_progress.html", progress_context(run))
