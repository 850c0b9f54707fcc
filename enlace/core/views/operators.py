"""Configurações ➜ Operadores: the accounts that log in (Django users), their roles and password.

Only administrators (``auth.*_user`` permissions) get in. Writes go through
``core.operators.operator_save``, which validates the password and keeps the audit trail.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import tables
from ..discovery import discover
from ..filtersets import BaseFilterSet
from ..forms import OperatorForm
from ..operators import operator_queryset, operator_save
from .generic import ObjectChangesView, ObjectDetailView, ObjectEditView, ObjectListView

User = get_user_model()

#: Templates that higher apps add below the operator's page (``enlace/<app>/operator_panels.py``
#: appends to this list; e.g. the ixc app's webservice token). Each gets ``object``, ``can_change``.
OPERATOR_PANELS: list[str] = []


class OperatorFilterSet(BaseFilterSet):
    search_fields = ("username", "first_name", "last_name", "email", "employee__name")

    role = django_filters.ModelChoiceFilter(
        field_name="groups", queryset=Group.objects.order_by("name"), label=_("Role")
    )

    class Meta:
        model = User
        fields = ["role", "is_active"]


class OperatorViewMixin:
    model = User
    url_namespace = "core"
    queryset = User.objects.select_related("employee").prefetch_related("groups", "employee__branches")

    def get_queryset(self):
        return operator_queryset(self.request.user, self.queryset.all())

    def base_context(self):
        return {
            **super().base_context(),
            "verbose_name": _("operator"),
            "verbose_name_plural": _("operators"),
        }


class OperatorListView(OperatorViewMixin, ObjectListView):
    queryset = OperatorViewMixin.queryset.order_by("username")
    table_class = tables.OperatorTable
    filterset_class = OperatorFilterSet


class OperatorDetailView(OperatorViewMixin, ObjectDetailView):
    template_name = "core/operator_detail.html"
    detail_fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "is_superuser",
        "groups",
        "last_login",
        "date_joined",
    ]

    def fields_for(self, obj):
        rows = dict(zip(self.detail_fields, super().fields_for(obj), strict=True))
        rows["groups"] = (_("roles"), rows["groups"][1])
        employee = getattr(obj, "employee", None)
        branches = [b.name for b in employee.branches.all()] if employee is not None else []
        link = format_html('<a href="{}">{}</a>', employee.get_absolute_url(), employee) if employee else None
        rows["employee"] = (_("employee"), link)
        rows["branches"] = (
            _("branches"),
            ", ".join(branches) if branches and not obj.is_superuser else _("All branches"),
        )
        order = [*self.detail_fields[:7], "employee", "branches", *self.detail_fields[7:]]
        return [rows[name] for name in order]

    def get_extra_context(self, obj):
        discover("operator_panels")
        return {
            "can_change": self.request.user.has_perm("auth.change_user")
            and (self.request.user.is_superuser or not obj.is_superuser),
            "operator_panels": OPERATOR_PANELS,
        }


class OperatorEditView(OperatorViewMixin, ObjectEditView):
    form_class = OperatorForm
    template_name = "core/operator_edit.html"

    def get_object(self):
        obj = super().get_object()
        if obj.is_superuser and not self.request.user.is_superuser:
            raise PermissionDenied  # only a superuser changes a superuser (and its password)
        return obj

    def get_success_url(self, obj):
        return reverse("core:user_detail", args=[obj.pk])

    def get_initial(self):
        return {}

    def save_object(self, form):
        return operator_save(
            user=form.instance,
            password=form.cleaned_data.get("password") or None,
            groups=form.cleaned_data.get("groups"),
            actor=self.request.user,
        )


class OperatorChangesView(OperatorViewMixin, ObjectChangesView):
    template_name = "core/operator_changes.html"
