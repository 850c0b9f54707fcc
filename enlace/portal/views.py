"""The subscriber portal's pages (SPEC §13: the subscriber's self-service portal). Subscribers are not Django
users: ``PortalView`` loads the portal session (``security.load_session``) from its own cookie, sends a
visitor without one to the login page, and a subscriber who must change the password to that page first. Every
record is read through ``selectors`` with the session's customer (P-4: a subscriber never sees another
customer's data, whatever id is typed in a URL)."""

from __future__ import annotations

import mimetypes

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from enlace.billing import boleto
from enlace.billing import selectors as billing_selectors
from enlace.billing.models import InvoiceColor, InvoiceStatus
from enlace.billing.pdf import boleto_pdf
from enlace.billing.selectors import invoice_pix
from enlace.billing.tables import status_text
from enlace.core.exceptions import ApplicationError
from enlace.core.forms import add_service_errors
from enlace.core.http import client_ip
from enlace.core.models import GeneralParameters
from enlace.customers.models import Customer
from enlace.fiscal import downloads
from enlace.fiscal import selectors as fiscal_selectors

from . import forms, selectors, services
from .models import PortalSettings
from .security import end_session, load_session, save_session, start_session, token_generator

LEGEND = [(c.value, c.label) for c in InvoiceColor if c != InvoiceColor.GREY]


class PortalView(View):
    """Base of every portal page. ``login_required`` pages need a portal session; the others
    (login, password reset, logo) do not."""

    login_required = True
    #: Pages open while "change password on first access" is pending.
    allowed_before_password_change = False

    def dispatch(self, request, *args, **kwargs):
        request.portal = load_session(request)
        self.customer = request.portal.customer
        if self.login_required and self.customer is None:
            if request.portal.ended:
                request.portal.flash("warning", _("Your session has ended. Please log in again."))
                request.portal.changed = True
            response = redirect("portal:login")
        elif (
            self.login_required
            and request.portal.must_change_password
            and not self.allowed_before_password_change
        ):
            response = redirect("portal:password_first")
        else:
            try:
                response = super().dispatch(request, *args, **kwargs)
            except Http404:
                # P-4: another customer's id and a missing one look the same, in the portal's layout.
                response = self.render("portal/404.html", status=404)
        response.setdefault("Cache-Control", "no-store")
        return save_session(request, response)

    def render(self, template: str, context: dict | None = None, status: int = 200):
        params, portal = GeneralParameters.load(), PortalSettings.load()
        base = {
            "customer": self.customer,
            "portal": {
                "name": params.portal_name,
                "company": params.company_name,
                "logo": bool(portal.portal_logo),
                "by_document": portal.portal_login_by_document,
            },
            "flash": self.request.portal.pop_flash(),
            "must_change_password": self.request.portal.must_change_password,
        }
        return render(self.request, template, {**base, **(context or {})}, status=status)

    def flash(self, level: str, text: str) -> None:
        self.request.portal.flash(level, text)


# --- Front door ------------------------------------------------------------------------------


