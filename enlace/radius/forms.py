"""Operator forms of concentrators (NAS), IP pools and logins. They never save: the views hand the
values to ``enlace.radius.services``, which validate and write in one transaction."""

import re

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from enlace.contracts.models import Contract, Plan
from enlace.core.forms import EnlaceModelForm
from enlace.core.widgets import PickerSelect, use_picker
from enlace.customers.models import Customer

from .models import IpPool, Login, Nas

NAS_FIELDS = ["name", "ip", "secret", "type", "coa_port", "branch", "description", "active"]
POOL_FIELDS = ["name", "ranges", "excluded", "branch", "description"]

#: The login form's sections (the commercial system's screen and its "IP pool" tab).
LOGIN_SECTIONS = (
    (
        _("Login"),
        (
            "auth_type",
            "connection_type",
            "plan",
            "username",
            "password",
            "password_md5",
            "simultaneous_use",
            "active",
        ),
    ),
    (_("IP pool"), ("radius_pool", "nas_pool", "fixed_ip", "mac")),
    (_("Notes"), ("notes",)),
)
#: Given by the contract (L-2): shown, not edited.
LOGIN_OWNER_FIELDS = ("customer", "contract", "branch")
LOGIN_FIELDS = [*LOGIN_OWNER_FIELDS, *(name for _title, names in LOGIN_SECTIONS for name in names)]


