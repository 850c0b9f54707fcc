"""Pages of the messaging area: the rules (Configurações ➜ Régua de cobrança) with the preview, the
delivery log (list, one message, resend), the customer's "Mensagens" tab with the contact choices,
the invoice page's messages, and the providers' delivery-status callbacks."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from enlace.billing.selectors import invoices_for
from enlace.core.views.actions import ObjectActionView, TabView
from enlace.core.views.common import tab_url
from enlace.core.views.generic import ObjectDetailView, ObjectEditView, ObjectListView, ObjectViewMixin
from enlace.customers.models import Customer
from enlace.customers.tabs import CustomerTabView

from . import delivery, forms, selectors, services
from .filtersets import MessageFilterSet, MessageRuleFilterSet
from .models import Message, MessageRule
from .providers import TwilioProvider, WebhookProvider, callback_url
from .rendering import VARIABLES
from .tables import MessageRuleTable, MessageTable

# --- Rules ---------------------------------------------------------------------------------------


class MessageRuleListView(ObjectListView):
    model = MessageRule
    queryset = MessageRule.objects.select_related("branch")
    table_class = MessageRuleTable
    filterset_class = MessageRuleFilterSet


class MessageRuleDetailView(ObjectDetailView):
    model = MessageRule
    template_name = "messaging/messagerule_detail.html"

    def get_extra_context(self, rule):
        return {"variables": VARIABLES, "preview_form": forms.PreviewForm(user=self.request.user)}


class MessageRuleEditView(ObjectEditView):
    model = MessageRule
    form_class = forms.MessageRuleForm
    template_name = "messaging/messagerule_form.html"

    def save_object(self, form):
        return services.rule_save(form.instance, actor=self.request.user)

    def render_form(self, form, instance):
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "is_new": instance.pk is None,
            "next": self.request.GET.get("next", ""),
            "variables": VARIABLES,
        }
        return render(self.request, self.template_name, context)


class MessageRulePreviewView(ObjectViewMixin, View):
    """POST the rule's form (saved or not) with an ``invoice`` id: the rendered parts (HTMX)."""

    model = MessageRule
    action = "view"

    def post(self, request):
        form = forms.MessageRuleForm(data=request.POST, user=request.user)
        picker = forms.PreviewForm(data=request.POST, user=request.user)
        context = {"errors": [], "rendered": None}
        if not picker.is_valid():
            context["errors"] = [str(e) for errors in picker.errors.values() for e in errors]
        else:
            invoice = picker.cleaned_data.get("invoice") or invoices_for(request.user).order_by("-id").first()
            form.is_valid()  # the instance carries what was typed, valid or not
            rule = form.instance
            for name in ("subject", "body_text", "body_html", "short_text", "event"):
                setattr(rule, name, request.POST.get(name, getattr(rule, name)) or "")
            if invoice is None:
                context["errors"] = [_("There is no invoice to preview with.")]
            else:
                try:
                    context["rendered"] = services.rule_preview(rule=rule, invoice=invoice)
                    context["invoice"] = invoice
                except ValidationError as exc:
                    context["errors"] = [m for messages in exc.message_dict.values() for m in messages]
        return render(request, "messaging/preview.html", context)


# --- Delivery log --------------------------------------------------------------------------------


class MessageListView(ObjectListView):
    model = Message
    queryset = Message.objects.select_related("customer", "invoice", "rule")
    table_class = MessageTable
    filterset_class = MessageFilterSet


class MessageDetailView(ObjectDetailView):
    model = Message
    queryset = Message.objects.select_related("customer", "invoice", "contract", "rule")
    template_name = "messaging/message_detail.html"

    def get_extra_context(self, message):
        return {"can_resend": self.request.user.has_perm("messaging.resend_message")}


