"""Default operator roles (SPEC G-4): Django groups with model permissions.

Patterns are ``app_label.codename`` with ``*`` wildcards, so a role keeps its meaning when a later
area adds models (e.g. ``support.*`` gives Atendimento every ticket permission). ``ensure_default_roles``
runs after every ``migrate``; it adds what is missing and never removes what an administrator granted.
"""

from fnmatch import fnmatch

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "Administrador"
ATTENDANCE = "Atendimento"
FINANCE = "Financeiro"
TECHNICIAN = "Técnico"
COMMERCIAL = "Comercial"

VIEW_REFERENCE = ["core.view_*", "customers.view_*", "contracts.view_*"]

DEFAULT_ROLES: dict[str, list[str]] = {
    ADMINISTRATOR: ["*"],
    ATTENDANCE: [
        *VIEW_REFERENCE,
        "customers.*",
        "contracts.view_*",
        "contracts.add_contracthistory",  # "Novo" in the Histórico tab (H-2: manual entries only)
        "contracts.change_contracthistory",
        "radius.view_*",
        "radius.disconnect_login",  # "Desconectar" while troubleshooting with the subscriber
        "billing.view_*",
        "support.*",
        "sales.view_*",
        "messaging.view_message",  # the customer's "Mensagens" tab
        "messaging.resend_message",
        "fiscal.view_fiscaldocument",  # the invoice's NFCom (DANFE-COM, XML) for the subscriber
    ],
    FINANCE: [
        *VIEW_REFERENCE,
        "billing.*",
        "core.*_paymentcondition",
        "core.*_analyticaccount",
        "core.*_wallet",
        "sales.view_*",
        "messaging.*",  # the régua de cobrança and its delivery log
        "fiscal.*",  # NFCom: issue, transmit, cancel, the branches' emitter settings
    ],
    TECHNICIAN: [*VIEW_REFERENCE, "radius.*", "support.view_*", "support.*_serviceorder*"],
    # sales.* includes sales.change_sale_status ("Alterar": reopen a closed sale)
    COMMERCIAL: [*VIEW_REFERENCE, "customers.*", "contracts.*", "sales.*"],
}

ROLE_DESCRIPTIONS = {
    ADMINISTRATOR: _("Everything, including parameters and operators."),
    ATTENDANCE: _("Customers and support tickets; reads contracts, logins and finance."),
    FINANCE: _("Invoices, payments, bank files and payment terms."),
    TECHNICIAN: _("Logins, concentrators and service orders."),
    COMMERCIAL: _("Customers, contracts and sales."),
}

# Never granted by a wildcard: only administrators manage operators, roles and parameters, and read
# the global audit trail (it is not branch-scoped; each record's own "Alterações" page is).
ADMIN_ONLY_APPS = {"auth", "authtoken", "admin", "axes", "django_celery_beat", "contenttypes", "sessions"}
ADMIN_ONLY_CODENAMES = {
    "change_generalparameters",
    "view_objectchange",
    "delete_objectchange",
    "change_objectchange",
    "add_objectchange",
}


def _matches(perm, patterns) -> bool:
    key = f"{perm.content_type.app_label}.{perm.codename}"
    return any(fnmatch(key, p) for p in patterns)


def ensure_default_roles():
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.select_related("content_type"))
    for name, patterns in DEFAULT_ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        if patterns == ["*"]:
            wanted = perms
        else:
            wanted = [
                p
                for p in perms
                if p.content_type.app_label not in ADMIN_ONLY_APPS
                and p.codename not in ADMIN_ONLY_CODENAMES
                and _matches(p, patterns)
            ]
        group.permissions.add(*wanted)


def on_post_migrate(sender, **kwargs):
    # Sent once per app after its permissions are created; adding is idempotent, so each app's new
    # permissions join the roles as they appear.
    ensure_default_roles()
