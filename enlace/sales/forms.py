"""Operator forms of the sales area. They never save: the views hand the cleaned values to
``enlace.sales.services``, which validate again and write in one transaction."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.contracts.models import Contract
from enlace.core.forms import EnlaceForm, EnlaceModelForm
from enlace.core.models import Employee, PaymentCondition, Wallet
from enlace.core.widgets import use_picker

from .models import MONEY, QUANTITY, Product, Sale, SaleStatus


class ProductForm(EnlaceModelForm):
    class Meta:
        model = Product
        fields = ["name", "type", "unit", "price", "analytic_account", "active"]


class SaleForm(EnlaceModelForm):
    """The sale's own fields; the customer is fixed (chosen before the form)."""

    class Meta:
        model = Sale
        fields = ["contract", "date", "salesperson", "payment_condition", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["contract"].queryset = Contract.objects.restrict(self.user).filter(customer=customer)
        salespeople = Employee.objects.filter(is_salesperson=True, active=True)
        current = self.instance.salesperson_id
        if current:
            salespeople = Employee.objects.filter(pk=current) | salespeople
        self.fields["salesperson"].queryset = salespeople.distinct().order_by("name")
        use_picker(self, "salesperson", "salesperson")
        conditions = PaymentCondition.objects.filter(active=True)
        if self.instance.payment_condition_id:
            conditions = PaymentCondition.objects.filter(pk=self.instance.payment_condition_id) | conditions
        self.fields["payment_condition"].queryset = conditions.distinct().order_by("name")
        if self.instance.pk is None and not self.is_bound:
            # the customer's "vendedor padrão" and payment condition (the model's empty values are
            # already in ``initial``, so they are replaced, not set by default)
            if not self.initial.get("salesperson"):
                self.initial["salesperson"] = customer.salesperson_id
            if not self.initial.get("payment_condition"):
                self.initial["payment_condition"] = customer.payment_condition_id

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SaleItemForm(EnlaceForm):
    """One item row. A blank row is ignored; the unit price defaults to the product's price."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    product = forms.ModelChoiceField(queryset=Product.objects.none(), label=_("Product"))
    quantity = forms.DecimalField(label=_("Quantity"), **QUANTITY, min_value=Decimal("0.001"), initial=1)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        **MONEY,
        min_value=0,
        required=False,
        help_text=_("Blank: the product's price."),
    )
    discount = forms.DecimalField(label=_("Discount"), **MONEY, min_value=0, required=False)

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = (
            products if products is not None else Product.objects.filter(active=True)
        )

    def item_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("DELETE",)}
        if not data.get("id"):
            data.pop("id", None)
        return data


class BaseSaleItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, products=None, user=None, **kwargs):
        self.products = products
        self.user = user
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"products": self.products, "user": self.user}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            products=self.products,
            user=self.user,
        )
        self.add_fields(form, None)
        return form

    def items(self) -> list[dict]:
        return [
            form.item_data()
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not (self.can_delete and self._should_delete_form(form))
        ]


SaleItemFormSet = forms.formset_factory(SaleItemForm, formset=BaseSaleItemFormSet, extra=2, can_delete=True)


def item_formset(sale: Sale | None, *, user, data=None) -> BaseSaleItemFormSet:
    """The items of ``sale`` (or none) plus blank rows; products offered: the active ones and
    those already on the sale."""
    products = Product.objects.filter(active=True)
    initial = []
    if sale is not None and sale.pk:
        items = list(sale.items.select_related("product"))
        products = (Product.objects.filter(pk__in=[i.product_id for i in items]) | products).distinct()
        initial = [
            {
                "id": i.pk,
                "product": i.product_id,
                "quantity": i.quantity,
                "unit_price": i.unit_price,
                "discount": i.discount,
            }
            for i in items
        ]
    return SaleItemFormSet(
        data=data, initial=initial, prefix="items", products=products.order_by("name"), user=user
    )


class SaleFinishForm(EnlaceForm):
    """ "Finalizar venda": optionally generate the receivables, in a wallet of the sale's branch."""

    generate_receivables = forms.BooleanField(
        label=_("Generate the receivables"), required=False, initial=True
    )
    wallet = forms.ModelChoiceField(queryset=Wallet.objects.none(), label=_("Wallet"), required=False)

    def __init__(self, *args, sale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wallet"].queryset = Wallet.objects.filter(active=True, branch_id=sale.branch_id)
        if sale.receivables_generated:
            del self.fields["generate_receivables"]
            del self.fields["wallet"]


class SaleStatusForm(EnlaceForm):
    """ "Alterar": the status wanted is posted (a hidden field), never inferred from the current
    one, so a double submit cannot toggle the sale back."""

    status = forms.ChoiceField(
        choices=SaleStatus.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Say which status the sale goes to."),
            "invalid_choice": _("Unknown status."),
        },
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
