"""What every billing model shares: money columns and the operator who did a movement."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def operator_field():
    """Who did it: the operator's user, kept as a name too where a movement must survive the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )


MONEY = {"max_digits": 12, "decimal_places": 2}
