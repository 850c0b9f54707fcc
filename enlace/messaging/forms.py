"""Forms of the messaging area: a rule (with its templates), a preview's invoice, a customer's
contact choices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.billing.models import Invoice
from enlace.core.forms import EnlaceForm, EnlaceModelForm

from .models import MessageRule


class MessageRuleForm(EnlaceModelForm):
    class Meta:
        model = MessageRule
        fields = [
            "name",
            "event",
            "days",
            "branch",
            "email",
            "sms",
            "whatsapp",
            "attach_boleto",
            "active",
            "subject",
            "body_text",
            "body_html",
            "short_text",
        ]
        widgets = {
            "body_text": forms.Textarea(attrs={"rows": 10}),
            "body_html": forms.Textarea(attrs={"rows": 6}),
            "short_text": forms.Textarea(attrs={"rows": 3}),
        }


class PreviewForm(EnlaceForm):
    invoice = forms.ModelChoiceField(
        queryset=Invoice.objects.all(), label=_("Invoice"), required=False, widget=forms.NumberInput
    )


class PreferenceForm(EnlaceForm):
    no_email = forms.BooleanField(label=_("do not send billing by e-mail"), required=False)
    no_sms = forms.BooleanField(label=_("do not send billing by SMS"), required=False)
    no_whatsapp = forms.BooleanField(label=_("do not send billing by WhatsApp"), required=False)
