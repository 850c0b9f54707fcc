"""``manage.py radius_close_stale`` and its beat task close only sessions without accounting updates
for N interim intervals (L-12)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from enlace.radius.freeradius import RadAcct
from enlace.radius.models import RadiusSettings
from enlace.radius.sessions import STALE_CAUSE
from enlace.radius.tasks import close_stale_sessions
from tests.helpers.nas import open_session

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


def ago(minutes):
    return NOW - datetime.timedelta(minutes=minutes)


@pytest.fixture
def sessions(db):
    """Interim interval 300 s, 3 intervals (the defaults): stale after 15 minutes."""
    params = RadiusSettings.load()
    assert (params.radius_interim_interval, params.radius_stale_intervals) == (300, 3)
    return {
        "fresh": open_session("fresh", start=ago(120), update=ago(4)),
        "stale": open_session("stale", start=ago(120), update=ago(20)),
        "no_update_old": open_session("no_update_old", start=ago(30)),
        "no_update_new": open_session("no_update_new", start=ago(2)),
        "very_stale": open_session("very_stale", start=ago(600), update=ago(55)),
        "closed": open_session(
            "closed", start=ago(600), update=ago(500), stop=ago(490), acctterminatecause="User-Request"
        ),
    }


def state(session):
    row = RadAcct.objects.get(pk=session.pk)
    return row.acctstoptime, row.acctterminatecause


def test_closes_only_stale_sessions_at_their_last_update(sessions):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("radius_close_stale", stdout=out)
    assert "3 stale session(s) closed" in out.getvalue()
    assert state(sessions["stale"]) == (ago(20), STALE_CAUSE)
    assert state(sessions["very_stale"]) == (ago(55), STALE_CAUSE)
    assert state(sessions["no_update_old"]) == (ago(30), STALE_CAUSE)  # never updated: its start
    assert state(sessions["fresh"]) == (None, None)
    assert state(sessions["no_update_new"]) == (None, None)
    assert state(sessions["closed"]) == (ago(490), "User-Request")


def test_intervals_option_and_running_twice(sessions):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("radius_close_stale", "--intervals", "10", stdout=out)  # 50 minutes
        assert "1 stale session(s) closed" in out.getvalue()
        assert state(sessions["very_stale"]) == (ago(55), STALE_CAUSE)
        assert state(sessions["stale"]) == (None, None)
        out = StringIO()
        call_command("radius_close_stale", "--intervals", "10", stdout=out)
        assert "0 stale session(s) closed" in out.getvalue()


def test_parameters_drive_the_default(sessions):
    RadiusSettings.objects.filter(pk=1).update(radius_interim_interval=60, radius_stale_intervals=2)
    with time_machine.travel(NOW, tick=False):
        call_command("radius_close_stale", stdout=StringIO())  # 2 minutes
    assert state(sessions["fresh"]) == (ago(4), STALE_CAUSE)
    assert state(sessions["no_update_new"]) == (None, None)


def test_refuses_nonsense(sessions):
    with pytest.raises(CommandError):
        call_command("radius_close_stale", "--intervals", "0", stdout=StringIO())


def test_beat_task_does_the_same(sessions):
    with time_machine.travel(NOW, tick=False):
        assert close_stale_sessions.delay().get() == 3
    assert RadAcct.objects.filter(acctstoptime__isnull=True).count() == 2


def test_closed_sessions_make_the_login_offline(admin_user, active_contract, admin_api):
    from enlace.radius import services

    login = services.login_create(
        actor=admin_user, contract=active_contract, username="sumiu", password="segredo123"
    )
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
    open_session(login.username, start=start, update=start + datetime.timedelta(minutes=5))
    assert admin_api.get(f"/api/v1/logins/{login.pk}/").json()["online"] is True
    call_command("radius_close_stale", stdout=StringIO())
    assert admin_api.get(f"/api/v1/logins/{login.pk}/").json()["online"] is False
