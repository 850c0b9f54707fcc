"""Operator forms of plans and contracts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.core.forms import AddressFormMixin, BoundedDateField, EnlaceModelForm
from enlace.core.models import Wallet
from enlace.core.money import brl
from enlace.core.widgets import PickerSelect, use_picker
from enlace.customers.models import Customer

from .models import Contract, ContractHistory, Plan

PLAN_FIELDS = [
    "name",
    "type",
    "price",
    "branch",
    "active",
    "download_kbps",
    "upload_kbps",
    "burst_download_kbps",
    "burst_upload_kbps",
    "burst_threshold_percent",
    "burst_time_seconds",
    "priority",
    "address_list",
    "reduced_download_kbps",
    "reduced_upload_kbps",
    "notes",
]

CONTRACT_TABS = (
    (
        _("Data"),
        (
            "customer",
            "branch",
            "plan",
            "type",
            "contract_date",
            "signature_date",
            "inclusion_reason",
            "salesperson",
            "own_address",
            "cep",
            "street",
            "number",
            "complement",
            "neighborhood",
            "city",
            "notes",
        ),
    ),
    (
        _("Invoicing"),
        (
            "due_day",
            "wallet",
            "payment_condition",
            "first_billing_date",
            "billing_type",
            "price",
            "discount",
            "loyalty_months",
            "installation_fee",
            "installation_instalments",
            "no_block_until",
        ),
    ),
)
CONTRACT_FIELDS = [name for _tab, names in CONTRACT_TABS for name in names]


class PlanForm(EnlaceModelForm):
    class Meta:
        model = Plan
        fields = PLAN_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_branches("branch")


class ContractForm(AddressFormMixin, EnlaceModelForm):
    """Dados and Faturamento of a contract; status and access status change through the actions."""

    class Meta:
        model = Contract
        fields = CONTRACT_FIELDS
        # A registry may hold a million customers: the customer is searched by name, CPF/CNPJ,
        # phone or login (core.pickers, "customer"), never a list of every customer; the plan
        # shows its branch and only the contract's branch's plans are offered.
        widgets = {
            "customer": PickerSelect("customer"),
            "plan": PickerSelect("plan", depends="branch"),
            "wallet": PickerSelect("wallet", depends="branch"),
        }

    #: A price or installation fee more than this many times the plan's price asks to confirm.
    LARGE_FACTOR = 10
    confirm_large = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_city()
        self.limit_branches("branch")
        user = self.user
        for name, model in (("customer", Customer), ("plan", Plan), ("wallet", Wallet)):
            queryset = model.objects.all()
            if name == "customer":
                queryset = queryset.filter(is_lead=False).only("id", "name")
            if user is not None:
                queryset = queryset.restrict(user)
            self.fields[name].queryset = queryset
        self.fields["plan"].queryset = self.fields["plan"].queryset.filter(active=True) | Plan.objects.filter(
            pk=self.instance.plan_id or 0
        )
        self.fields["wallet"].queryset = self.fields["wallet"].queryset.filter(
            active=True
        ) | Wallet.objects.filter(pk=self.instance.wallet_id or 0)

        use_picker(self, "salesperson", "employee")
        if self.instance.pk:
            self.fields["customer"].disabled = True

    def clean(self):
        """Issue 19: an amount more than ``LARGE_FACTOR`` times the plan's price (a comma typed
        where a dot was meant, a digit too many) is refused once with the figures; saving again
        (the hidden ``confirm_large``, set when the form is shown back) accepts it."""
        cleaned = super().clean()
        plan = cleaned.get("plan")
        if plan is None or not plan.price or cleaned.get("confirm_large"):
            return cleaned
        large = False
        for name in ("price", "installation_fee"):
            value = cleaned.get(name)
            if value is not None and value > plan.price * self.LARGE_FACTOR:
                large = True
                self.add_error(
                    name,
                    _(
                        "%(value)s is more than %(factor)s times the plan's price (%(price)s). "
                        "Check the value, or save again to confirm it."
                    )
                    % {"value": brl(value), "factor": self.LARGE_FACTOR, "price": brl(plan.price)},
                )
        if large:
            data = self.data.copy()
            data[self.add_prefix("confirm_large")] = "on"
            self.data = data
        return cleaned

    def tabs(self):
        return [(title, [self[name] for name in names]) for title, names in CONTRACT_TABS]


class HistoryForm(EnlaceModelForm):
    """ "Novo" in the Histórico tab (H-2): a manual entry of the customer, optionally about one of
    its contracts. Only the text of an existing entry can change."""

    class Meta:
        model = ContractHistory
        fields = ["customer", "contract", "text"]
        widgets = {"customer": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer_id = self.instance.customer_id or self.initial.get("customer") or self.data.get("customer")
        customers = Customer.objects.all()
        contracts = Contract.objects.filter(
            customer_id=customer_id if str(customer_id or "").isdigit() else None
        )
        if self.user is not None:
            customers, contracts = customers.restrict(self.user), contracts.restrict(self.user)
        self.fields["customer"].queryset = customers
        self.fields["contract"].queryset = contracts
        if self.instance.pk:
            self.fields["customer"].disabled = True
            self.fields["contract"].disabled = True


class ChangePlanForm(forms.Form):
    """Upgrade/downgrade from the contract page (CT-5: one transaction with its history entry and its RADIUS
    effect): another active plan of the contract's
    branch and type, from an effective date; ``contract_change_plan`` checks again."""

    plan = forms.ModelChoiceField(label=_("New plan"), queryset=Plan.objects.none())
    effective_date = BoundedDateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), required=False, strip=False)

    def __init__(self, *args, contract, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        plans = Plan.objects.filter(active=True, branch_id=contract.branch_id, type=contract.type).exclude(
            pk=contract.plan_id
        )
        if user is not None:
            plans = plans.restrict(user)
        self.fields["plan"].queryset = plans.order_by("name")
