"""Form base classes: every operator form refuses values with edge white space (SPEC G-2), marks
required fields (G-1, the red asterisk is drawn by ``includes/field.html``) and uses Bootstrap
widgets."""

import datetime
import functools

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .exceptions import ApplicationError
from .fields import localize_decimal_fields
from .models import (
    AnalyticAccount,
    Branch,
    City,
    Department,
    Employee,
    PaymentCondition,
    Wallet,
)
from .roles import ROLE_DESCRIPTIONS
from .scope import allowed_branch_ids, restrict
from .validators import DATE_MAX_YEAR, DATE_MIN_YEAR, has_edge_whitespace, validate_date_in_range
from .widgets import PickerSelect

WIDGET_CLASSES = {
    forms.CheckboxInput: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.NullBooleanSelect: "form-select",
    forms.RadioSelect: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
}


def style_fields(form):
    for field in form.fields.values():
        widget = field.widget
        css = next((c for cls, c in WIDGET_CLASSES.items() if isinstance(widget, cls)), "form-control")
        existing = widget.attrs.get("class", "")
        if css not in existing:
            widget.attrs["class"] = f"{existing} {css}".strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
            widget.attrs.setdefault("min", f"{DATE_MIN_YEAR}-01-01")
            widget.attrs.setdefault("max", f"{DATE_MAX_YEAR}-12-31")
        if field.required and not isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("required", "required")


class BoundedDateField(forms.DateField):
    """A date between 1900-01-01 and 2100-12-31 (for forms that are not ``EnlaceForm``s, which
    bound every date field themselves)."""

    default_validators = [validate_date_in_range]


def clean_date_bounds(form):
    """Refuse, naming the field, every cleaned date or date-time before 1900 or after 2100 — for
    every field of the form, whatever its class and whenever it was added."""
    for name, value in list(form.cleaned_data.items()):
        if isinstance(value, datetime.date) and name not in form.errors:
            try:
                validate_date_in_range(value)
            except ValidationError as exc:
                form.add_error(name, exc)


def add_service_errors(form, exc) -> None:
    """Show a service's refusal on ``form`` — the one adapter of every operator and portal form.

    - ``ApplicationError``: on the field it names when the form has it, otherwise at the top;
    - ``ValidationError`` by field (``full_clean`` or a service): each message on its field when the
      form has it, otherwise at the top, prefixed by the field's verbose name when it is a field of
      the model the form edits;
    - any other ``ValidationError``: its messages at the top.
    """
    if isinstance(exc, ApplicationError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    instance = getattr(form, "instance", None)
    labels = (
        {f.name: f.verbose_name for f in instance._meta.get_fields() if hasattr(f, "verbose_name")}
        if hasattr(instance, "_meta")
        else {}
    )
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            if target is None and field in labels:
                message = f"{labels[field]}: {message}"
            form.add_error(target, message)


class ScopedChoicesMixin:
    """A model choice field whose queryset always passes through the branch scope of the form's
    operator (``enlace.core.scope.restrict``, the same as the API's serializers): whatever queryset
    a form assigns, now or later, another branch's record is neither offered nor accepted — it is
    refused exactly as a missing id ("Select a valid choice")."""

    scope_user = None

    def _set_queryset(self, queryset):
        if queryset is not None:
            queryset = restrict(queryset, self.scope_user)
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


@functools.cache
def _scoped_class(field_class):
    return type(f"Scoped{field_class.__name__}", (ScopedChoicesMixin, field_class), {})


def scope_choices(fields, user):
    """Turn every model choice field of ``fields`` into a scoped one for ``user``."""
    for field in fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, ScopedChoicesMixin):
            field.__class__ = _scoped_class(type(field))
            field.scope_user = user
            field.queryset = field.queryset  # restrict the queryset assigned so far


