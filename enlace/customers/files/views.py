"""The customer page's "Arquivos" tab (SPEC AR-1): list, upload with a description, edit the
description, delete, and download — only through ``CustomerFileDownloadView``, which checks the
operator's branch scope (another branch's file is 404) and answers as an attachment. Media files
are never linked directly."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from enlace.core import words
from enlace.core.exceptions import ApplicationError
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import tab_url
from enlace.core.views.generic import (
    ObjectChangesView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectViewMixin,
)

from .. import selectors
from ..models import Customer, CustomerFile
from ..tabs import CustomerTabView
from . import checks, services
from .forms import CustomerFileForm, CustomerFileUploadForm


def files_tab_url(customer) -> str:
    return tab_url(customer, "files")


class CustomerFilesTabView(CustomerTabView):
    """The "Arquivos" tab: the customer's files, newest first."""

    model = CustomerFile
    tab_key = "files"
    leads = True
    template_name = "customers/files/tab.html"

    def get_tab_context(self, customer):
        user = self.request.user
        return {
            "customer": customer,
            "files": self.get_queryset().filter(customer=customer).select_related("uploaded_by"),
            "can_add": user.has_perm("customers.add_customerfile"),
            "can_change": user.has_perm("customers.change_customerfile"),
            "can_delete": user.has_perm("customers.delete_customerfile"),
            "add_url": reverse("customers:customerfile_add", args=[customer.pk]),
        }


class CustomerFileAddView(ObjectActionView):
    """Upload a file with its description; refused files are reported on the form and never
    stored."""

    model = CustomerFile
    action = "add"
    form_class = CustomerFileUploadForm
    template_name = "customers/files/upload.html"

    def get_object(self):
        try:
            return selectors.customer_in_scope(user=self.request.user, pk=self.kwargs["pk"])
        except Customer.DoesNotExist as exc:
            raise Http404 from exc

    def get_context(self, customer, form):
        return {**self.base_context(), "customer": customer, "form": form, "next": files_tab_url(customer)}

    def perform(self, customer, data):
        return services.customer_file_create(
            actor=self.request.user, customer=customer, description=data["description"], upload=data["file"]
        )

    def get_success_message(self, customer, record):
        return _("File “%(name)s” stored.") % {"name": record.description}

    def get_success_url(self, customer, record):
        return files_tab_url(customer)


class CustomerFileDetailView(ObjectDetailView):
    model = CustomerFile
    queryset = CustomerFile.objects.select_related("customer", "uploaded_by")
    detail_fields = [
        "customer",
        "description",
        "original_name",
        "content_type",
        "size",
        "uploaded_at",
        "uploaded_by",
    ]
    template_name = "customers/files/detail.html"

    def get_extra_context(self, obj):
        return {"tab_url": files_tab_url(obj.customer)}


class CustomerFileEditView(ObjectEditView):
    """Edit the description (the content is never replaced)."""

    model = CustomerFile
    form_class = CustomerFileForm

    def get_success_url(self, obj):
        return files_tab_url(obj.customer)

    def save_object(self, form):
        return services.customer_file_update(
            actor=self.request.user, file=form.instance, description=form.cleaned_data["description"]
        )


class CustomerFileDeleteView(ObjectDeleteView):
    model = CustomerFile

    def delete_object(self, obj):
        services.customer_file_delete(actor=self.request.user, file=obj)

    def post(self, request, pk):
        record = self.get_object()
        try:
            self.delete_object(record)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, words.deleted_message(record, record.description))
        return redirect(files_tab_url(record.customer))


class CustomerFileDownloadView(ObjectViewMixin, View):
    """The file's content as an attachment, for operators who may see the customer's files."""

    model = CustomerFile

    def get(self, request, pk):
        record = self.get_object()
        return file_response(record)


class CustomerFileChangesView(ObjectChangesView):
    model = CustomerFile


def download_name(record: CustomerFile) -> str:
    """The original name, sanitised, with the extension of what the content is."""
    if record.content_type in checks.ALLOWED:
        return checks.stored_name(record.original_name, record.content_type)
    return record.download_name


def file_response(record: CustomerFile) -> FileResponse:
    try:
        handle = record.file.storage.open(record.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file's content is missing from storage.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(record), content_type=record.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
