"""Operator forms of the finance area and the receivables list's FilterSet. Forms never save: the
views hand the cleaned values to the services (``enlace.billing.services``: ``invoices``,
``payments``, ``imports``, ``runs``, ``renegotiation``), which validate again and write in one transaction."""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from enlace.contracts.models import Contract
from enlace.core.filtersets import BaseFilterSet
from enlace.core.forms import EnlaceForm
from enlace.core.models import AnalyticAccount, Branch, PaymentCondition, Wallet
from enlace.core.scope import allowed_branch_ids

from .filtersets import CnabImportFilterSet, InvoiceFilterSet, PaymentFilterSet
from .models import (
    OPEN_STATUSES,
    Invoice,
    InvoiceColor,
    InvoiceStatus,
    PaymentMethod,
    RegistrationStatus,
    Remittance,
)
from .services.renegotiation import MAX_INSTALMENTS

MONEY = {"max_digits": 12, "decimal_places": 2}


def wallets_for(request):
    """Active wallets of the branches the requesting operator works in."""
    user = getattr(request, "user", None)
    return Wallet.objects.restrict(user).filter(active=True) if user else Wallet.objects.none()


def next_period(today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{year:04d}-{month:02d}"


# --- Receivables list ---------------------------------------------------------------------------


class InvoiceListFilterSet(InvoiceFilterSet):
    """The "Contas a receber" page's filters: ``InvoiceFilterSet`` (shared with the API) with the
    customer and contract as ids (never a select of every customer), wallets and branches of the
    operator's scope and date pickers for the due date range."""

    customer = django_filters.NumberFilter(widget=forms.HiddenInput, label=_("Customer"))
    contract = django_filters.NumberFilter(widget=forms.HiddenInput, label=_("Contract"))
    wallet = django_filters.ModelChoiceFilter(queryset=wallets_for, label=_("Wallet"))
    due_date = django_filters.DateFromToRangeFilter(
        label=_("Due date (from / to)"), widget=DateRangeWidget(attrs={"type": "date"})
    )
    status = django_filters.MultipleChoiceFilter(
        choices=InvoiceStatus.choices,
        label=_("Status"),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    color = django_filters.MultipleChoiceFilter(
        choices=InvoiceColor.choices,
        method="filter_color",
        label=_("Colour"),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    registration_status = django_filters.MultipleChoiceFilter(
        choices=RegistrationStatus.choices,
        label=_("Bank registration"),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )

    class Meta(InvoiceFilterSet.Meta):
        fields = [
            "status",
            "due_date",
            "wallet",
            "branch",
            "kind",
            "period",
            "color",
            "registration_status",
            "renegotiated",
            "customer",
            "contract",
        ]


class PaymentListFilterSet(PaymentFilterSet):
    """The "Recebimentos" page's filters: ``PaymentFilterSet`` with the invoice, customer and contract
    as ids (never a select of every invoice) and date pickers."""

    invoice = django_filters.NumberFilter(widget=forms.HiddenInput, label=_("Invoice"))
    customer = django_filters.NumberFilter(
        field_name="invoice__customer", widget=forms.HiddenInput, label=_("Customer")
    )
    contract = django_filters.NumberFilter(
        field_name="invoice__contract", widget=forms.HiddenInput, label=_("Contract")
    )
    method = django_filters.MultipleChoiceFilter(
        choices=PaymentMethod.choices, label=_("Method"), widget=forms.SelectMultiple(attrs={"size": 3})
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("Payment date (from / to)"), widget=DateRangeWidget(attrs={"type": "date"})
    )

    class Meta(PaymentFilterSet.Meta):
        fields = ["date", "method", "branch", "reversed", "reversal", "invoice", "customer", "contract"]


class CnabImportListFilterSet(CnabImportFilterSet):
    """The "Retornos bancários" page's filters: wallets of the operator's scope, date pickers."""

    wallet = django_filters.ModelChoiceFilter(queryset=wallets_for, label=_("Wallet"))
    imported = django_filters.DateFromToRangeFilter(
        field_name="created_at__date",
        label=_("Imported on (from / to)"),
        widget=DateRangeWidget(attrs={"type": "date"}),
    )


class RemittanceListFilterSet(BaseFilterSet):
    """The "Arquivos de remessa" page's filters: wallets of the operator's scope."""

    wallet = django_filters.ModelChoiceFilter(queryset=wallets_for, label=_("Wallet"))

    class Meta:
        model = Remittance
        fields = ["wallet"]


class SecondCopyForm(EnlaceForm):
    """ "Segunda via": a new due date for an open invoice."""

    due_date = forms.DateField(label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"}))


class ChangeAmountForm(EnlaceForm):
    """A new face value for an open invoice nothing was paid of."""

    amount = forms.DecimalField(label=_("New amount"), min_value=Decimal("0.01"), **MONEY)


# --- Settlement, cancellation, reversal -----------------------------------------------------------


class SettleForm(EnlaceForm):
    """ "Baixa" (F-6): amount and charges come prefilled with what is due on the date (F-7: the wallet's fine
    and interest, capped at 2 % and 1 % a month); a smaller amount is a partial payment."""

    date = forms.DateField(label=_("payment date"), widget=forms.DateInput)
    method = forms.ChoiceField(label=_("method"), choices=PaymentMethod.choices)
    amount = forms.DecimalField(label=_("amount received"), min_value=0.01, **MONEY)
    fine = forms.DecimalField(label=_("fine"), min_value=0, required=False, **MONEY)
    interest = forms.DecimalField(label=_("interest"), min_value=0, required=False, **MONEY)
    discount = forms.DecimalField(label=_("discount"), min_value=0, required=False, **MONEY)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("amount", "fine", "interest", "discount"):
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})


class ReasonForm(EnlaceForm):
    """The reason of a cancellation or a reversal ("estorno")."""

    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


# --- One-off invoice ---------------------------------------------------------------------------------


class OneOffInvoiceForm(EnlaceForm):
    """ "Novo boleto avulso": for one customer (fixed), from a wallet of the customer's branch,
    optionally tied to one of the customer's contracts."""

    wallet = forms.ModelChoiceField(label=_("wallet"), queryset=Wallet.objects.none())
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput)
    amount = forms.DecimalField(label=_("amount"), min_value=0.01, **MONEY)
    description = forms.CharField(label=_("description"), max_length=200)
    contract = forms.ModelChoiceField(label=_("contract"), queryset=Contract.objects.none(), required=False)
    discount = forms.DecimalField(
        label=_("discount"),
        min_value=0,
        required=False,
        help_text=_("Taken off when paid up to the due date."),
        **MONEY,
    )
    analytic_account = forms.ModelChoiceField(
        label=_("analytic account"), queryset=AnalyticAccount.objects.filter(active=True), required=False
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["wallet"].queryset = Wallet.objects.filter(branch_id=customer.branch_id, active=True)
        self.fields["contract"].queryset = Contract.objects.filter(customer=customer).order_by("-id")
        for name in ("amount", "discount"):
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
        wallets = list(self.fields["wallet"].queryset[:2])
        if len(wallets) == 1:
            self.fields["wallet"].initial = wallets[0].pk

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data["customer"] = self.customer
        return data


# --- Bank return files and billing runs ---------------------------------------------------------------


class CnabUploadForm(EnlaceForm):
    """ "Retornos bancários": the wallet the file belongs to and the file itself."""

    wallet = forms.ModelChoiceField(label=_("wallet"), queryset=Wallet.objects.none())
    file = forms.FileField(label=_("return file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wallet"].queryset = (
            Wallet.objects.restrict(self.user).filter(active=True).select_related("branch")
        )
        self.fields["file"].help_text = _("CNAB 240 or CNAB 400 (.RET), up to %(max)s MB.") % {
            "max": settings.BANK_RETURN_MAX_UPLOAD_MB
        }


class BillingRunForm(EnlaceForm):
    """ "Faturamento": the period (competência) and, optionally, one branch."""

    period = forms.CharField(
        label=_("period"),
        max_length=7,
        help_text=_("Month of the invoices (competência), YYYY-MM."),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    branch = forms.ModelChoiceField(
        label=_("branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("All branches"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.restrict(self.user).filter(active=True)
        if allowed_branch_ids(self.user) is not None:
            self.fields["branch"].required = True
            self.fields["branch"].empty_label = None
        self.fields["period"].initial = next_period()


# --- Renegotiation wizard (F-8: open invoices replaced by new ones, the old turn grey) ------------------


class InvoiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class RenegotiationStartForm(EnlaceForm):
    """Step 1: the customer's open invoices to renegotiate."""

    invoices = InvoiceChoiceField(
        label=_("open invoices"),
        queryset=Invoice.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = open_invoices(customer)


def open_invoices(customer):
    return Invoice.objects.filter(customer=customer, status__in=OPEN_STATUSES, renegotiated=False).order_by(
        "due_date", "pk"
    )


class RenegotiationTermsForm(EnlaceForm):
    """Step 2: additions, discount, payment condition or number of instalments, wallet and first
    due date; the service recalculates the new total."""

    additions = forms.DecimalField(label=_("additions"), min_value=0, required=False, **MONEY)
    discount = forms.DecimalField(label=_("discount"), min_value=0, required=False, **MONEY)
    payment_condition = forms.ModelChoiceField(
        label=_("payment condition"),
        queryset=PaymentCondition.objects.filter(active=True),
        required=False,
        help_text=_("Its number of instalments and interval; or give the number of instalments."),
    )
    instalments = forms.IntegerField(
        label=_("instalments"), min_value=1, max_value=MAX_INSTALMENTS, required=False
    )
    wallet = forms.ModelChoiceField(label=_("wallet"), queryset=Wallet.objects.none())
    first_due_date = forms.DateField(label=_("first due date"), widget=forms.DateInput, required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, renegotiation, **kwargs):
        super().__init__(*args, **kwargs)
        customer = renegotiation.customer
        self.fields["wallet"].queryset = Wallet.objects.filter(branch_id=customer.branch_id).filter(
            Q(active=True) | Q(pk=renegotiation.wallet_id)
        )
        for name in ("additions", "discount"):
            self.fields[name].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("payment_condition") and not cleaned.get("instalments") and not self.errors:
            raise ValidationError(_("Choose a payment condition or give the number of instalments."))
        return cleaned

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("payment_condition"):
            data.pop("instalments", None)  # the condition's number
        return {k: v for k, v in data.items() if v is not None}
