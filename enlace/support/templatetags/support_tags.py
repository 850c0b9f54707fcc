"""``{% status_badge record %}``: the status of a ticket or a service order as a badge, its label
from the status choices and its colour from the model's ``STATUS_COLOURS`` (defined next to the
choices), so no template spells a status code."""

from django import template
from django.utils.html import format_html

register = template.Library()


def badge_html(record, *, classes: str = "", id: str = ""):
    colour = type(record).STATUS_COLOURS.get(record.status, "dark")
    return format_html(
        '<span class="badge text-bg-{} status-badge{}" data-status="{}"{}>{}</span>',
        colour,
        f" {classes}" if classes else "",
        record.status,
        format_html(' id="{}"', id) if id else "",
        record.get_status_display(),
    )


@register.simple_tag
def status_badge(record, classes: str = "", id: str = ""):
    """The badge of ``record``'s status; ``classes`` are added to the badge's, ``id`` names it."""
    return badge_html(record, classes=classes, id=id)
