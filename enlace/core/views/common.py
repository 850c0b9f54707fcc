"""Small helpers every area's views share: the safe ``next`` target, a service's refusal as
messages, a redirect that HTMX follows as a whole page, and a colour legend from choices."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from ..exceptions import ApplicationError


def safe_next(request, default: str) -> str:
    """The ``next`` of the form or query when it points into this site, else ``default`` (never an
    open redirect to another host)."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def error_messages(request, exc, model=None) -> None:
    """A service's refusal (``ApplicationError`` or ``ValidationError``) as error messages at the
    top of the next page — for buttons and forms that have no page of their own. With ``model``,
    a message about one of its fields is prefixed by the field's verbose name."""
    if isinstance(exc, ApplicationError):
        messages.error(request, exc.message)
        return
    if not isinstance(exc, ValidationError):
        return
    labels = {f.name: f.verbose_name for f in model._meta.fields} if model is not None else {}
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, texts in errors.items():
        for text in texts:
            messages.error(request, f"{labels[field]}: {text}" if field in labels else text)


def form_error_messages(request, form) -> None:
    """An invalid form's errors as error messages, each prefixed by its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def htmx_redirect(request, url: str):
    """Go to ``url``: a plain redirect, or for an HTMX request an ``HX-Redirect`` answer, so the
    browser loads the whole page instead of swapping it into the part that asked."""
    if getattr(request, "htmx", False):
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def tab_url(owner, key: str) -> str:
    """The page of ``owner`` (a customer, a contract) opened on its tab ``key``."""
    return f"{owner.get_absolute_url()}?tab={key}"


def legend(choices) -> list[dict]:
    """``[{"color": value, "label": label}, ...]`` of a colour ``TextChoices``, in its order (the
    legend of the invoice colours under a list of invoices)."""
    return [{"color": c.value, "label": c.label} for c in choices]