class LogoView(PortalView):
    """The ISP's logo (``PortalSettings.portal_logo``) read from storage, so the portal needs no
    public media URL."""

    login_required = False

    def get(self, request):
        logo = PortalSettings.load().portal_logo
        if not logo:
            raise Http404
        try:
            handle = logo.storage.open(logo.name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        content_type = mimetypes.guess_type(logo.name)[0] or "application/octet-stream"
        if not content_type.startswith("image/") or content_type == "image/svg+xml":
            content_type = "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "public, max-age=300"
        return response


class LoginView(PortalView):
    """P-1: portal login (or CPF/CNPJ when the parameter allows it) and password; "Enter
    automatically" (K-5: no password, from the IP of one of the customer's own RADIUS sessions) is a separate
    button posting to ``portal:auto``."""

    login_required = False

    def form(self, data=None):
        return forms.LoginForm(data, by_document=PortalSettings.load().portal_login_by_document)

    def get(self, request):
        if self.customer is not None:
            return redirect("portal:home")
        return self.render("portal/login.html", {"form": self.form()})

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            result = services.portal_authenticate(
                identifier=form.cleaned_data["login"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
            if result.customer is not None:
                customer = result.customer
                start_session(request, customer, must_change=customer.portal_change_password)
                if customer.portal_change_password:
                    return redirect("portal:password_first")
                return redirect("portal:home")
            form.add_error(None, result.error)
            status = 403 if result.code == "locked_out" else 200
            return self.render(
                "portal/login.html", {"form": form, "locked": result.code == "locked_out"}, status
            )
        return self.render("portal/login.html", {"form": form})


class AutoLoginView(PortalView):
    """K-5: automatic access from the IP of one of the customer's open RADIUS sessions."""

    login_required = False

    def post(self, request):
        customer = services.portal_auto_authenticate(ip=client_ip(request))
        if customer is None:
            self.flash(
                "warning",
                _(
                    "Automatic access is not available from this connection. "
                    "Log in with your login and password."
                ),
            )
            return redirect("portal:login")
        start_session(request, customer, automatic=True)
        return redirect("portal:home")


class LogoutView(PortalView):
    login_required = False

    def post(self, request):
        end_session(request)
        request.portal.flash("success", _("You have logged out."))
        return redirect("portal:login")


class ForgotView(PortalView):
    """ "Forgot my password": the same answer whether or not the login exists."""

    login_required = False

    def form(self, data=None):
        return forms.ForgotForm(data, by_document=PortalSettings.load().portal_login_by_document)

    def get(self, request):
        return self.render("portal/forgot.html", {"form": self.form()})

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render("portal/forgot.html", {"form": form})
        services.portal_password_reset_send(
            identifier=form.cleaned_data["login"], base_url=request.build_absolute_uri("/")
        )
        self.flash(
            "info",
            _(
                "If the login exists and has an e-mail address, we have sent a link to create a new "
                "password. It is valid for a limited time."
            ),
        )
        return redirect("portal:login")


class ResetView(PortalView):
    """The link of the e-mail: a new password (≥ 8 characters), once, before it expires."""

    login_required = False

    def get_customer(self, uidb64, token):
        try:
            pk = int(force_str(urlsafe_base64_decode(uidb64)))
        except (TypeError, ValueError, OverflowError, ValidationError):
            return None
        customer = Customer.objects.filter(pk=pk, active=True, is_lead=False).first()
        if customer is None or not token_generator.check_token(customer, token):
            return None
        return customer

    def get(self, request, uidb64, token):
        customer = self.get_customer(uidb64, token)
        if customer is None:
            return self.render("portal/reset.html", {"invalid": True}, status=400)
        return self.render("portal/reset.html", {"form": forms.SetPasswordForm()})

    def post(self, request, uidb64, token):
        customer = self.get_customer(uidb64, token)
        if customer is None:
            return self.render("portal/reset.html", {"invalid": True}, status=400)
        form = forms.SetPasswordForm(request.POST)
        if form.is_valid():
            try:
                services.portal_password_set(
                    customer=customer,
                    password=form.cleaned_data["new_password1"],
                    confirmation=form.cleaned_data["new_password2"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                end_session(request)
                request.portal.flash("success", _("Your password was changed. Log in with it."))
                return redirect("portal:login")
        return self.render("portal/reset.html", {"form": form})


# --- Password change ---------------------------------------------------------------------------


class PasswordFirstView(PortalView):
    """ "Change password on first access": nothing else opens before it is done."""

    allowed_before_password_change = True

    def get(self, request):
        if not request.portal.must_change_password:
            return redirect("portal:password")
        return self.render("portal/password_first.html", {"form": forms.SetPasswordForm()})

    def post(self, request):
        if not request.portal.must_change_password:
            return redirect("portal:password")
        form = forms.SetPasswordForm(request.POST)
        if form.is_valid():
            try:
                services.portal_password_set(
                    customer=self.customer,
                    password=form.cleaned_data["new_password1"],
                    confirmation=form.cleaned_data["new_password2"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                start_session(request, self.customer)  # a new key and the new password's hash
                self.flash("success", _("Your password was changed."))
                return redirect("portal:home")
        return self.render("portal/password_first.html", {"form": form})


class PasswordView(PortalView):
    def get(self, request):
        return self.render("portal/password.html", {"form": self.form()})

    def form(self, data=None):
        form_class = forms.ChangePasswordForm if self.customer.portal_password else forms.SetPasswordForm
        return form_class(data)

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.portal_password_set(
                    customer=self.customer,
                    password=form.cleaned_data["new_password1"],
                    confirmation=form.cleaned_data["new_password2"],
                    current_password=form.cleaned_data.get("old_password")
                    if self.customer.portal_password
                    else None,
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                start_session(request, self.customer, automatic=request.portal.automatic)
                self.flash("success", _("Your password was changed."))
                return redirect("portal:home")
        return self.render("portal/password.html", {"form": form})


# --- What the subscriber sees ------------------------------------------------------------------


class HomeView(PortalView):
    """Contracts (plan, status, access status, trust unlock) and connection status."""

    def get(self, request):
        today = timezone.localdate()
        open_invoices = list(selectors.open_invoices(self.customer)[:50])
        overdue = [i for i in open_invoices if i.due_date < today]
        return self.render(
            "portal/home.html",
            {
                "cards": selectors.contract_cards(self.customer),
                "connections": selectors.connections(self.customer),
                "open_count": len(open_invoices),
                "overdue_count": len(overdue),
                "automatic": request.portal.automatic,
            },
        )


class TrustUnlockView(PortalView):
    """K-6/F-9: "Desbloqueio de confiança" of one of the customer's contracts (K-6: Especial customers only;
    F-9: the trust unlock restores access for N days, once per block, unless the operator forbade it)."""

    def post(self, request, pk):
        try:
            contract = services.portal_trust_unlock(customer=self.customer, contract_id=pk)
        except ApplicationError as exc:
            self.flash("danger", exc.message)
        else:
            state = getattr(contract, "collection", None)
            until = state.trust_until.strftime("%d/%m/%Y") if state and state.trust_until else ""
            self.flash("success", _("Your access was restored until %(date)s.") % {"date": until})
        return redirect("portal:home")


def subscriber_status_text(invoice) -> str:
    """The invoice's status in the subscriber's words: an open invoice is "Em aberto" ("A receber"
    is the ISP's side of it); the others as the operator reads them."""
    if invoice.status == InvoiceStatus.OPEN and not invoice.renegotiated:
        return pgettext("invoice status, to the subscriber", "Open")
    return status_text(invoice)


def _invoice_rows(invoices, today):
    for invoice in invoices:
        invoice.portal_color = invoice.color(today)
        invoice.portal_status = subscriber_status_text(invoice)
    return invoices


class InvoiceListView(PortalView):
    """Open and paid invoices in the colours of F-2 (blue due later, orange due today, red overdue, light
    green paid on time, dark green paid late, grey renegotiated)."""

    def get(self, request):
        today = timezone.localdate()
        return self.render(
            "portal/invoices.html",
            {
                "open_invoices": _invoice_rows(list(selectors.open_invoices(self.customer)), today),
                "paid_invoices": _invoice_rows(selectors.paid_invoices(self.customer), today),
                "legend": LEGEND,
            },
        )


class InvoiceDetailView(PortalView):
    """One invoice: amount, due date, linha digitável, PIX "copia e cola" and QR, boleto PDF."""

    def get(self, request, pk):
        invoice = selectors.invoice_of(self.customer, pk)
        today = timezone.localdate()
        try:
            digitable = boleto.format_digitable_line(invoice.digitable_line) if invoice.digitable_line else ""
        except boleto.BoletoError:
            digitable = invoice.digitable_line
        _invoice_rows([invoice], today)
        invoice.pix_payload = invoice_pix(invoice, today)[0]  # after the due date: the amount due today
        return self.render(
            "portal/invoice_detail.html",
            {
                "invoice": invoice,
                "digitable_line": digitable,
                "legend": LEGEND,
                "fiscal_document": fiscal_selectors.authorised_document(invoice),
            },
        )


class InvoicePdfView(PortalView):
    def get(self, request, pk):
        invoice = selectors.open_invoice_of(self.customer, pk)
        response = HttpResponse(boleto_pdf([invoice]), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="boleto-{invoice.pk}.pdf"'
        return response


class InvoiceNfcomView(PortalView):
    """The authorised NFCom of one of the subscriber's invoices: ``xml`` (nfcomProc) or ``pdf``
    (DANFE-COM); 404 for another customer's invoice or while there is no authorised NFCom."""

    kind = "pdf"

    def get(self, request, pk):
        invoice = selectors.invoice_of(self.customer, pk)
        document = fiscal_selectors.authorised_document(invoice)
        if document is None:
            raise Http404
        return downloads.xml_response(document) if self.kind == "xml" else downloads.pdf_response(document)


class InvoicePixQrView(PortalView):
    def get(self, request, pk):
        invoice = selectors.open_invoice_of(self.customer, pk)
        payload = invoice_pix(invoice)[0]  # after the due date: the amount due today
        if not payload:
            raise Http404
        return HttpResponse(billing_selectors.pix_qr_png(payload, scale=6), content_type="image/png")


# --- Tickets (enlace.support) ----------------------------------------------------------------


class TicketListView(PortalView):
    def get(self, request):
        return self.render("portal/tickets.html", {"tickets": selectors.tickets(self.customer)[:100]})


class TicketAddView(PortalView):
    """ "Novo atendimento" (T-8): subjects visible in the portal, origin Hotsite."""

    def form(self, data=None):
        return forms.TicketForm(
            data,
            subjects=selectors.subjects(self.customer),
            contracts=selectors.contracts(self.customer),
        )

    def get(self, request):
        form = self.form()
        contracts = list(selectors.contracts(self.customer)[:2])
        if len(contracts) == 1:
            form.initial["contract"] = contracts[0].pk
        return self.render("portal/ticket_form.html", {"form": form})

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                ticket = services.portal_ticket_open(
                    customer=self.customer,
                    subject=form.cleaned_data["subject"],
                    contract=form.cleaned_data["contract"],
                    description=form.cleaned_data["description"],
                )
            except (ApplicationError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                self.flash(
                    "success",
                    _("Ticket %(protocol)s opened. We will answer you here.") % {"protocol": ticket.protocol},
                )
                return redirect("portal:ticket_detail", pk=ticket.pk)
        return self.render("portal/ticket_form.html", {"form": form})


class TicketDetailView(PortalView):
    """The ticket with its public messages (private notes are never shown) and the reply form."""

    def get(self, request, pk, form=None):
        ticket = selectors.ticket_of(self.customer, pk)
        return self.render(
            "portal/ticket_detail.html",
            {
                "ticket": ticket,
                "messages_": selectors.public_messages(ticket),
                "description": selectors.subscriber_description(ticket),
                "form": form or forms.ReplyForm(),
                "can_reply": services.ticket_accepts_replies(ticket),
            },
        )

    def post(self, request, pk):
        ticket = selectors.ticket_of(self.customer, pk)
        form = forms.ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.portal_ticket_reply(
                    customer=self.customer, ticket=ticket, text=form.cleaned_data["text"]
                )
            except (ApplicationError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                self.flash("success", _("Your message was sent."))
                return redirect(reverse("portal:ticket_detail", args=[ticket.pk]) + "#messages")
        return self.get(request, pk, form=form)
