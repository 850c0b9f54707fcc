"""Bank return files ("Retornos bancários", F-6: the same file imported twice settles nothing twice; a
malformed one is refused naming its line and changes nothing): the list of imported files, the upload (wallet
+ file, one transaction through ``services.imports.cnab_import``) and the result page with the records and
their outcome, paginated."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from enlace.core.exceptions import ApplicationError
from enlace.core.forms import add_service_errors
from enlace.core.money import brl
from enlace.core.views.generic import ObjectDetailView, ObjectListView, ObjectViewMixin

from .. import forms, tables
from ..models import CnabImport, CnabRecord
from ..services.imports import cnab_import


class CnabImportListView(ObjectListView):
    model = CnabImport
    queryset = CnabImport.objects.select_related("wallet")
    table_class = tables.CnabImportTable
    filterset_class = forms.CnabImportListFilterSet
    template_name = "billing/object_list.html"

    def base_context(self):
        return {**super().base_context(), "add_label": _("Import bank return file")}


class CnabImportAddView(ObjectViewMixin, View):
    """Upload of a return file: the wallet, then the file; a malformed file is refused naming the
    line, a file imported before is refused, and nothing changes."""

    model = CnabImport
    action = "add"
    template_name = "billing/cnabimport_form.html"

    def render_form(self, form):
        return render(self.request, self.template_name, {**self.base_context(), "form": form})

    def get(self, request):
        return self.render_form(forms.CnabUploadForm(user=request.user))

    def post(self, request):
        form = forms.CnabUploadForm(data=request.POST, files=request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = cnab_import(
                    actor=request.user,
                    wallet=form.cleaned_data["wallet"],
                    data=upload,  # read in chunks by the import, never whole
                    file_name=upload.name or "return.ret",
                )
            except (ValidationError, ApplicationError) as exc:
                add_service_errors(form, exc)
            else:
                imported = result.cnab_import
                messages.success(
                    request,
                    _("%(name)s imported: %(settled)s of %(records)s records settled (%(amount)s).")
                    % {
                        "name": imported.file_name,
                        "settled": imported.settled,
                        "records": imported.records,
                        "amount": brl(imported.settled_amount),
                    },
                )
                if imported.warnings:
                    messages.warning(
                        request,
                        _("The file was accepted with warnings: %(warnings)s")
                        % {"warnings": "; ".join(imported.warnings)},
                    )
                return redirect(imported.get_absolute_url())
        return self.render_form(form)


class CnabImportDetailView(ObjectDetailView):
    """The result of an import: counts and amount per outcome, and its records a page at a time
    (``?page=``), optionally of one outcome (``?outcome=``): a file can have tens of thousands."""

    model = CnabImport
    queryset = CnabImport.objects.select_related("wallet", "wallet__branch", "operator")
    template_name = "billing/cnabimport_detail.html"
    records_per_page = 100

    def fields_for(self, obj):
        return []

    def get_extra_context(self, imported):
        records = (
            CnabRecord.objects.filter(cnab_import=imported)
            .select_related("invoice", "invoice__customer")
            .order_by("line")
        )
        selected = self.request.GET.get("outcome")
        if selected in CnabRecord.Outcome.values:
            records = records.filter(outcome=selected)
        else:
            selected = ""
        page = Paginator(records, self.records_per_page).get_page(self.request.GET.get("page"))
        aggregates = {}
        for outcome in CnabRecord.Outcome:
            condition = Q(outcome=outcome)
            aggregates[f"{outcome.value}_count"] = Count("pk", filter=condition)
            aggregates[f"{outcome.value}_amount"] = Sum("paid_amount", filter=condition)
        values = CnabRecord.objects.filter(cnab_import=imported).aggregate(**aggregates)
        outcomes = [
            {
                "outcome": outcome.value,
                "label": outcome.label,
                "count": values[f"{outcome.value}_count"] or 0,
                "amount": values[f"{outcome.value}_amount"] or 0,
            }
            for outcome in CnabRecord.Outcome
        ]
        return {"imported": imported, "records": page, "outcomes": outcomes, "outcome_filter": selected}