class EnlaceFormMixin:
    """Keeps typed text as it is (no silent strip), refuses edge white space naming the field and
    scopes every model choice field to the operator given as ``user`` (branch scope).

    The choices are scoped once the outermost ``__init__`` has run (every subclass's ``__init__``
    is wrapped by ``__init_subclass__``), so querysets a subclass sets after ``super().__init__()``
    and fields it adds are scoped too, and any later assignment passes through the scope. A form
    built without ``user`` offers no record of a branch-scoped model (it fails closed)."""

    edge_whitespace_message = _("“%(field)s” must not start or end with spaces.")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "scopes_choices", False):
            cls.__init__ = _scoping_init(init)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.strip = False
        localize_decimal_fields(self.fields)  # "1.234,56" and "1234.56" (core.fields)
        style_fields(self)

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():  # G-2: no edge white space; the error names the field
            if not isinstance(field, forms.CharField):
                continue
            # A value refused by the field's own validators (e-mail, user name) is checked as typed:
            # when the space is the problem the operator is told so, not "invalid e-mail".
            value = self[name].data if name in self._errors else self.cleaned_data.get(name)
            if field.required and isinstance(value, str) and value and not value.strip():
                # only spaces: nothing was typed — "required", not "must not start with spaces"
                self._errors.pop(name, None)
                self.add_error(name, field.error_messages["required"])
            elif has_edge_whitespace(value):
                self._errors.pop(name, None)
                label = capfirst(field.label or name)
                self.add_error(name, self.edge_whitespace_message % {"field": label})
        clean_date_bounds(self)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in [field] if field else []:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def limit_branches(self, *names):
        """Offer only the branches the operator works in (branch scope)."""
        ids = allowed_branch_ids(self.user)
        for name in names:
            if name in self.fields and ids is not None:
                self.fields[name].queryset = self.fields[name].queryset.filter(pk__in=ids)


def _scoping_init(init):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        depth = getattr(self, "_init_depth", 0)
        self._init_depth = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            self._init_depth = depth
        if depth == 0:
            scope_choices(self.fields, self.user)

    __init__.scopes_choices = True
    return __init__


EnlaceFormMixin.__init__ = _scoping_init(EnlaceFormMixin.__init__)


class EnlaceForm(EnlaceFormMixin, forms.Form):
    pass


class EnlaceModelForm(EnlaceFormMixin, forms.ModelForm):
    """Model form for the generic edit view. It never saves by itself: the view hands
    ``form.instance`` (and ``form.m2m_data()``) to a service."""

    def _post_clean(self):
        # Model validation (full_clean) runs in the service, once; here only the form's own checks
        # and the construction of the instance.
        opts = self._meta
        from django.forms.models import construct_instance

        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as e:
            self._update_errors(e)

    def m2m_data(self) -> dict:
        return {
            f.name: self.cleaned_data[f.name]
            for f in self.instance._meta.many_to_many
            if f.name in self.cleaned_data
        }


class CitySelect(forms.Select):
    """The 5,570 municipalities as a select, rendered from one cached string: Django's per-option
    templates take seconds for a list this long. Options are "Name/UF" with the IBGE code as value."""

    _options_html: str | None = None

    @classmethod
    def options_html(cls) -> str:
        if cls._options_html is None:
            rows = City.objects.order_by("name", "state__abbr").values_list("code", "name", "state__abbr")
            cls._options_html = "".join(
                f'<option value="{code}">{escape(name)}/{abbr}</option>' for code, name, abbr in rows
            )
        return cls._options_html

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        attributes = "".join(
            f' {key}="{escape(val)}"' if val is not True else f" {key}"
            for key, val in final.items()
            if val not in (None, False)
        )
        options = self.options_html()
        if value not in (None, ""):
            selected = f'<option value="{escape(str(value))}">'
            options = options.replace(selected, selected[:-1] + " selected>", 1)
        empty = f'<option value=""{"" if value not in (None, "") else " selected"}>---------</option>'
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{empty}{options}</select>')  # noqa: S308


class CityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}/{obj.state.abbr}"


class AddressFormMixin:
    """City picked by name with its state; the IBGE code is what is stored."""

    def setup_city(self):
        if "city" in self.fields:
            self.fields["city"] = CityChoiceField(
                queryset=City.objects.select_related("state"),
                required=self.fields["city"].required,
                label=_("City"),
            )
            # Type-ahead (core.pickers "city"): the 5,570 options made the customer form 548 KB.
            self.fields["city"].widget = PickerSelect("city", attrs={"class": "form-select"})


