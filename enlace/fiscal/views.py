"""Screens of the fiscal area: Financeiro ➜ Notas fiscais (list, bulk "transmitir"), a document's
page with its actions and downloads, the invoice's "issue" action, the monthly ZIP for the
accountant and the branches' emitter settings."""

from __future__ import annotations

import io
import zipfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.billing.models import Invoice
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView

from . import downloads, filtersets, forms, selectors, services, tables
from .models import FiscalDocument, FiscalSettings


class FiscalDocumentListView(ObjectListView):
    """Financeiro ➜ Notas fiscais, with a checkbox per row for the bulk "transmitir"."""

    model = FiscalDocument
    template_name = "fiscal/fiscaldocument_list.html"
    queryset = FiscalDocument.objects.select_related("invoice__customer", "branch")
    table_class = tables.FiscalDocumentTable
    filterset_class = filtersets.FiscalDocumentFilterSet


class FiscalDocumentDetailView(ObjectDetailView):
    model = FiscalDocument
    queryset = FiscalDocument.objects.select_related("invoice__customer", "branch")
    template_name = "fiscal/fiscaldocument_detail.html"
    detail_fields = [
        "branch",
        "invoice",
        "series",
        "number",
        "key",
        "environment",
        "emission_type",
        "status",
        "amount",
        "issued_at",
        "protocol",
        "authorised_at",
        "status_code",
        "status_reason",
        "attempts",
        "cancel_reason",
        "cancel_protocol",
        "cancelled_at",
    ]

    def get_extra_context(self, document):
        user = self.request.user
        return {
            "cancel_form": forms.CancelForm(user=user),
            "can_transmit": user.has_perm("fiscal.transmit_fiscaldocument")
            and document.status not in ("authorised", "cancelled"),
            "can_cancel": user.has_perm("fiscal.cancel_fiscaldocument") and document.status == "authorised",
        }


class FiscalDocumentXmlView(ObjectDetailView):
    """The XML: ``nfcomProc`` when authorised (the legal file), else the signed NFCom."""

    model = FiscalDocument

    def get(self, request, pk):
        return downloads.xml_response(self.get_object())


class FiscalDocumentPdfView(ObjectDetailView):
    model = FiscalDocument

    def get(self, request, pk):
        return downloads.pdf_response(self.get_object())


class FiscalDocumentTransmitView(ObjectActionView):
    model = FiscalDocument

    def get_required_permission(self):
        return "fiscal.transmit_fiscaldocument"

    def perform(self, document, data):
        return services.document_transmit(document=document, actor=self.request.user)

    def get_success_message(self, document, result):
        return _("%(object)s: %(status)s %(reason)s") % {
            "object": result,
            "status": result.get_status_display(),
            "reason": result.status_reason,
        }


class FiscalDocumentCancelView(ObjectActionView):
    model = FiscalDocument
    form_class = forms.CancelForm
    success_message = gettext_lazy("%(object)s cancelled.")

    def get_required_permission(self):
        return "fiscal.cancel_fiscaldocument"

    def perform(self, document, data):
        return services.document_cancel(document=document, reason=data["reason"], actor=self.request.user)


class InvoiceIssueView(ObjectActionView):
    """ "Emitir NFCom" on an invoice: issue and transmit its NFCom."""

    model = Invoice
    success_message = gettext_lazy("NFCom of %(object)s issued.")

    def get_required_permission(self):
        return "fiscal.add_fiscaldocument"

    def perform(self, invoice, data):
        document = services.document_issue(invoice=invoice, actor=self.request.user)
        return services.document_transmit(document=document, actor=self.request.user)

    def get_success_url(self, invoice, result):
        return result.get_absolute_url()


class InvoicePanelView(ObjectDetailView):
    """The invoice page's fiscal panel (loaded with HTMX): its NFCom with status, protocol and
    downloads, or the "Emitir NFCom" button."""

    model = Invoice
    template_name = "fiscal/invoice_panel.html"

    def get_required_permission(self):
        return "fiscal.view_fiscaldocument"

    def get(self, request, pk):
        invoice = self.get_object()
        return render(
            request,
            self.template_name,
            {"invoice": invoice, "fiscal_document": selectors.invoice_document(invoice, request.user)},
        )


class BulkTransmitView(View):
    """Bulk "transmitir" from the list: the selected documents (``pk``, repeated) the operator
    may see; a summary message counts what happened to them."""

    def post(self, request):
        if not request.user.has_perm("fiscal.transmit_fiscaldocument"):
            raise PermissionDenied
        ids = [int(x) for x in request.POST.getlist("pk") if x.isdigit()]
        if not ids:
            messages.warning(request, _("Select the documents to transmit."))
            return redirect("fiscal:fiscaldocument_list")
        documents = selectors.documents_for(request.user).filter(pk__in=ids).order_by("pk")
        counts = services.documents_transmit(documents, actor=request.user)
        summary = _(
            "%(selected)s selected: %(authorised)s authorised, %(contingency)s in contingency, "
            "%(rejected)s rejected, %(pending)s waiting for the authoriser, %(skipped)s already "
            "authorised or cancelled (not sent), %(failed)s failed."
        ) % {key: value for key, value in counts.items() if key != "errors"}
        if counts["failed"] or counts["rejected"]:
            messages.warning(request, summary)
        else:
            messages.success(request, summary)
        for text in counts["errors"][:20]:
            messages.error(request, text)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("fiscal:fiscaldocument_list")
        return redirect(back)


class MonthlyZipView(View):
    """Every authorised (and cancelled) XML of a branch and month, for the accountant."""

    def get(self, request):
        if not request.user.has_perm("fiscal.view_fiscaldocument"):
            raise PermissionDenied
        month = request.GET.get("month", "")
        try:
            year, mon = (int(x) for x in month.split("-"))
            branch = int(request.GET.get("branch", ""))
        except ValueError:
            raise Http404 from None
        documents = selectors.documents_for(request.user).filter(
            branch_id=branch, issued_at__year=year, issued_at__month=mon, proc_xml__isnull=False
        )
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            for document in documents.iterator():
                archive.writestr(f"NFCom-{document.key}.xml", bytes(document.proc_xml))
                if document.cancel_xml:
                    archive.writestr(f"NFCom-{document.key}-cancel.xml", bytes(document.cancel_xml))
        response = HttpResponse(buf.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="NFCom-{branch}-{year}{mon:02d}.zip"'
        return response


class FiscalSettingsListView(ObjectListView):
    model = FiscalSettings
    queryset = FiscalSettings.objects.select_related("branch")
    table_class = tables.FiscalSettingsTable
    filterset_class = filtersets.FiscalSettingsFilterSet


class FiscalSettingsDetailView(ObjectDetailView):
    model = FiscalSettings
    queryset = FiscalSettings.objects.select_related("branch", "city")
    template_name = "fiscal/fiscalsettings_detail.html"
    detail_fields = [
        "branch",
        "cnpj",
        *FiscalSettings.SETTING_FIELDS,
        "certificate_subject",
        "certificate_cnpj",
        "certificate_valid_until",
    ]


class FiscalSettingsEditView(ObjectEditView):
    model = FiscalSettings
    form_class = forms.FiscalSettingsForm

    def save_object(self, form):
        upload = form.cleaned_data.get("certificate")
        return services.fiscal_settings_save(
            instance=form.instance,
            actor=self.request.user,
            certificate=upload.read() if upload else None,
            password=form.cleaned_data.get("certificate_password") or "",
        )
