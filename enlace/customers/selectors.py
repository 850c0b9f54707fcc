"""Reads of the customer registry, always for a viewing operator (branch scope applied).

Search (SPEC C-6) — one box, the kind of value decides where to look:

- digits (a mask is allowed: ``123.456.789-09``, ``(11) 98888-7777``): CPF/CNPJ and phones —
  equality when the number is complete (served by the b-tree indexes), prefix otherwise;
- an ``@``: the e-mail column;
- words: each word must start a word of the name or trade name (``search_name`` keeps them folded —
  lower-case, no accents — with a leading space, so a word-prefix is ``LIKE '% frag%'``), or the
  whole text appears in the folded street/number/neighbourhood (``address_key``). On PostgreSQL
  pg_trgm GIN indexes serve both (migration 0002) and a probe picks the plan per fragment (see
  ``_pg_name_search``); SQLite scans.

Higher apps add ways to find a customer without this app importing them: ``register_search(key,
func)`` with ``func(text) -> Q | None`` (e.g. radius: the customer of a login name, SPEC C-6). Their
conditions are OR-ed with the ones above; keep them cheap (an indexed lookup that returns
``Q(pk__in=[ids])``), since they run on every search.

Results are in name order (``lower(search_name), id`` — the folded name, so "Álvaro" sorts with
"alvaro"). Known limit at a million customers: a *common* fragment that occurs only as the first word
of names late in the alphabet (say 10,000 customers named "Vitor" and no "João Vitor") makes the
ordered scan walk the names before it; measured cases are in ``bench/customers.py``.
"""

import re
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from stdnum.br import cnpj as stdnum_cnpj

from enlace.core.types import Viewer
from enlace.core.validators import only_alnum

from .models import Customer
from .validators import digits, fold

_DOCUMENT_CHARS = re.compile(r"^[\d.\-/()\s+]+$")
_ALNUM_CNPJ = re.compile(r"^[0-9A-Za-z]{2}\.?[0-9A-Za-z]{3}\.?[0-9A-Za-z]{3}/?[0-9A-Za-z]{4}-?\d{2}$")


def customer_queryset(user: Viewer) -> QuerySet:
    """Customers the operator may see."""
    return Customer.objects.restrict(user, "view")


#: Extra search conditions registered by higher apps (``register_search``), by key.
_SEARCH_EXTENSIONS: dict[str, Callable[[str], Q | None]] = {}


def register_search(key: str, func: Callable[[str], Q | None]) -> None:
    """Add (or replace) an extra way of finding customers: ``func(text)`` returns a condition on
    ``Customer`` for the typed text, or None when the text is not for it."""
    _SEARCH_EXTENSIONS[key] = func


def unregister_search(key: str) -> None:
    _SEARCH_EXTENSIONS.pop(key, None)


def extra_search_condition(text: str) -> Q | None:
    """The registered extensions' conditions for `text`, OR-ed (None when none applies)."""
    text = (text or "").strip()
    combined = None
    for func in list(_SEARCH_EXTENSIONS.values()):
        condition = func(text) if text else None
        if condition is not None:
            combined = condition if combined is None else combined | condition
    return combined


def search_condition(text: str) -> Q | None:
    """The filter of the search box for `text`, or None when there is nothing to search."""
    own = _own_search_condition(text)
    extra = extra_search_condition(text)
    if own is None or extra is None:
        return own if extra is None else extra
    return own | extra


def _own_search_condition(text: str) -> Q | None:
    text = (text or "").strip()
    if not text:
        return None
    if _ALNUM_CNPJ.match(text) and not text.isdigit() and stdnum_cnpj.is_valid(only_alnum(text)):
        return Q(cpf_cnpj=only_alnum(text))  # an alphanumeric CNPJ
    if _DOCUMENT_CHARS.match(text) and digits(text):
        number = digits(text)
        if len(number) in (12, 13) and number.startswith("55") and text.lstrip().startswith("+"):
            number = number[2:]
        if len(number) in (11, 14):  # a whole CPF/CNPJ, or a whole mobile number
            condition = Q(cpf_cnpj=number)
            if len(number) == 11:
                condition |= Q(mobile_phone=number) | Q(phone=number) | Q(whatsapp=number)
            return condition
        if len(number) == 10:
            return Q(mobile_phone=number) | Q(phone=number) | Q(whatsapp=number)
        return (
            Q(cpf_cnpj__startswith=number)
            | Q(mobile_phone__contains=number)
            | Q(phone__contains=number)
            | Q(whatsapp__contains=number)
        )
    if "@" in text:
        return Q(email__icontains=text.lower())
    words = fold(text).split()
    if not words:
        return None
    return _words_condition(words, "search_name", "address_key")


