"""Subscriber portal part of the demo ISP (``manage.py seed_demo``): two customers get a portal
account, with the demo password.

- João Pedro Almeida (``joao.pedro``): Especial permission (K-6), so the portal offers him the
  trust unlock of his contract, blocked by the finance demo for overdue invoices;
- Ana Beatriz Souza (``ana.souza``): online, automatic access "Sim" (K-5: the portal lets her in
  without a password from the IP address of her own RADIUS session).

Idempotent: a customer who already has a portal login is left as it is.
"""

from enlace.customers.models import Customer, PortalPermission
from enlace.customers.services import customer_update

#: customer name → (portal login, permission, automatic access)
ACCOUNTS = {
    "João Pedro Almeida": ("joao.pedro", PortalPermission.SPECIAL, "P"),
    "Ana Beatriz Souza": ("ana.souza", PortalPermission.NORMAL, "S"),
}
#: The login ``make run`` tells about.
DEMO_PORTAL_LOGIN = "joao.pedro"


def seed(demo):
    for name, (login, permission, auto) in ACCOUNTS.items():
        customer = Customer.objects.filter(name=name).first()
        if customer is None or customer.portal_login:
            continue
        if Customer.objects.filter(portal_login=login).exists():
            continue
        customer_update(
            actor=None,
            customer=customer,
            portal_login=login,
            portal_password=demo.password,
            portal_permission=permission,
            portal_auto_access=auto,
            confirm_duplicate_address=True,
        )
        demo.created["portal accounts"] += 1
