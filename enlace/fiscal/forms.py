"""Forms of the fiscal area: the emitter settings (with the A1 upload), the plans' and products'
fiscal profiles and the cancellation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.core.forms import AddressFormMixin, EnlaceForm, EnlaceModelForm

from .models import Classification, FiscalSettings, PlanFiscalProfile, ProductFiscalProfile


class FiscalSettingsForm(AddressFormMixin, EnlaceModelForm):
    certificate = forms.FileField(
        label=_("A1 certificate (PKCS#12, .pfx)"),
        required=False,
        help_text=_("Stored encrypted; never shown again. Leave empty to keep the current one."),
    )
    certificate_password = forms.CharField(
        label=_("certificate password"), required=False, widget=forms.PasswordInput
    )

    class Meta:
        model = FiscalSettings
        fields = [
            "branch",
            *FiscalSettings.SETTING_FIELDS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The municipality is typed ahead like every city (core.pickers "city"): a select of the
        # 5,570 cities, each printing its state with a query of its own, took seconds to render.
        model_field = self.fields["city"]
        self.setup_city()
        self.fields["city"].label, self.fields["city"].help_text = model_field.label, model_field.help_text


class PlanFiscalProfileForm(EnlaceModelForm):
    class Meta:
        model = PlanFiscalProfile
        fields = ["plan", "service_type", "installation_cclass", *Classification.CLASSIFICATION_FIELDS]


class ProductFiscalProfileForm(EnlaceModelForm):
    class Meta:
        model = ProductFiscalProfile
        fields = ["product", *Classification.CLASSIFICATION_FIELDS]


class CancelForm(EnlaceForm):
    reason = forms.CharField(
        label=_("reason"), min_length=15, max_length=255, widget=forms.Textarea(attrs={"rows": 3})
    )
