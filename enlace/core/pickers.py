"""Searchable pickers (issue 19, item 3): one select widget for every record chosen from a long
or repeated list — customer, contract, plan (with its branch, limited to the contract's), city
(type-ahead over 5,570 municipalities), employee (also "technician", "salesperson"), wallet, NAS,
pool.

``widgets.PickerSelect(kind)`` renders a plain ``<select>`` holding only the chosen option; the
browser turns it into a Tom Select box (the library shipped by the django-tomselect package,
served from static files) that asks ``/pick/<kind>/?q=<text>`` (``PickerView``) for options as
JSON. Each kind is registered with ``register(kind, func, permission)``: ``func(user, text,
params) -> [(id, label)]`` reuses the area's selectors and the viewer's branch scope (a record
outside it is never offered, and the form field's scoped queryset refuses it anyway). Higher
apps register theirs in ``enlace/<app>/search.py`` (found by ``discovery``). ``params`` are the
other query parameters the widget sends (``depends``: the value of another field of the form,
e.g. the contract's branch for its plan).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.views import View

from .discovery import discover
from .types import Viewer

LIMIT = 20


@dataclass(frozen=True)
class Picker:
    kind: str
    func: Callable[[Viewer, str, dict], list[tuple[int | str, str]]]
    permission: str | None


_PICKERS: dict[str, Picker] = {}


def register(kind: str, func, permission: str | None = None) -> None:
    _PICKERS[kind] = Picker(kind, func, permission)


def options(user: Viewer, kind: str, text: str, params: dict) -> list[dict]:
    discover("search")
    picker = _PICKERS.get(kind)
    if picker is None:
        raise KeyError(kind)
    return [{"value": str(value), "text": label} for value, label in picker.func(user, text, params)[:LIMIT]]


class PickerView(LoginRequiredMixin, View):
    def get(self, request, kind):
        discover("search")
        picker = _PICKERS.get(kind)
        if picker is None:
            raise Http404
        if picker.permission and not request.user.has_perm(picker.permission):
            raise PermissionDenied
        params = {k: v for k, v in request.GET.items() if k != "q"}
        text = request.GET.get("q", "").strip()[:100]
        return JsonResponse({"results": options(request.user, kind, text, params)})


# --- core's own kinds ---------------------------------------------------------------------------


def _cities(user, text, params):
    from .models import City

    text = text.strip()
    if not text:
        return []
    queryset = City.objects.select_related("state")
    if text.isdigit():
        queryset = queryset.filter(code__startswith=text)
    else:
        name, _sep, state = text.partition("/")
        queryset = queryset.filter(name__icontains=name.strip())
        if state.strip():
            queryset = queryset.filter(state__abbr__iexact=state.strip())
        from django.db.models.functions import Length

        queryset = queryset.annotate(_len=Length("name")).order_by("_len", "name")
    return [(city.code, f"{city.name}/{city.state.abbr}") for city in queryset[:LIMIT]]


def _employees_where(**conditions):
    """Active employees in the viewer's branches (``conditions``: technicians, salespeople)."""

    def pick(user, text, params):
        from .models import Employee

        queryset = Employee.objects.restrict(user).filter(active=True, **conditions)
        if text:
            queryset = queryset.filter(name__icontains=text)
        return [(e.pk, str(e)) for e in queryset.order_by("name")[:LIMIT]]

    return pick


def _wallets(user, text, params):
    from .models import Wallet

    queryset = Wallet.objects.restrict(user).select_related("branch").filter(active=True)
    if params.get("branch", "").isdigit():
        queryset = queryset.filter(branch_id=int(params["branch"]))
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(branch__name__icontains=text))
    return [(w.pk, f"{w} — {w.branch}") for w in queryset.order_by("name")[:LIMIT]]


register("city", _cities)
register("employee", _employees_where())
register("technician", _employees_where(is_technician=True))
register("salesperson", _employees_where(is_salesperson=True))
register("wallet", _wallets)
