"""Remittance files ("Arquivos de remessa", issue 16: bank registration of boletos): the list of
files with a "Gerar remessa" button per wallet, a file's page with its titles, the download
(Latin-1 text as stored), and the "segunda via" of an invoice (a new due date, sent to the bank
as movement 06 in the next file)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.core.exceptions import ApplicationError
from enlace.core.models import Wallet
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import error_messages
from enlace.core.views.generic import ObjectDetailView, ObjectListView, ObjectViewMixin

from .. import forms, tables
from ..models import BillingSettings, Invoice, Remittance, RemittanceItem, WalletRegistration
from ..services.remittances import remittance_generate, wallet_registration_set
from ..services.second_copy import invoice_change_amount, invoice_registration_resend, invoice_second_copy


class RemittanceListView(ObjectListView):
    model = Remittance
    queryset = Remittance.objects.select_related("wallet")
    table_class = tables.RemittanceTable
    filterset_class = forms.RemittanceListFilterSet
    template_name = "billing/remittance_list.html"

    def base_context(self):
        user = self.request.user
        wallets = list(Wallet.objects.restrict(user).filter(active=True).order_by("name"))
        settings = {
            row[0]: row[1:]
            for row in WalletRegistration.objects.filter(wallet__in=wallets).values_list(
                "wallet_id", "required", "variation"
            )
        }
        for wallet in wallets:
            wallet.registration_required, wallet.registration_variation = settings.get(wallet.pk, (True, ""))
        return {
            **super().base_context(),
            "wallets": wallets,
            "can_generate": user.has_perm("billing.add_remittance"),
            "can_configure": user.has_perm("billing.change_walletregistration"),
        }


class RemittanceGenerateView(ObjectViewMixin, View):
    """ "Gerar remessa" of one wallet (POST): one file with every movement not sent yet, or the
    message "nothing new" (no empty file is made)."""

    model = Remittance
    action = "add"

    def post(self, request, wallet):
        wallet = get_object_or_404(Wallet.objects.restrict(request.user), pk=wallet)
        try:
            result = remittance_generate(wallet=wallet, actor=request.user)
        except (ApplicationError, ValidationError) as exc:
            error_messages(request, exc, Remittance)
            return redirect("billing:remittance_list")
        if result.skipped:
            messages.warning(
                request,
                _("%(count)s invoice(s) could not be sent (see the invoice's bank registration).")
                % {"count": len(result.skipped)},
            )
        if result.remittance is None:
            messages.info(request, _("%(wallet)s: nothing new to send to the bank.") % {"wallet": wallet})
            return redirect("billing:remittance_list")
        messages.success(
            request,
            _("%(name)s generated with %(count)s title(s).")
            % {"name": result.remittance.file_name, "count": result.remittance.title_count},
        )
        return redirect(result.remittance.get_absolute_url())


class WalletRegistrationView(ObjectViewMixin, View):
    """The wallet's registration settings from the remittance page (POST): "registration not
    required" and Banco do Brasil's variação da carteira."""

    model = WalletRegistration
    action = "change"

    def post(self, request, wallet):
        wallet = get_object_or_404(Wallet.objects.restrict(request.user), pk=wallet)
        variation = request.POST.get("variation")
        try:
            wallet_registration_set(
                wallet=wallet,
                required=request.POST.get("required") == "on",
                actor=request.user,
                variation=variation,
            )
        except (ApplicationError, ValidationError) as exc:
            error_messages(request, exc, WalletRegistration)
        else:
            messages.success(request, _("%(wallet)s: registration settings saved.") % {"wallet": wallet})
        return redirect("billing:remittance_list")


class RemittanceDetailView(ObjectDetailView):
    """A file: its figures and its titles (movement, invoice, nosso número, due date, amount), a
    page at a time."""

    model = Remittance
    queryset = Remittance.objects.select_related("wallet", "operator")
    template_name = "billing/remittance_detail.html"
    items_per_page = 100

    def fields_for(self, obj):
        return []

    def get_extra_context(self, remittance):
        items = (
            RemittanceItem.objects.filter(remittance=remittance)
            .select_related("invoice", "invoice__customer")
            .order_by("position")
        )
        page = Paginator(items, self.items_per_page).get_page(self.request.GET.get("page"))
        return {"remittance": remittance, "items": page}


class RemittanceFileView(ObjectViewMixin, View):
    """The stored bytes of a file (Latin-1 text, CRLF lines), as a download."""

    model = Remittance

    def get(self, request, pk):
        remittance = self.get_object()
        with remittance.file.open("rb") as stored:
            data = stored.read()
        response = HttpResponse(data, content_type="text/plain; charset=latin-1")
        response["Content-Disposition"] = f'attachment; filename="{remittance.file_name}"'
        return response


class InvoiceSecondCopyView(ObjectActionView):
    """ "Segunda via": a new due date for an open invoice; the boleto and PIX follow."""

    model = Invoice
    form_class = forms.SecondCopyForm
    template_name = "billing/invoice_second_copy.html"
    success_message = gettext_lazy("%(object)s: new due date recorded; the next remittance tells the bank.")

    def get_context(self, obj, form):
        return {
            **super().get_context(obj, form),
            "invoice": obj,
            "color": obj.color(),
            "max_days": BillingSettings.load().second_copy_max_days,
            "today": timezone.localdate(),
        }

    def perform(self, invoice, data):
        return invoice_second_copy(actor=self.request.user, invoice=invoice, due_date=data["due_date"])


class InvoiceChangeAmountView(ObjectActionView):
    """A new amount for an open invoice nothing was paid of; the boleto and PIX follow."""

    model = Invoice
    form_class = forms.ChangeAmountForm
    template_name = "billing/invoice_change_amount.html"
    success_message = gettext_lazy("%(object)s: new amount recorded; the next remittance tells the bank.")

    def get_context(self, obj, form):
        return {**super().get_context(obj, form), "invoice": obj, "color": obj.color()}

    def perform(self, invoice, data):
        return invoice_change_amount(actor=self.request.user, invoice=invoice, amount=data["amount"])


class InvoiceRegistrationResendView(ObjectActionView):
    """ "Send to the bank again": a title the bank rejected goes out in the next remittance (a
    button on the invoice page, after its data was corrected)."""

    model = Invoice
    success_message = gettext_lazy("%(object)s: the next remittance sends the title to the bank again.")

    def perform(self, invoice, data):
        return invoice_registration_resend(actor=self.request.user, invoice=invoice)