class BranchForm(AddressFormMixin, EnlaceModelForm):
    # Masked input is accepted; the model stores the bare digits (Branch.normalize).
    cnpj = forms.CharField(
        label=_("CNPJ"), max_length=18, widget=forms.TextInput(attrs={"placeholder": "00.000.000/0000-00"})
    )
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "(00) 00000-0000"}),
    )
    cep = forms.CharField(
        label=_("CEP"),
        max_length=9,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "00000-000"}),
    )

    class Meta:
        model = Branch
        fields = [
            "name",
            "legal_name",
            "cnpj",
            "phone",
            "email",
            "cep",
            "street",
            "number",
            "complement",
            "neighborhood",
            "city",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_city()
        if self.instance.pk and not self.is_bound:
            self.initial["cnpj"] = self.instance.cnpj_display


class ParametersForm:
    """Configurações ➜ Parâmetros ➜ Parâmetros Gerais: one model form per registered settings row
    (``enlace.core.parameters``), shown and validated as one form. Field names are unique across
    the rows, so the forms share the page without prefixes; ``fields``, ``errors``,
    ``cleaned_data``, ``add_error`` and ``form[name]`` span them all."""

    def __init__(self, data=None, files=None, *, user=None):
        from . import parameters

        self.user = user
        self.is_bound = data is not None or files is not None
        self._tabs = parameters.tabs()
        self.forms = [
            parameters.form_class_of(model)(data, files, instance=model.load(), user=user)
            for model in parameters.models()
        ]
        owner = {name: form for form in self.forms for name in form.fields}
        self._owner = {tab_field: owner[tab_field] for tab in self._tabs for tab_field in tab.fields}
        self.fields = {name: form.fields[name] for name, form in self._owner.items()}

    def __getitem__(self, name):
        return self._owner[name][name]

    def tabs(self):
        return [(tab.label, [self[name] for name in tab.fields]) for tab in self._tabs]

    def is_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms)

    @property
    def errors(self):
        errors = forms.utils.ErrorDict()
        for form in self.forms:
            for name, messages in form.errors.items():
                errors.setdefault(name, form.error_class()).extend(messages)
        return errors

    def non_field_errors(self):
        return self.forms[0].error_class([e for form in self.forms for e in form.non_field_errors()])

    @property
    def cleaned_data(self) -> dict:
        return {name: value for form in self.forms for name, value in form.cleaned_data.items()}

    def add_error(self, field, error) -> None:
        (self._owner.get(field) or self.forms[0]).add_error(field, error)


class DepartmentForm(EnlaceModelForm):
    class Meta:
        model = Department
        fields = ["name", "email", "serves_tickets", "portal_visible", "active"]


class EmployeeForm(EnlaceModelForm):
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)

    class Meta:
        model = Employee
        fields = [
            "name",
            "user",
            "email",
            "phone",
            "department",
            "branches",
            "is_technician",
            "is_salesperson",
            "is_attendant",
            "active",
        ]
        widgets = {"branches": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_branches("branches")
        taken = Employee.objects.exclude(pk=self.instance.pk).exclude(user=None).values("user_id")
        self.fields["user"].queryset = self.fields["user"].queryset.exclude(pk__in=taken).order_by("username")


class PaymentConditionForm(EnlaceModelForm):
    class Meta:
        model = PaymentCondition
        fields = ["name", "instalments", "first_due_days", "days_between", "active"]


class AnalyticAccountForm(EnlaceModelForm):
    class Meta:
        model = AnalyticAccount
        fields = ["code", "name", "kind", "parent", "active"]


# --- Operators (Configurações ➜ Operadores) -----------------------------------------------------


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """The roles (Django groups) as checkboxes, each with what it allows."""

    def label_from_instance(self, obj):
        description = ROLE_DESCRIPTIONS.get(obj.name)
        return f"{obj.name} — {description}" if description else obj.name


class OperatorForm(EnlaceModelForm):
    """An operator account. The password is optional when editing (blank keeps it) and required
    when adding; ``core.operators.operator_save`` checks it with Django's password validators.
    Only a superuser sees the superuser flag."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password confirmation"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email", "is_active", "is_superuser", "groups"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"] = RoleChoiceField(
            queryset=Group.objects.order_by("name"),
            required=False,
            label=_("Roles"),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            help_text=_("What the operator may see and do. Branch scope comes from the linked employee."),
        )
        rules = " ".join(str(text) for text in password_validation.password_validators_help_texts())
        if self.instance.pk is None:
            self.fields["password"].required = True
            self.fields["password_confirm"].required = True
            style_fields(self)  # the "required" attribute
            self.fields["password"].help_text = rules
        else:
            keep = _("Leave blank to keep the current password.")  # outside the f-string: xgettext finds it
            self.fields["password"].help_text = f"{keep} {rules}"
        if not (self.user is not None and self.user.is_superuser):
            del self.fields["is_superuser"]

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        typed_ok = not {"password", "password_confirm"} & set(self.errors)
        if typed_ok and (password or confirm) and password != confirm:
            self.add_error("password_confirm", _("The two password fields didn’t match."))
        return cleaned


# --- Billing wallets (Financeiro ➜ Carteiras de cobrança) ----------------------------------------


class WalletForm(EnlaceModelForm):
    class Meta:
        model = Wallet
        fields = [
            "name",
            "branch",
            "bank_code",
            "agency",
            "agency_digit",
            "account",
            "account_digit",
            "carteira",
            "convenio",
            "cnab_layout",
            "fine_percent",
            "interest_percent_month",
            "pix_key",
            "instructions",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_branches("branch")
