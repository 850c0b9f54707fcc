"""The tabs of the contract page (SPEC CT-4: besides its data, a contract has a "Faturamento" tab
with due day, billing wallet, payment condition and first billing date), registered by the app
that owns each one.

The page shows the registered tabs in ``order``; a tab's content is loaded with HTMX from
``url_name`` (reversed with the contract's pk) and the selected tab is kept in ``?tab=<key>`` —
the same pattern as the customer page (``enlace.customers.tabs``). A later app adds its tab from
its ``apps.py`` ``ready()``::

    from enlace.contracts.tabs import ORDER, register

    register("logins", _("Logins"), "radius:contract_tab_logins", ORDER["logins"],
             permission="radius.view_login")

Orders: Dados, Faturamento, Logins, Financeiro, Histórico.

A tab's view subclasses ``ContractTabView`` (below): the contract from the viewer's branch scope
(404 outside it), and a plain GET opens the contract page on the tab.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from enlace.core.views.actions import TabView

from . import selectors

ORDER = {"data": 10, "billing": 20, "logins": 30, "finance": 40, "history": 50}


@dataclass(frozen=True)
class ContractTab:
    key: str
    label: object
    url_name: str
    order: int
    permission: str | None = None

    def url(self, contract) -> str | None:
        try:
            return reverse(self.url_name, args=[contract.pk])
        except NoReverseMatch:
            return None


_TABS: dict[str, ContractTab] = {}


def register(key: str, label, url_name: str, order: int, *, permission: str | None = None) -> ContractTab:
    """Add (or replace) the tab `key`."""
    tab = ContractTab(key, label, url_name, order, permission)
    _TABS[key] = tab
    return tab


def unregister(key: str) -> None:
    _TABS.pop(key, None)


def all_tabs() -> list[ContractTab]:
    return sorted(_TABS.values(), key=lambda t: (t.order, t.key))


def tabs_for(contract, user) -> list[ContractTab]:
    """The tabs `user` sees on `contract`'s page, in order."""
    return [
        tab
        for tab in all_tabs()
        if (tab.permission is None or user.has_perm(tab.permission)) and tab.url(contract) is not None
    ]


def get_tab(contract, user, key: str | None) -> ContractTab | None:
    tabs = tabs_for(contract, user)
    return next((t for t in tabs if t.key == key), tabs[0] if tabs else None)


class ContractTabView(TabView):
    """Base of a tab of the contract page, whatever app owns it: the contract ``pk`` of the URL
    within the viewer's branches (``owner_related`` joined), else 404."""

    owner_related: tuple[str, ...] = ()

    def get_owner(self):
        return selectors.contract_in_scope(
            user=self.request.user, pk=self.kwargs["pk"], related=self.owner_related
        )