def _words_condition(words: list[str], name_field: str, address_field: str) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(**{f"{name_field}__contains": f" {word}"})
    phrase = " ".join(words)
    if len(phrase) < 3:  # too short for a street (and for the trigram index: it would read it all)
        return condition
    return condition | Q(**{f"{address_field}__contains": phrase})


#: Name searches on PostgreSQL: how many matches make a fragment "common" (see ``customer_search``).
PROBE_LIMIT = 3000


def customer_search(queryset: QuerySet, text: str) -> QuerySet:
    own = _own_search_condition(text)
    extra = extra_search_condition(text)
    if own is None and extra is None:
        return queryset
    if own is not None and connection.vendor == "postgresql" and _is_words_search(text):
        return _pg_name_search(queryset, fold(text).split(), extra)
    return queryset.filter(own if extra is None else extra if own is None else own | extra)


def _is_words_search(text: str) -> bool:
    text = text.strip()
    return not (
        (_ALNUM_CNPJ.match(text) and stdnum_cnpj.is_valid(only_alnum(text)))
        or (_DOCUMENT_CHARS.match(text) and digits(text))
        or "@" in text
    )


def _pg_name_search(queryset: QuerySet, words: list[str], extra: Q | None = None) -> QuerySet:
    """Word-prefix search served by the right index whatever the fragment.

    The planner cannot tell a rare fragment from a common one (LIKE '% frag%' has no useful
    statistics), and each plan is slow on the other kind: the trigram bitmap fetches and sorts every
    match (common fragments: tens of thousands of rows), the ordered scan of the name index walks
    the table until 25 rows match (rare fragments). So a probe through the trigram index first
    collects up to ``PROBE_LIMIT`` ids: fewer means the fragment is rare and those ids are the
    answer; otherwise the fragment is common and the list is read in name order from the b-tree
    index, with the condition on an expression the trigram index cannot serve. ``extra`` (the
    registered extensions' condition, e.g. customers of a login name) is OR-ed to both.
    """
    condition = _words_condition(words, "search_name", "address_key")
    probe = queryset.filter(condition).order_by().values_list("pk", flat=True)[: PROBE_LIMIT + 1]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        try:
            ids = list(probe)
        finally:
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT")
    if len(ids) <= PROBE_LIMIT:
        # Plain column order: no index serves it, so the few rows are fetched by id and sorted.
        found = Q(pk__in=ids) if extra is None else Q(pk__in=ids) | extra
        return queryset.filter(found).order_by("search_name", "id")
    # lower() of the folded (already lower-case) columns: the same values, but an expression the
    # trigram indexes do not cover and the name index (lower(search_name), id) does.
    opaque = queryset.annotate(_sn=Lower("search_name"), _ak=Lower("address_key"))
    condition = _words_condition(words, "_sn", "_ak")
    if extra is not None:
        condition |= extra
    return opaque.filter(condition).order_by(Lower("search_name"), "id")


def customer_list(*, user: Viewer, search: str = "", filters: dict | None = None) -> QuerySet:
    qs = customer_queryset(user).select_related("branch", "city__state")
    if filters:
        qs = qs.filter(**filters)
    return customer_search(qs, search)  # ordered by name (each search path picks its own plan)


def customer_in_scope(*, user: Viewer, pk, leads: bool = True) -> Customer:
    """The customer ``pk`` when it is in the viewer's branches (a lead only with ``leads``), for
    pages of other records about a customer (its tabs, a new sale): they need the permission of
    their own records, not the customer's. Raises ``Customer.DoesNotExist`` otherwise."""
    queryset = Customer.objects.restrict(user)
    if not leads:
        queryset = queryset.filter(is_lead=False)
    return queryset.get(pk=pk)


def customer_pick(*, user: Viewer, text: str, limit: int = 20) -> list[Customer]:
    """Customers (not leads) in the viewer's branches found by ``text`` the way the search box
    finds them (accent-free word prefixes of the name, CPF/CNPJ, phone, e-mail, registered
    extensions such as the login name), in name order, for the customer pickers of other areas
    (a new sale); nothing for an empty text."""
    text = (text or "").strip()
    if not text:
        return []
    return list(customer_search(Customer.objects.restrict(user).filter(is_lead=False), text)[:limit])


def customer_get(*, user: Viewer, pk) -> Customer:
    """The customer page's record with what the header and tabs show (404 outside the scope)."""
    return (
        customer_queryset(user)
        .select_related(
            "branch",
            "city__state",
            "billing_city__state",
            "analytic_account",
            "payment_condition",
            "salesperson",
        )
        .get(pk=pk)
    )