class MessageResendView(ObjectActionView):
    model = Message
    action = "resend"
    success_message = _("The message was queued again.")

    def perform(self, message, data):
        return services.message_resend(actor=self.request.user, message=message)

    def get_success_url(self, message, result):
        return self.request.POST.get("next") or message.get_absolute_url()


# --- Customer tab and invoice page ---------------------------------------------------------------


class CustomerMessagesTabView(CustomerTabView):
    """The customer page's "Mensagens" tab: the messages sent to the customer and their contact choices."""

    model = Message
    tab_key = "messages"
    template_name = "messaging/customer_tab.html"

    def get_tab_context(self, customer):
        user = self.request.user
        pref = selectors.preference_of(customer)
        return {
            "customer": customer,
            "messages_list": selectors.customer_messages(user, customer),
            "can_resend": user.has_perm("messaging.resend_message"),
            "can_change_preference": user.has_perm("customers.change_customer"),
            "preference_form": forms.PreferenceForm(
                initial={"no_email": pref.no_email, "no_sms": pref.no_sms, "no_whatsapp": pref.no_whatsapp},
                user=user,
            ),
            "next": tab_url(customer, "messages"),
        }


class CustomerPreferenceView(ObjectActionView):
    """Save the customer's opt-outs ("não enviar cobrança por e-mail / SMS / WhatsApp")."""

    model = Customer
    action = "change"
    form_class = forms.PreferenceForm
    success_message = _("Contact choices saved.")

    def perform(self, customer, data):
        return services.preference_save(actor=self.request.user, customer=customer, **data)

    def get_object_url(self, customer):
        return tab_url(customer, "messages")


class InvoiceMessagesView(TabView):
    """The messages of one invoice (loaded with HTMX into the invoice's page)."""

    model = Message
    tab_key = "messages"
    template_name = "messaging/invoice_messages.html"
    htmx_only = False

    def get_owner(self):
        return invoices_for(self.request.user).get(pk=self.kwargs["pk"])

    def get_tab_context(self, invoice):
        user = self.request.user
        return {
            "invoice": invoice,
            "messages_list": selectors.invoice_messages(user, invoice),
            "can_resend": user.has_perm("messaging.resend_message"),
            "next": invoice.get_absolute_url(),
        }


# --- Provider callbacks --------------------------------------------------------------------------


@method_decorator(csrf_exempt, name="dispatch")
class TwilioCallbackView(View):
    """Twilio's status callback (form POST signed in ``X-Twilio-Signature``)."""

    def post(self, request):
        if settings.MESSAGING_PROVIDER != "twilio":
            raise Http404
        provider = TwilioProvider()
        params = {key: request.POST.get(key) for key in request.POST}
        url = callback_url("messaging:callback_twilio") or request.build_absolute_uri()
        if not provider.verify(url, params, request.headers.get("X-Twilio-Signature", "")):
            return HttpResponseForbidden("bad signature")
        status = provider.status_of(params.get("MessageStatus", ""))
        if status and params.get("MessageSid"):
            error = params.get("ErrorMessage") or params.get("ErrorCode") or ""
            delivery.callback_status(
                provider="twilio", provider_id=params["MessageSid"], status=status, error=error
            )
        return HttpResponse(status=204)


@method_decorator(csrf_exempt, name="dispatch")
class WebhookCallbackView(View):
    """The generic webhook's status callback (JSON, bearer token)."""

    def post(self, request):
        if settings.MESSAGING_PROVIDER != "webhook":
            raise Http404
        provider = WebhookProvider()
        if not provider.verify(request.headers.get("Authorization", "")):
            return HttpResponseForbidden("bad token")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return HttpResponseBadRequest("invalid JSON")
        if not isinstance(body, dict) or not body.get("id"):
            return HttpResponseBadRequest("id missing")
        status = provider.status_of(str(body.get("status", "")))
        if status:
            delivery.callback_status(
                provider="webhook",
                provider_id=str(body["id"]),
                status=status,
                error=str(body.get("error") or ""),
            )
        return HttpResponse(status=204)
