"""Views shared by the record pages of every area: an action on one record (form → service →
message → redirect) and one tab of a record's page loaded with HTMX.

``ObjectActionView`` — the operator acts on one record through its service::

    class SaleFinishView(ObjectActionView):
        model = Sale
        form_class = forms.SaleFinishForm
        success_message = _("%(object)s finished.")

        def perform(self, sale, data):
            return services.sale_finish(actor=self.request.user, sale=sale, **data)

The record is read like every generic view's (model permission of ``action``, branch scope: 404
outside it). POST validates the form (``form_class``; none for a plain button), calls ``perform``
with the record and the form's cleaned data — a service that takes ``actor=request.user`` — and on
success shows ``success_message`` and redirects (``get_success_url``: the record's page; a view
that honours a ``next`` returns ``safe_next(request, ...)``). A refusal (``ApplicationError``,
``ValidationError``) or an invalid form is shown:

- on the form's own page when the view has a ``template_name`` (GET shows that page);
- otherwise (the form lives on the record's page: buttons, small inline forms) as error messages
  on the record's page, where GET also goes.

Under HTMX the redirect is an ``HX-Redirect`` (the whole page is loaded, not swapped into a part).

``TabView`` — one tab of a record's page (the customer page, the contract page). The tab's owner
comes from ``get_owner`` (scoped to the viewer; a record the viewer cannot see, or absent, is 404);
an HTMX GET renders ``template_name`` with ``get_tab_context(owner)``, and any other GET (a
bookmark, a reload, no JavaScript) opens the owner's page on this tab (``tab_key``).
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from .. import words
from ..exceptions import ApplicationError
from ..forms import add_service_errors
from .common import error_messages, form_error_messages, htmx_redirect, tab_url
from .generic import ObjectViewMixin


class ObjectActionView(ObjectViewMixin, View):
    action = "change"
    form_class = None
    #: The form's own page; None: the form (or button) lives on the record's page.
    template_name: str | None = None
    #: ``None``: "<record> saved." in the record's grammatical gender (``core.words``).
    success_message = None

    def perform(self, obj, data: dict):
        """Call the service with ``obj``, the form's values and ``actor=self.request.user``."""
        raise NotImplementedError

    def get_form_kwargs(self, obj) -> dict:
        return {"user": self.request.user}

    def get_form(self, obj, data=None, files=None):
        if self.form_class is None:
            return None
        return self.form_class(data=data, files=files, **self.get_form_kwargs(obj))

    def get_object_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_success_url(self, obj, result) -> str:
        return self.get_object_url(obj)

    def get_success_message(self, obj, result) -> str:
        if self.success_message is None:
            return words.saved_message(obj)
        return self.success_message % {"object": obj}

    def get_context(self, obj, form) -> dict:
        return {**self.base_context(), "object": obj, "form": form, "next": self.request.GET.get("next", "")}

    def render_form(self, obj, form):
        return render(self.request, self.template_name, self.get_context(obj, form))

    def refused(self, obj, form, exc=None):
        """The form was invalid (``exc`` None) or the service refused it."""
        if self.template_name is not None and form is not None:
            if exc is not None:
                add_service_errors(form, exc)
            return self.render_form(obj, form)
        if exc is not None:
            self.refusal_messages(exc)
        else:
            form_error_messages(self.request, form)
        return htmx_redirect(self.request, self.get_object_url(obj))

    def refusal_messages(self, exc) -> None:
        """The service's refusal as messages on the record's page (no form page)."""
        error_messages(self.request, exc)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        if self.template_name is None:
            return redirect(self.get_object_url(obj))
        return self.render_form(obj, self.get_form(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.form = self.get_form(obj, request.POST, request.FILES)
        if form is not None and not form.is_valid():
            return self.refused(obj, form)
        try:
            result = self.perform(obj, dict(form.cleaned_data) if form is not None else {})
        except (ApplicationError, ValidationError) as exc:
            return self.refused(obj, form, exc)
        message = self.get_success_message(obj, result)
        if message:
            messages.success(request, message)
        return htmx_redirect(request, self.get_success_url(obj, result))


class TabView(ObjectViewMixin, View):
    #: The tab's key in the owner page's ``?tab=``.
    tab_key = ""
    template_name: str | None = None
    #: False: a plain GET renders the tab too (tabs that are also read as a page of their own).
    htmx_only = True

    def get_owner(self):
        """The page's record (customer, contract) for the viewer; may raise ``DoesNotExist``."""
        raise NotImplementedError

    def get_tab_context(self, owner) -> dict:
        return {}

    def get_template_names(self) -> str:
        return self.template_name

    def get(self, request, *args, **kwargs):
        try:
            owner = self.get_owner()
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        if self.htmx_only and not getattr(request, "htmx", False):
            return redirect(tab_url(owner, self.tab_key))
        return render(request, self.get_template_names(), self.get_tab_context(owner))
