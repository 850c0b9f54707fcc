"""Forms of the customer registry. They only read and check what was typed; the services decide
(``CustomerForm.service_data`` is what the views hand to ``customer_create``/``customer_update``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.core.forms import AddressFormMixin, CityChoiceField, EnlaceModelForm
from enlace.core.models import AnalyticAccount, City, Employee, PaymentCondition
from enlace.core.widgets import PickerSelect, use_picker

from .models import Customer, CustomerSettings

BASIC_FIELDS = [
    "person_type",
    "name",
    "trade_name",
    "cpf_cnpj",
    "rg_ie",
    "icms_contributor",
    "birth_date",
    "subscriber_type",
    "branch",
    "active",
    "is_lead",
    "lead_stage",
    "alert",
    "notes",
]
ADDRESS_FIELDS = [
    "cep",
    "street",
    "number",
    "complement",
    "neighborhood",
    "city",
    "area",
    "reference_point",
    "latitude",
    "longitude",
    "billing_cep",
    "billing_street",
    "billing_number",
    "billing_complement",
    "billing_neighborhood",
    "billing_city",
]
CONTACT_FIELDS = [
    "mobile_phone",
    "phone",
    "whatsapp",
    "business_phone",
    "email",
    "portal_login",
    "portal_password",
    "portal_change_password",
    "portal_auto_access",
    "portal_permission",
]
OTHER_FIELDS = ["analytic_account", "payment_condition", "salesperson"]

SECTIONS = [
    ("customer", _("Customer"), BASIC_FIELDS),
    ("address", _("Address"), ADDRESS_FIELDS),
    ("contact", _("Contact"), CONTACT_FIELDS),
    ("others", _("Others"), OTHER_FIELDS),
]


class DocumentField(forms.CharField):
    """CPF/CNPJ: drawn with the red asterisk when the parameter requires it, but left to the service
    to enforce — the rule depends on the person type (C-3: only Física and Jurídica)."""

    def validate(self, value):
        required, self.required = self.required, False
        try:
            super().validate(value)
        finally:
            self.required = required


def _phone_field(label):
    return forms.CharField(
        label=label,
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "(00) 00000-0000", "inputmode": "tel"}),
    )


class CustomerForm(AddressFormMixin, EnlaceModelForm):
    """The whole record: the "new customer" page and the full edit page; ``TAB_FORMS`` hold the
    forms of one tab each."""

    cpf_cnpj = DocumentField(
        label=_("CPF/CNPJ"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "000.000.000-00"}),
    )
    cep = forms.CharField(
        label=_("CEP"),
        max_length=9,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "00000-000", "inputmode": "numeric"}),
    )
    billing_cep = forms.CharField(
        label=_("Billing CEP"),
        max_length=9,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "00000-000"}),
    )
    mobile_phone = _phone_field(_("mobile phone"))
    phone = _phone_field(_("contact phone"))
    whatsapp = _phone_field(_("WhatsApp"))
    business_phone = _phone_field(_("business phone"))
    portal_password = forms.CharField(
        label=_("portal password"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted and never shown again. Leave blank to keep the current one."),
    )

    class Meta:
        model = Customer
        fields = [name for _key, _title, names in SECTIONS for name in names if name != "portal_password"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "alert": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_city()
        if "billing_city" in self.fields:
            self.fields["billing_city"] = CityChoiceField(
                queryset=City.objects.select_related("state"), required=False, label=_("billing city")
            )
        if "billing_city" in self.fields:
            self.fields["billing_city"].widget = PickerSelect("city", attrs={"class": "form-select"})
        self.limit_branches("branch")
        if "cpf_cnpj" in self.fields:
            self.fields["cpf_cnpj"].required = CustomerSettings.load().cpf_cnpj_required
            self.fields["cpf_cnpj"].widget.attrs.pop("required", None)
        if "salesperson" in self.fields:
            self.fields["salesperson"].queryset = Employee.objects.filter(is_salesperson=True, active=True)
            use_picker(self, "salesperson", "salesperson")
        if "payment_condition" in self.fields:
            self.fields["payment_condition"].queryset = PaymentCondition.objects.filter(active=True)
        if "analytic_account" in self.fields:
            self.fields["analytic_account"].queryset = AnalyticAccount.objects.filter(active=True)
            self.fields["analytic_account"].help_text = _("Filled from the general parameters when empty.")
        if "portal_password" in self.fields and self.instance.portal_password:
            self.fields["portal_password"].widget.attrs["placeholder"] = "••••••••"
        if self.instance.pk and not self.is_bound:
            for name in ("cpf_cnpj", "mobile_phone", "phone", "whatsapp", "business_phone", "cep"):
                if name in self.fields:
                    self.initial[name] = getattr(self.instance, f"{name}_display")
        if "cep" in self.fields:
            self.fields["cep"].widget.attrs.update({"autocomplete": "off", "data-cep": "main"})

    def clean(self):
        cleaned = super().clean()
        # G-1 (no record is saved while a required field is empty): report it at once with the other
        # empty required fields; the service enforces the same rule (C-3).
        field = self.fields.get("cpf_cnpj")
        person_type = cleaned.get("person_type", self.instance.person_type)
        is_lead = cleaned.get("is_lead", self.instance.is_lead)
        if (
            field is not None
            and field.required
            and not cleaned.get("cpf_cnpj")
            and "cpf_cnpj" not in self.errors
            and person_type in ("F", "J")
            and not is_lead
        ):
            self.add_error("cpf_cnpj", forms.Field.default_error_messages["required"])
        return cleaned

    def service_data(self) -> dict:
        model_fields = {f.name for f in Customer._meta.concrete_fields}
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self.cleaned_data and (name in model_fields or name == "portal_password")
        }

    def sections(self):
        return [
            (key, title, [self[name] for name in names if name in self.fields])
            for key, title, names in SECTIONS
        ]


def tab_form_class(key: str) -> type[CustomerForm]:
    """The form of one in-place tab (Cliente, Endereço, Contato, Outros)."""
    names = next(names for k, _title, names in SECTIONS if k == key)
    meta = type("Meta", (CustomerForm.Meta,), {"fields": [n for n in names if n != "portal_password"]})
    attrs = {"Meta": meta}
    if "portal_password" not in names:
        attrs["portal_password"] = None
    for declared in ("cpf_cnpj", "cep", "billing_cep", "mobile_phone", "phone", "whatsapp", "business_phone"):
        if declared not in names:
            attrs[declared] = None
    return type(f"Customer{key.title()}Form", (CustomerForm,), attrs)


TAB_FORMS = {key: tab_form_class(key) for key, _title, _names in SECTIONS}
