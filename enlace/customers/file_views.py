"""The customer page's "Arquivos" tab (SPEC AR-1): list, upload with a description, edit the
description, delete, and download — only through ``CustomerFileDownloadView``, which checks the
operator's branch scope (another branch's file is 404) and answers as an attachment. Media files
are never linked directly."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.core.exceptions import ApplicationError
from enlace.core.forms import EnlaceForm, EnlaceModelForm
from enlace.core.views.generic import (
    ObjectChangesView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectViewMixin,
)

from . import files
from .models import Customer, CustomerFile


def files_tab_url(customer) -> str:
    return f"{customer.get_absolute_url()}?tab=files"


def _service_errors(form, exc) -> None:
    if isinstance(exc, ApplicationError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class CustomerFileUploadForm(EnlaceForm):
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, JPG, PNG, WebP, DOCX, XLSX, ODT or TXT, up to %(max)s MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "max": files.max_size_bytes() // (1024 * 1024)
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in files.ALLOWED.values())


class CustomerFileForm(EnlaceModelForm):
    class Meta:
        model = CustomerFile
        fields = ["description"]


class CustomerFilesTabView(ObjectViewMixin, View):
    """The "Arquivos" tab: the customer's files, newest first."""

    model = CustomerFile

    def get(self, request, pk):
        customer = get_object_or_404(Customer.objects.restrict(request.user), pk=pk)
        if not getattr(request, "htmx", False):
            return redirect(files_tab_url(customer))
        user = request.user
        context = {
            "customer": customer,
            "files": self.get_queryset().filter(customer=customer).select_related("uploaded_by"),
            "can_add": user.has_perm("customers.add_customerfile"),
            "can_change": user.has_perm("customers.change_customerfile"),
            "can_delete": user.has_perm("customers.delete_customerfile"),
            "add_url": reverse("customers:customerfile_add", args=[customer.pk]),
        }
        return render(request, "customers/files/tab.html", context)


class CustomerFileAddView(ObjectViewMixin, View):
    """Upload a file with its description; refused files are reported on the form and never
    stored."""

    model = CustomerFile
    action = "add"
    template_name = "customers/files/upload.html"

    def get_customer(self, pk):
        return get_object_or_404(Customer.objects.restrict(self.request.user), pk=pk)

    def render_form(self, customer, form):
        context = {**self.base_context(), "customer": customer, "form": form, "next": files_tab_url(customer)}
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        customer = self.get_customer(pk)
        return self.render_form(customer, CustomerFileUploadForm(user=request.user))

    def post(self, request, pk):
        customer = self.get_customer(pk)
        form = CustomerFileUploadForm(data=request.POST, files=request.FILES, user=request.user)
        if form.is_valid():
            try:
                record = files.customer_file_create(
                    actor=request.user,
                    customer=customer,
                    description=form.cleaned_data["description"],
                    upload=form.cleaned_data["file"],
                )
            except (ValidationError, ApplicationError) as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, _("File “%(name)s” stored.") % {"name": record.description})
                return redirect(files_tab_url(customer))
        return self.render_form(customer, form)


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
        return files.customer_file_update(
            actor=self.request.user, file=form.instance, description=form.cleaned_data["description"]
        )


class CustomerFileDeleteView(ObjectDeleteView):
    model = CustomerFile

    def delete_object(self, obj):
        files.customer_file_delete(actor=self.request.user, file=obj)

    def post(self, request, pk):
        record = self.get_object()
        try:
            self.delete_object(record)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(object)s deleted.") % {"object": record.description})
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
    if record.content_type in files.ALLOWED:
        return files.stored_name(record.original_name, record.content_type)
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
