"""The sidebar menu. Each app contributes its entries with ``register(section, ...)`` from its
``apps.py`` ready(); an entry is shown only to operators with its permission, and a section only
when it has an entry to show."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

SECTIONS = {
    "registry": _("Registry"),
    "network": _("Network"),
    "finance": _("Finance"),
    "support": _("Support"),
    "sales": _("Sales"),
    "settings": _("Settings"),
}


@dataclass(frozen=True)
class MenuItem:
    section: str
    label: object
    url_name: str
    permission: str | None = None
    icon: str = ""


_ITEMS: list[MenuItem] = []


def register(section: str, label, url_name: str, permission: str | None = None, icon: str = ""):
    if section not in SECTIONS:
        raise ValueError(f"unknown menu section {section!r}")
    item = MenuItem(section, label, url_name, permission, icon)
    if item not in _ITEMS:
        _ITEMS.append(item)


def menu_for(request) -> list[dict]:
    user = request.user
    path = request.path
    sections = []
    for key, title in SECTIONS.items():
        entries = []
        for item in _ITEMS:
            if item.section != key or (item.permission and not user.has_perm(item.permission)):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            entries.append(
                {"label": item.label, "url": url, "active": path.startswith(url), "icon": item.icon}
            )
        if entries:
            sections.append(
                {"key": key, "title": title, "items": entries, "active": any(e["active"] for e in entries)}
            )
    return sections
