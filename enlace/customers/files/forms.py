"""Forms of the customer's files: the upload (description and file) and the description's edit."""

from django import forms
from django.utils.translation import gettext_lazy

from enlace.core.forms import EnlaceForm, EnlaceModelForm

from ..models import CustomerFile
from . import checks


class CustomerFileUploadForm(EnlaceForm):
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, JPG, PNG, WebP, DOCX, XLSX, ODT or TXT, up to %(max)s MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "max": checks.max_size_bytes() // (1024 * 1024)
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in checks.ALLOWED.values())


class CustomerFileForm(EnlaceModelForm):
    class Meta:
        model = CustomerFile
        fields = ["description"]
