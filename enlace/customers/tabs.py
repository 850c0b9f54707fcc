"""The tabs of the customer page (SPEC C-5), registered by the app that owns each one.

The page shows the registered tabs in ``order``; a tab's content is loaded with HTMX from
``url_name`` (reversed with the customer's pk) and the selected tab is kept in ``?tab=<key>``.
A later app adds its tab from its ``apps.py`` ``ready()``::

    from enlace.customers.tabs import ORDER, register

    register("contracts", _("Contracts"), "contracts:customer_tab", ORDER["contracts"],
             permission="contracts.view_contract")

A tab's view subclasses ``CustomerTabView`` (below): the customer from the viewer's branch scope
(404 outside it), and a plain GET opens the customer page on the tab.

A lead (C-4) shows only the tabs registered with ``lead_visible=True`` (the basic record and
tickets). Orders follow C-5: Cliente, Endereço, Contato, Outros, Contratos, Login, Financeiro,
Atendimentos, OS, Vendas, Arquivos, Histórico.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from enlace.core.views.actions import TabView

from . import selectors

ORDER = {
    "customer": 10,
    "address": 20,
    "contact": 30,
    "others": 40,
    "contracts": 50,
    "logins": 60,
    "finance": 70,
    "tickets": 80,
    "service_orders": 90,
    "sales": 100,
    "files": 110,
    "history": 120,
}


@dataclass(frozen=True)
class CustomerTab:
    key: str
    label: object
    url_name: str
    order: int
    lead_visible: bool = False
    permission: str | None = None

    def url(self, customer) -> str | None:
        try:
            return reverse(self.url_name, args=[customer.pk])
        except NoReverseMatch:
            return None


_TABS: dict[str, CustomerTab] = {}


def register(
    key: str, label, url_name: str, order: int, *, lead_visible: bool = False, permission: str | None = None
) -> CustomerTab:
    """Add (or replace) the tab `key`."""
    tab = CustomerTab(key, label, url_name, order, lead_visible, permission)
    _TABS[key] = tab
    return tab


def unregister(key: str) -> None:
    _TABS.pop(key, None)


def all_tabs() -> list[CustomerTab]:
    return sorted(_TABS.values(), key=lambda t: (t.order, t.key))


def tabs_for(customer, user) -> list[CustomerTab]:
    """The tabs `user` sees on `customer`'s page, in order."""
    return [
        tab
        for tab in all_tabs()
        if (tab.lead_visible or not customer.is_lead)
        and (tab.permission is None or user.has_perm(tab.permission))
        and tab.url(customer) is not None
    ]


def get_tab(customer, user, key: str | None) -> CustomerTab | None:
    tabs = tabs_for(customer, user)
    return next((t for t in tabs if t.key == key), tabs[0] if tabs else None)


class CustomerTabView(TabView):
    """Base of a tab of the customer page, whatever app owns it: the customer ``pk`` of the URL
    within the viewer's branches — a lead only when ``leads`` is true (C-4: a lead's page shows its
    record, files, history and tickets) — else 404."""

    leads = False

    def get_owner(self):
        return selectors.customer_in_scope(user=self.request.user, pk=self.kwargs["pk"], leads=self.leads)
