"""RADIUS on the home page's dashboard (``enlace.core.dashboard``): logins online now, and the
sessions open at each of the last 24 hours (a session counts in its login's branch)."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from enlace.core import dashboard

from .filtersets import LoginListFilterSet
from .freeradius import RadAcct
from .models import Login


def _sessions():
    branch = Login.objects.filter(username=OuterRef("username")).values("branch")[:1]
    return RadAcct.objects.annotate(_branch=Subquery(branch))


dashboard.figure(
    "logins-online",
    _("Logins online now"),
    "network",
    "radius:login_list",
    LoginListFilterSet,
    lambda today: {"online": "true"},
    "radius.view_login",
    order=10,
)
dashboard.series(
    "sessions-by-hour",
    "sessions",
    _("Online sessions (last 24 hours)"),
    _("Sessions"),
    _sessions,
    "acctstarttime",
    "_branch",
    "radius.view_login",
    hourly=True,
    end_field="acctstoptime",
    colour="info",
)
