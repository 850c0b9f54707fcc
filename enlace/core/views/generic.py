"""Generic operator views, configured by class attributes (the NetBox pattern).

A plain record gets its list, detail, edit, delete and change-log pages from one
``crud_urls(Model, "prefix", table=..., filterset=..., form=...)`` call; a model with more to do
declares its classes::

    class ContractListView(ObjectListView):
        model = Contract
        table_class = ContractTable
        filterset_class = ContractFilterSet

Permissions: the model permission of the action (``view``/``add``/``change``/``delete``) or 403;
records outside the operator's branches are 404 (``enlace.core.scope.restrict``; a model that declares
no ``branch_scope`` is refused, so no page can serve an unscoped model by forgetting it). Writes go
through a service: by default ``core.services.object_save``/``object_delete``; a view with business
rules overrides ``save_object``/``delete_object`` to call its own service. A service's refusal is
shown on the form by ``core.forms.add_service_errors``. An action on one record (form → service →
message) and a tab of a record's page are ``ObjectActionView`` and ``TabView`` (``actions.py``).
"""

import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from .. import audit_display, exports, services, words
from ..exceptions import ApplicationError
from ..forms import add_service_errors
from ..models import ObjectChange
from ..scope import restrict, scope_rule
from .common import safe_next


def url_name(model, action: str, namespace: str | None = None) -> str:
    return f"{namespace or model._meta.app_label}:{model._meta.model_name}_{action}"


