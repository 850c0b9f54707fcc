"""The tab registry of the customer page (C-5)."""

import pytest

from enlace.customers import tabs

pytestmark = pytest.mark.django_db


def test_this_apps_tabs_in_spec_order():
    keys = [t.key for t in tabs.all_tabs()]
    assert keys[:4] == ["customer", "address", "contact", "others"]
    order = tabs.ORDER
    assert sorted(order, key=order.get) == [
        "customer",
        "address",
        "contact",
        "others",
        "contracts",
        "logins",
        "finance",
        "tickets",
        "service_orders",
        "sales",
        "files",
        "history",
    ]


def test_a_later_app_adds_a_tab_in_its_place(admin_user, make_customer):
    tabs.register("history", "History", "customers:customer_tab_others", tabs.ORDER["history"])
    tabs.register(
        "contracts",
        "Contracts",
        "customers:customer_tab_others",
        tabs.ORDER["contracts"],
        permission="contracts.view_contract",
    )
    tabs.register("broken", "Broken", "nowhere:tab", 55)
    try:
        customer = make_customer()
        keys = [t.key for t in tabs.tabs_for(customer, admin_user)]
        # Other installed apps' tabs (e.g. radius's "logins") may sit in between.
        assert keys[:5] == ["customer", "address", "contact", "others", "contracts"]
        assert keys[-1] == "history" and "broken" not in keys
        assert tabs.get_tab(customer, admin_user, "nope").key == "customer"
    finally:
        for key in ("history", "contracts", "broken"):
            tabs.unregister(key)


def test_permission_hides_a_tab(operator_a, make_customer):
    tabs.register("secret", "Secret", "customers:customer_tab_others", 130, permission="auth.view_user")
    try:
        assert "secret" not in [t.key for t in tabs.tabs_for(make_customer(), operator_a)]
    finally:
        tabs.unregister("secret")
