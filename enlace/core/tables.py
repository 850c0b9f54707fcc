"""django-tables2 tables of the core lists."""

import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from . import audit_display, tablecells
from .models import (
    AnalyticAccount,
    Branch,
    City,
    Department,
    Employee,
    ObjectChange,
    PaymentCondition,
    Wallet,
)

tablecells.install()  # django-tables2 reads each render's signature once (core.tablecells)


class EnlaceTable(tables.Table):
    """Base table: the first column links to the record; Bootstrap styling."""

    #: Columns shown only on screens 1,400 px wide and more (class ``col-wide``, enlace.css): what
    #: an operator needs least in a list that would not fit a 1366 px screen with them.
    wide_columns: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table table-sm table-hover table-striped align-middle", "id": "objects"}
        empty_text = _("No records found.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.wide_columns:
            column = self.columns[name].column  # this table's own copy of the column
            attrs = dict(column.attrs)
            for cell in ("th", "td"):
                own = dict(attrs.get(cell, attrs.get("cell", {})))
                own["class"] = f"{own.get('class', '')} col-wide".strip()
                attrs[cell] = own
            column.attrs = attrs


class BranchTable(EnlaceTable):
    name = tables.Column(linkify=True)
    cnpj = tables.Column(accessor="cnpj_display", verbose_name=_("CNPJ"), order_by="cnpj")
    city = tables.Column(verbose_name=_("city"))
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Branch
        fields = ("name", "legal_name", "cnpj", "city", "phone", "email", "active")


class DepartmentTable(EnlaceTable):
    name = tables.Column(linkify=True)
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Department
        fields = ("name", "email", "serves_tickets", "portal_visible", "active")


class EmployeeTable(EnlaceTable):
    name = tables.Column(linkify=True)
    roles = tables.Column(accessor="roles_display", verbose_name=_("roles"), orderable=False)
    branches = tables.ManyToManyColumn(verbose_name=_("branches"))
    user = tables.Column(verbose_name=_("operator account"))
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Employee
        fields = ("name", "user", "department", "roles", "branches", "email", "active")


class PaymentConditionTable(EnlaceTable):
    name = tables.Column(linkify=True)
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = PaymentCondition
        fields = ("name", "instalments", "first_due_days", "days_between", "active")


class AnalyticAccountTable(EnlaceTable):
    code = tables.Column(linkify=True)
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = AnalyticAccount
        fields = ("code", "name", "kind", "parent", "active")


class CityTable(EnlaceTable):
    class Meta(EnlaceTable.Meta):
        model = City
        fields = ("code", "name", "state")


class ChangeDiffColumn(tables.Column):
    """The changed fields of an audit record, by verbose name and display value
    (``core.audit_display``); the linked records of the whole page are read at once."""

    def __init__(self, **kwargs):
        super().__init__(empty_values=(), orderable=False, **kwargs)

    def _rows(self, record, table):
        displays = getattr(table, "_change_displays", None)
        if displays is None or record.pk not in displays:
            page = getattr(table, "page", None)
            records = [row.record for row in page.object_list] if page is not None else [record]
            displays = table._change_displays = audit_display.field_changes(records)
        return displays.get(record.pk, [])

    def render(self, record, table):
        return render_to_string("core/includes/change_diff.html", {"rows": self._rows(record, table)})

    def value(self, record, table):
        return "; ".join(
            f"{row.label}: {strip_tags(row.before)} → {strip_tags(row.after)}"
            for row in self._rows(record, table)
        )


class ObjectChangeTable(EnlaceTable):
    time = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")
    content_type = tables.Column(verbose_name=_("Record type"))
    object_repr = tables.Column(verbose_name=_("Record"))
    changed = ChangeDiffColumn(verbose_name=_("Before → after"))

    class Meta(EnlaceTable.Meta):
        model = ObjectChange
        fields = ("time", "user_name", "source", "action", "content_type", "object_repr", "changed")

    def render_content_type(self, value):
        return audit_display.model_label(value)

    def value_content_type(self, value):
        return audit_display.model_label(value)


class OperatorTable(EnlaceTable):
    """Configurações ➜ Operadores: the Django users who log in, with roles and branch scope."""

    username = tables.Column(linkify=("core:user_detail", [tables.A("pk")]))
    full_name = tables.Column(
        accessor="get_full_name", verbose_name=_("full name"), order_by=("first_name", "last_name")
    )
    is_active = tables.BooleanColumn()
    roles = tables.ManyToManyColumn(accessor="groups", verbose_name=_("roles"), orderable=False)
    branches = tables.Column(empty_values=(), verbose_name=_("branches"), orderable=False)
    last_login = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")

    class Meta(EnlaceTable.Meta):
        model = get_user_model()
        fields = ("username", "full_name", "email", "is_active", "roles", "branches", "last_login")

    def render_branches(self, record):
        employee = getattr(record, "employee", None)
        names = [b.name for b in employee.branches.all()] if employee is not None else []
        if record.is_superuser or not names:
            return _("All branches")
        return ", ".join(names)


class WalletTable(EnlaceTable):
    name = tables.Column(linkify=True)
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Wallet
        fields = ("name", "branch", "bank_code", "agency", "account", "carteira", "cnab_layout", "active")
