"""Tables of the concentrator, IP pool and login lists."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enlace.core.tables import EnlaceTable

from .models import IpPool, Login, Nas
from .selectors import assigned_ip


def online_badge(online: bool):
    if online:
        return format_html('<span class="badge text-bg-success login-online">{}</span>', _("Online"))
    return format_html('<span class="badge text-bg-secondary login-offline">{}</span>', _("Offline"))


class NasTable(EnlaceTable):
    name = tables.Column(linkify=True)
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Nas
        fields = ("name", "ip", "type", "coa_port", "branch", "description", "active")


class IpPoolTable(EnlaceTable):
    name = tables.Column(linkify=True)
    ranges = tables.Column(accessor="ranges_display", verbose_name=_("ranges"), orderable=False)
    in_use = tables.Column(verbose_name=_("addresses handed out"), orderable=True)

    class Meta(EnlaceTable.Meta):
        model = IpPool
        fields = ("name", "ranges", "in_use", "branch", "description")


class LoginTable(EnlaceTable):
    username = tables.Column(linkify=True)
    online = tables.Column(accessor="is_online", verbose_name=_("online"), orderable=False)
    customer = tables.Column(
        verbose_name=_("customer"),
        order_by="customer__search_name",
        linkify=lambda record: record.customer.get_absolute_url(),
    )
    contract = tables.Column(
        verbose_name=_("contract"), linkify=lambda record: record.contract.get_absolute_url()
    )
    ip = tables.Column(empty_values=(), verbose_name=_("IP"), orderable=False)
    active = tables.BooleanColumn()

    wide_columns = ("auth_type", "connection_type", "branch")

    class Meta(EnlaceTable.Meta):
        model = Login
        fields = (
            "username",
            "online",
            "customer",
            "contract",
            "plan",
            "auth_type",
            "connection_type",
            "ip",
            "branch",
            "active",
        )
        row_attrs = {"data-login": lambda record: record.pk}

    def render_online(self, value):
        return online_badge(bool(value))

    def value_online(self, value):
        return "1" if value else "0"

    def render_ip(self, record):
        return getattr(record, "session_ip", None) or assigned_ip(record) or "—"

    def value_ip(self, record):
        return getattr(record, "session_ip", None) or assigned_ip(record) or ""
