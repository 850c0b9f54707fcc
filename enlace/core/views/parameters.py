"""Configurações ➜ Parâmetros ➜ Parâmetros Gerais: one page with a tab per area, each area's tabs
registered by its app (``enlace.core.parameters``) and saved together by
``services.parameters_update``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .. import services
from ..forms import ParametersForm, add_service_errors


class ParametersView(LoginRequiredMixin, View):
    template_name = "core/parameters.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("core.view_generalparameters"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form):
        can_change = self.request.user.has_perm("core.change_generalparameters")
        if not can_change:
            for field in form.fields.values():
                field.disabled = True
        return render(self.request, self.template_name, {"form": form, "can_change": can_change})

    def get(self, request):
        return self.render_form(ParametersForm(user=request.user))

    def post(self, request):
        if not request.user.has_perm("core.change_generalparameters"):
            raise PermissionDenied
        form = ParametersForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.fields}
            if values.get("portal_logo") is False:  # "clear" ticked
                values["portal_logo"] = ""
            try:
                services.parameters_update(actor=request.user, **values)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Parameters saved."))
                return redirect("core:parameters")
        return self.render_form(form)
