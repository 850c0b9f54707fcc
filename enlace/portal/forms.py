"""Forms of the subscriber portal (Bootstrap widgets through ``core.forms.style_fields``)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from enlace.core.forms import style_fields


class PortalForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class LoginForm(PortalForm):
    login = forms.CharField(label=_("Login"), max_length=120)
    password = forms.CharField(label=_("Password"), max_length=128, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, by_document: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if by_document:
            self.fields["login"].label = _("Login or CPF/CNPJ")
        self.fields["login"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class ForgotForm(PortalForm):
    login = forms.CharField(label=_("Login"), max_length=120)

    def __init__(self, *args, by_document: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if by_document:
            self.fields["login"].label = _("Login or CPF/CNPJ")
        self.fields["login"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})


class SetPasswordForm(PortalForm):
    """A new password twice (first access, reset link)."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters."),
    )
    new_password2 = forms.CharField(
        label=_("Confirm the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ChangePasswordForm(SetPasswordForm):
    """The current password, then the new one twice."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]


class TicketForm(PortalForm):
    """ "Novo atendimento": a subject visible in the portal, optionally a contract, a description."""

    subject = forms.ModelChoiceField(label=_("Subject"), queryset=None, empty_label=_("Choose…"))
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, subjects, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = lambda c: f"#{c.pk} — {c.plan.name}"
        if contracts.count() <= 1:
            self.fields["contract"].widget = forms.HiddenInput()
        self.fields["description"].widget.attrs["maxlength"] = settings.PORTAL_MESSAGE_MAX_CHARS

    def clean_description(self):
        return self.cleaned_data["description"].strip()


class ReplyForm(PortalForm):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The size limit itself is checked by the service (portal_ticket_reply) on the field.
        self.fields["text"].widget.attrs["maxlength"] = settings.PORTAL_MESSAGE_MAX_CHARS

    def clean_text(self):
        return self.cleaned_data["text"].strip()