def perm_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class ObjectViewMixin(LoginRequiredMixin):
    model: type[models.Model] = None
    action = "view"
    queryset = None
    url_namespace: str | None = None  # URL namespace of the pages; defaults to the model's app label

    def view_name(self, action: str) -> str:
        return url_name(self.model, action, self.url_namespace)

    def get_required_permission(self):
        return perm_name(self.model, self.action)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(self.get_required_permission()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        # .all(): a fresh copy per request, never the class attribute whose result cache is shared.
        # Always scoped: a model without a branch_scope declaration is refused (ImproperlyConfigured).
        qs = self.queryset.all() if self.queryset is not None else self.model.objects.all()
        return restrict(qs, self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def base_context(self):
        meta = self.model._meta
        user = self.request.user
        return {
            "model": self.model,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": _reverse_or_none(self.view_name("list")),
            "can_add": user.has_perm(perm_name(self.model, "add")),
            "can_change": user.has_perm(perm_name(self.model, "change")),
            "can_delete": user.has_perm(perm_name(self.model, "delete")),
            "url_add": _reverse_or_none(self.view_name("add")),
            "new_title": words.new_title(self.model),
        }


def _reverse_or_none(name, *args):
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


#: Key of ``ObjectListView.get_list_context``'s answer holding the number of filtered rows.
ROW_COUNT = "row_count"


class ObjectListView(ObjectViewMixin, View):
    """Table with filters, HTMX quick search, pagination and CSV export (``?export=csv``)."""

    table_class = None
    filterset_class = None
    template_name = "generic/object_list.html"
    table_template_name = "generic/includes/table.html"
    per_page = 25

    def get(self, request):
        queryset = self.get_queryset()
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(request.GET or None, queryset=queryset, request=request)
            queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
            if filterset.is_bound and not filterset.is_valid():
                queryset = queryset.none()
        # Configured once, below (given the request, the table would paginate — and count — at once).
        table = self.table_class(queryset)
        if request.GET.get("export") == "csv":
            RequestConfig(request, paginate=False).configure(table)
            return self.export_csv(table)
        extra = self.get_list_context(queryset)
        count = extra.pop(ROW_COUNT, None)
        if count is not None:
            # The chart's aggregate counted the rows already: the paginator does not count again
            # (django-tables2 caches the length of its data in ``_length``).
            table.data._length = count
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        context = {
            **self.base_context(),
            "table": table,
            "table_template_name": self.table_template_name,
            "filterset": filterset,
            "filter_form": filterset.form if filterset else None,
            **extra,
        }
        if getattr(request, "htmx", False) and request.htmx.target == "object-table":
            return render(request, self.table_template_name, context)
        return render(request, self.template_name, context)

    def get_list_context(self, queryset) -> dict:
        """More context from the filtered rows (e.g. a chart of them); shown by the results part.
        Aggregate with ``queryset.order_by()`` (no ORDER BY, no joins of ``select_related``); an
        aggregate that counts every row too may return that number under the key ``ROW_COUNT``, so
        that the pagination reuses it instead of running the filtered query once more."""
        return {}

    def export_csv(self, table):
        """``clientes-2026-12-07.csv``: pt-BR headers and values (``core.exports``), ``;``-separated,
        no cell a spreadsheet would run (``core.csvsafe``)."""
        name = exports.filename(self.base_context()["verbose_name_plural"])
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")  # Excel reads UTF-8 with a BOM
        writer = csv.writer(response, delimiter=";")
        writer.writerows(exports.rows(table))
        return response


class ObjectDetailView(ObjectViewMixin, View):
    """One record. ``detail_fields`` lists the fields shown by the generic template."""

    template_name = "generic/object_detail.html"
    detail_fields: list[str] = []

    def get_extra_context(self, obj) -> dict:
        return {}

    def fields_for(self, obj):
        rows = []
        for name in self.detail_fields or [
            f.name for f in self.model._meta.concrete_fields if f.name != "id"
        ]:
            field = self.model._meta.get_field(name)
            if field.many_to_many:
                value = ", ".join(str(v) for v in getattr(obj, name).all())
            elif field.choices:
                value = getattr(obj, f"get_{name}_display")()
            else:
                value = getattr(obj, name)
            display = getattr(obj, f"{name}_display", None)
            rows.append((field.verbose_name, display if display is not None else value))
        return rows

    def get(self, request, pk):
        obj = self.get_object()
        context = {
            **self.base_context(),
            "object": obj,
            "fields": self.fields_for(obj),
            "url_edit": _reverse_or_none(self.view_name("edit"), obj.pk),
            "url_delete": _reverse_or_none(self.view_name("delete"), obj.pk),
            "url_changes": _reverse_or_none(self.view_name("changes"), obj.pk),
            **self.get_extra_context(obj),
        }
        return render(request, self.template_name, context)


class ObjectEditView(ObjectViewMixin, View):
    """Add (no pk) or edit a record through its form and a service."""

    form_class = None
    template_name = "generic/object_edit.html"

    def get_required_permission(self):
        action = "change" if "pk" in self.kwargs else "add"
        return perm_name(self.model, action)

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else self.model()

    def get_form(self, instance, data=None, files=None):
        return self.form_class(
            data=data, files=files, instance=instance, user=self.request.user, initial=self.get_initial()
        )

    def get_initial(self):
        return {k: v for k, v in self.request.GET.items() if k != "next"}

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def save_object(self, form):
        return services.object_save(form.instance, actor=self.request.user, m2m=form.m2m_data())

    def render_form(self, form, instance):
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "is_new": instance.pk is None,
            "next": self.request.GET.get("next", ""),
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk=None):
        instance = self.get_instance()
        return self.render_form(self.get_form(instance), instance)

    def post(self, request, pk=None):
        instance = self.get_instance()
        form = self.get_form(instance, request.POST, request.FILES)
        if form.is_valid():
            try:
                obj = self.save_object(form)
            except (ValidationError, ApplicationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, words.saved_message(obj))
                return redirect(safe_next(request, self.get_success_url(obj)))
        return self.render_form(form, instance)


class ObjectDeleteView(ObjectViewMixin, View):
    action = "delete"
    template_name = "generic/object_delete.html"

    def delete_object(self, obj):
        services.object_delete(obj, actor=self.request.user)

    def get(self, request, pk):
        obj = self.get_object()
        return render(request, self.template_name, {**self.base_context(), "object": obj})

    def post(self, request, pk):
        obj = self.get_object()
        label = str(obj)
        try:
            self.delete_object(obj)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(obj.get_absolute_url())
        messages.success(request, words.deleted_message(obj, label))
        return redirect(safe_next(request, reverse(self.view_name("list"))))


class ObjectChangesView(ObjectViewMixin, View):
    """“Alterações”: the audit trail of one record (who, when, before → after)."""

    template_name = "generic/object_changes.html"

    def get(self, request, pk):
        obj = self.get_object()
        changes = list(self.get_changes(obj).select_related("user", "content_type")[:200])
        displays = audit_display.field_changes(changes)
        for change in changes:
            change.field_changes = displays[change.pk]
            change.record_type = audit_display.model_label(change.content_type)
        return render(request, self.template_name, {**self.base_context(), "object": obj, "changes": changes})

    def get_changes(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=str(obj.pk)
        )


def model_urls(model, prefix: str, *, list=None, detail=None, edit=None, delete=None, changes=True):  # noqa: A002
    """URL patterns ``<model>_list``, ``_add``, ``_detail``, ``_edit``, ``_delete``, ``_changes``."""
    from django.urls import path

    scope_rule(model)  # refuses, when the URLs are built, a model without a branch_scope declaration
    name = model._meta.model_name
    patterns = []
    if list:
        patterns.append(path(f"{prefix}/", list.as_view(), name=f"{name}_list"))
    if edit:
        patterns.append(path(f"{prefix}/add/", edit.as_view(), name=f"{name}_add"))
        patterns.append(path(f"{prefix}/<int:pk>/edit/", edit.as_view(), name=f"{name}_edit"))
    if detail:
        patterns.append(path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"))
    if delete:
        patterns.append(path(f"{prefix}/<int:pk>/delete/", delete.as_view(), name=f"{name}_delete"))
    if changes:
        view = type(f"{model.__name__}ChangesView", (ObjectChangesView,), {"model": model})
        patterns.append(path(f"{prefix}/<int:pk>/changes/", view.as_view(), name=f"{name}_changes"))
    return patterns


__all__ = [
    "Http404",
    "ObjectChangesView",
    "ObjectDeleteView",
    "ObjectDetailView",
    "ObjectEditView",
    "ObjectListView",
    "model_urls",
]


def crud_urls(
    model,
    prefix: str,
    *,
    table,
    filterset,
    form,
    queryset=None,
    detail_fields=None,
    per_page: int | None = None,
    save=None,
):
    """List, add/edit, detail, delete and changes pages of a record without business rules of its
    own, declared in one call: the view classes are built from the generic ones. ``save``, when
    given, is the record's service ``save(instance, *, actor)`` the edit page calls instead of
    ``object_save``. A model whose pages need more (extra context, several services) declares its
    classes and calls ``model_urls``."""

    def view(base, **attrs):
        attrs = {"model": model, **{k: v for k, v in attrs.items() if v is not None}}
        return type(f"{model.__name__}{base.__name__.removeprefix('Object')}", (base,), attrs)

    return model_urls(
        model,
        prefix,
        list=view(
            ObjectListView, queryset=queryset, table_class=table, filterset_class=filterset, per_page=per_page
        ),
        detail=view(ObjectDetailView, detail_fields=detail_fields),
        edit=view(
            ObjectEditView,
            form_class=form,
            save_object=(lambda self, form: save(form.instance, actor=self.request.user)) if save else None,
        ),
        delete=view(ObjectDeleteView),
    )


class ChooseCustomerMixin:
    """For add pages that need a customer (a ticket, a service order): opened without one
    (``?customer=``, or the other ``owner_params``), they first ask for the customer with the
    searchable picker (``core.pickers``, "customer") instead of refusing, then reopen themselves
    with ``?customer=<id>``."""

    owner_params: tuple[str, ...] = ("customer",)

    def get(self, request, pk=None):
        if pk is None and not any(request.GET.get(name) for name in self.owner_params):
            from django import forms as django_forms

            from ..widgets import PickerSelect

            field = django_forms.ChoiceField(label=_("Customer"), widget=PickerSelect("customer"))
            widget = field.widget.render(
                "customer", None, attrs={"id": "id_customer", "class": "form-select", "required": True}
            )
            meta = self.model._meta
            return render(
                request,
                "generic/choose_customer.html",
                {
                    **self.base_context(),
                    "verbose_name": meta.verbose_name,
                    "verbose_name_plural": meta.verbose_name_plural,
                    "widget": widget,
                    "next": request.GET.get("next", ""),
                },
            )
        return super().get(request, pk)
