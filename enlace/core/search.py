"""The global search of the top bar (issue 19, item 2): one box on every page that finds
customers (name fragment without accents, CPF/CNPJ with or without mask, phone, e-mail), logins
(name, IP address: fixed or of an open session) and their contracts, tickets and service orders
(protocol), receivables (nosso número, linha digitável, barcode).

Each app contributes a provider in ``enlace/<app>/search.py`` (found by ``discovery``; core never
imports a higher app): ``register(key, label, func, order)`` with ``func(user, text, limit) ->
list[Hit]``. A provider answers only the kinds of text it understands (cheaply: one indexed
lookup) and only rows of the viewer's branches it has the permission to see. The results are
grouped by provider in ``order``; when there is exactly one hit the search page opens it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .discovery import discover
from .types import Viewer

#: Hits per group in the top bar's drop-down and on the results page.
LIMIT = 8


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Provider:
    key: str
    label: object
    func: Callable[[Viewer, str, int], list[Hit]]
    order: int


_PROVIDERS: dict[str, Provider] = {}


def register(key: str, label, func: Callable[[Viewer, str, int], list[Hit]], order: int = 100) -> None:
    _PROVIDERS[key] = Provider(key, label, func, order)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def search(user: Viewer, text: str, limit: int = LIMIT) -> list[dict]:
    """Groups ``{"key", "label", "hits"}`` of the providers that found something for ``text``."""
    discover("search")
    text = (text or "").strip()
    if len(text) < 2:
        return []
    groups = []
    for provider in sorted(_PROVIDERS.values(), key=lambda p: p.order):
        hits = provider.func(user, text, limit)
        if hits:
            groups.append({"key": provider.key, "label": provider.label, "hits": hits[:limit]})
    return groups