class NasForm(EnlaceModelForm):
    """A concentrator. The secret is never shown again: on edit an empty secret keeps it."""

    class Meta:
        model = Nas
        fields = NAS_FIELDS
        widgets = {"secret": forms.PasswordInput(attrs={"autocomplete": "new-password"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_branches("branch")
        if self.instance.pk:
            field = self.fields["secret"]
            field.required = False
            field.widget.attrs.pop("required", None)
            field.help_text = _("Leave blank to keep the current secret.")

    def clean_secret(self):
        secret = self.cleaned_data.get("secret")
        if not secret and self.instance.pk:
            return Nas.objects.filter(pk=self.instance.pk).values_list("secret", flat=True).first() or ""
        return secret


class LinesField(forms.Field):
    """A list of values typed one per line (commas and semicolons also separate them)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [item for item in re.split(r"[\s,;]+", value or "") if item]

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class IpPoolForm(EnlaceModelForm):
    """A radius pool: CIDR ranges and excluded addresses, one per line."""

    ranges = LinesField(
        label=_("ranges"),
        help_text=_("One CIDR range per line, e.g. 100.64.0.0/22."),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "100.64.0.0/22"}),
    )
    excluded = LinesField(
        label=_("excluded addresses"),
        required=False,
        help_text=_("Addresses never handed out, one per line (e.g. the gateway)."),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "100.64.0.1"}),
    )

    class Meta:
        model = IpPool
        fields = POOL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_branches("branch")


class YesNoField(forms.TypedChoiceField):
    """ "Sim/Não" as a select (the commercial system's way), stored as a boolean."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=[("False", _("No")), ("True", _("Yes"))],
            coerce=lambda value: value in (True, "True"),
            empty_value=False,
            **kwargs,
        )

    def prepare_value(self, value):
        return "True" if value in (True, "True") else "False"


class LoginForm(EnlaceModelForm):
    """A login (L-1 … L-9). Customer, contract and branch come from the contract (L-2) and are not
    edited here; the plan is one of the customer's contracts' plans (L-5). On edit an empty
    password keeps the current one."""

    password_md5 = YesNoField(label=_("MD5 password"), required=True)

    class Meta:
        model = Login
        fields = LOGIN_FIELDS
        widgets = {
            "customer": forms.HiddenInput,
            "branch": forms.HiddenInput,
            "contract": forms.HiddenInput,
            "password": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "username": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.instance
        md5 = self.fields["password_md5"]
        md5.help_text = _(
            "Keep “No” unless the concentrator uses PAP: an MD5 password works with PAP only "
            "(CHAP and MS-CHAPv2 need the password as typed)."
        )
        md5.widget.attrs["class"] = "form-select"
        self.fields["password"].help_text = (
            _("Type a password or use “Generate password”. Leave blank to keep the current password.")
            if login.pk
            else _("Type a password or use “Generate password”.")
        )
        if login.pk:
            self.fields["password"].required = False
            self.fields["password"].widget.attrs.pop("required", None)
            self.initial["password"] = ""
        self.fields["simultaneous_use"].help_text = _("How many sessions the login may have at once.")

        contract = self.owner_contract()
        self.owner = contract
        if contract is not None:
            # Given by the contract (L-2): hidden and not editable.
            for name in LOGIN_OWNER_FIELDS:
                self.fields[name].disabled = True
            self.initial.update(
                {"customer": contract.customer_id, "contract": contract.pk, "branch": contract.branch_id}
            )
        else:
            # Opened without a contract: the operator gives the contract's number; the service takes
            # the customer and branch from it.
            del self.fields["customer"]
            del self.fields["branch"]
            field = self.fields["contract"]
            # Searched by number or by the customer's name, CPF/CNPJ or phone (core.pickers).
            field.widget = PickerSelect("contract", attrs={"class": "form-select", "required": "required"})
            field.help_text = _(
                "The contract's number or its customer's name. Logins are usually created from the contract's page."
            )
        self._limit_choices(contract)

    def clean_password(self):
        from .services import validate_password_length

        password = self.cleaned_data.get("password")
        validate_password_length(password)  # minimum length by parameter (default 8)
        return password

    def owner_contract(self) -> Contract | None:
        """The contract of the login being edited, or the one the add page was opened from."""
        if self.instance.pk:
            return self.instance.contract
        value = self.initial.get("contract")
        value = getattr(value, "pk", value)
        if value in (None, "") or not str(value).isdigit():
            return None
        contracts = Contract.objects.select_related("customer", "branch")
        if self.user is not None:
            contracts = contracts.restrict(self.user)
        return contracts.filter(pk=value).first()

    def _limit_choices(self, contract):
        user = self.user
        contracts = Contract.objects.all()
        customers = Customer.objects.all()
        plans = Plan.objects.all()
        if user is not None:
            contracts, customers, plans = (
                contracts.restrict(user),
                customers.restrict(user),
                plans.restrict(user),
            )
        self.fields["contract"].queryset = contracts
        if "customer" in self.fields:
            self.fields["customer"].queryset = customers.only("id", "name")
        self.limit_branches("branch")
        if contract is not None:
            # L-5: only the plans of the customer's contracts.
            plans = plans.filter(contracts__customer_id=contract.customer_id)
        else:
            plans = plans.filter(active=True)
        current = Plan.objects.filter(pk=self.instance.plan_id or 0)
        self.fields["plan"].queryset = (plans | current).distinct().order_by("name")

        pools = IpPool.objects.restrict(user) if user is not None else IpPool.objects.all()
        self.fields["radius_pool"].queryset = (
            pools | IpPool.objects.filter(pk=self.instance.radius_pool_id or 0)
        ).distinct()
        use_picker(self, "radius_pool", "pool")

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in LOGIN_SECTIONS
        ]

    def owner_labels(self):
        """What the form shows about the contract the login belongs to."""
        contract = self.owner
        if contract is None:
            return []
        return [
            (capfirst(Login._meta.get_field("customer").verbose_name), contract.customer.name),
            (capfirst(Login._meta.get_field("contract").verbose_name), str(contract)),
            (capfirst(Login._meta.get_field("branch").verbose_name), str(contract.branch)),
        ]

    def service_data(self) -> dict:
        """The values for ``login_create`` / ``login_update``."""
        data = {name: self.cleaned_data[name] for name in LOGIN_FIELDS if name in self.cleaned_data}
        if self.instance.pk:
            for name in LOGIN_OWNER_FIELDS:
                data.pop(name, None)
        return data
