"""Accounting in batches (issue 21; docs/radius.md, "Accounting in batches"): real Accounting-Requests
through the real FreeRADIUS (deploy/freeradius), appended as lines and applied to radacct by the
accounting loader (``manage.py radius_acct_loader``, a process of its own as in production).

- The loader's rows are the stock queries' rows: the same packets sent to a FreeRADIUS that runs the
  stock queries one at a time (``RADIUS_ACCT_LOADER=spool``) give the same radacct, column by column
  (but for rlm_sql's =XX escaping of unusual characters, which the loader does not do) —
  Start, Interim-Update, Stop, an Interim-Update and a Stop whose Start was lost, a Start and a Stop
  again after the Stop, an Interim-Update after the Stop, Accounting-On between two Starts — while
  the loader takes all of them in one batch (so the order within a batch is what is checked).
- A crash of the loader in the middle of a batch loses nothing and writes nothing twice.
- ``manage.py radius_server`` starts the loader beside FreeRADIUS, and the loader stops with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from enlace.radius.acct_loader import AccountingLoader
from enlace.radius.freeradius import RadAcct, RadAcctLoadPosition
from enlace.radius.management.commands.radius_acct_loader import APPLICATION_NAME
from enlace.radius.management.commands.radius_server import conninfo, find_binary
from tests.helpers.freeradius import FreeRadius

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the accounting loader is PostgreSQL's (SQLite: the detail readers)",
    ),
]

BASE = 1_800_000_000  # Event-Timestamp of the first packet (2027-01-15)
#: A user name and session id with what a line must carry safely: the separator, "=", a quote, a
#: backslash, a tab and accents.
ODD_USER = "josé|o'brien=x\\y\tz@fibra.com.br"

# (Acct-Status-Type, Acct-Session-Id, seconds after BASE, attributes)
PACKETS = [
    (
        "Start",
        "s1|=x",
        0,
        {
            "User_Name": ODD_USER,
            "Framed_IP_Address": "100.64.0.1",
            "Called_Station_Id": "pppoe é|x",
            "Service_Type": "Framed-User",
            "NAS_Port_Type": "Ethernet",
            "Acct_Authentic": "RADIUS",
        },
    ),
    (
        "Interim-Update",
        "s1|=x",
        60,
        {
            "User_Name": ODD_USER,
            "Acct_Session_Time": 60,
            "Acct_Input_Octets": 1000,
            "Acct_Output_Octets": 5000,
            "Acct_Output_Gigawords": 1,
            "Framed_IP_Address": "100.64.0.1",
        },
    ),
    (
        "Stop",
        "s1|=x",
        120,
        {
            "User_Name": ODD_USER,
            "Acct_Session_Time": 120,
            "Acct_Input_Octets": 2000,
            "Acct_Output_Octets": 9000,
            "Acct_Terminate_Cause": "User-Request",
            "Framed_IP_Address": "100.64.0.1",
        },
    ),
    # An Interim-Update and a Stop whose Start was lost: the session is inserted.
    ("Interim-Update", "s2", 10, {"User_Name": "b@x", "Acct_Session_Time": 30, "Acct_Input_Octets": 7}),
    ("Stop", "s3", 20, {"User_Name": "c@x", "Acct_Session_Time": 15, "Acct_Terminate_Cause": "Lost-Carrier"}),
    ("Stop", "s3b", 20, {"User_Name": "c@x"}),  # no Acct-Session-Time, no cause
    # After its Stop: a Start again, an Interim-Update (ignored: the session is stopped), a Stop again.
    ("Start", "s1|=x", 130, {"User_Name": ODD_USER, "Called_Station_Id": "again"}),
    ("Interim-Update", "s1|=x", 140, {"User_Name": ODD_USER, "Acct_Session_Time": 1, "Acct_Input_Octets": 1}),
    ("Stop", "s1|=x", 150, {"User_Name": ODD_USER, "Acct_Session_Time": 150, "Acct_Input_Octets": 3000}),
    # Accounting-On (the NAS rebooted) closes s5, opened before it, not s6, opened after it.
    ("Start", "s5", 200, {"User_Name": "e@x", "NAS_Port_Id": "ether5"}),
    ("Accounting-On", "0", 210, {}),
    (
        "Start",
        "s6",
        220,
        {"User_Name": "f@x", "NAS_Port_Id": "ether6", "Calling_Station_Id": "aa-bb-cc-dd-ee-ff"},
    ),
    ("Interim-Update", "s6", 280, {"User_Name": "f@x", "NAS_Port_Id": "ether6", "Acct_Session_Time": 60}),
]


def send(server: FreeRadius, *, wait: bool) -> None:
    client = server.client()
    try:
        for status, session, after, attributes in PACKETS:
            attributes = dict(attributes)
            username = attributes.pop("User_Name", None)
            client.accounting(
                username, status, session, wait=wait, Event_Timestamp=BASE + after, **attributes
            )
    finally:
        client.close()


def radacct_rows() -> list[dict]:
    return sorted(
        ({k: v for k, v in row.items() if k != "radacctid"} for row in RadAcct.objects.values()),
        key=lambda row: (row["acctsessionid"], row["acctuniqueid"]),
    )


@pytest.fixture
def stock_server(transactional_db, tmp_path, monkeypatch):
    """A FreeRADIUS of the same configuration whose accounting runs the stock queries one at a time."""
    monkeypatch.setenv("RADIUS_ACCT_LOADER", "spool")
    server = FreeRadius(find_binary(), dict(connection.settings_dict), tmp_path / "stock")
    server.start_with_test_nas()
    assert not server.batch
    yield server
    server.stop()


def test_batches_write_what_the_stock_queries_write(radius, stock_server):
    send(stock_server, wait=True)  # one packet at a time, each written before the next is sent
    stock = radacct_rows()
    assert len(stock) == 6
    RadAcct.objects.all().delete()

    assert radius.batch
    radius.stop_loader()
    try:
        send(radius, wait=False)  # every packet waits in the file ...
    finally:
        radius.start_loader()  # ... and the loader takes them all in one batch
    radius.wait_accounting_logged()
    ours = radacct_rows()

    assert [row["acctuniqueid"] for row in ours] == [row["acctuniqueid"] for row in stock]
    differences = [
        (row["acctsessionid"], column, value, theirs[column])
        for row, theirs in zip(ours, stock, strict=True)
        for column, value in row.items()
        if value != theirs[column]
    ]
    # The only difference: the stock queries store the characters outside rlm_sql's safe set as
    # =XX (and the detail spool turns a tab into "\\t" first); the loader stores what the NAS sent.
    assert differences == [
        ("s1|=x", "acctsessionid", "s1|=x", "s1=7C=3Dx"),
        ("s1|=x", "username", ODD_USER, "josé=7Co=27brien=3Dx=5C=5Cy=5Ctz@fibra.com.br"),
        ("s1|=x", "calledstationid", "pppoe é|x", "pppoe é=7Cx"),
    ]
    by_session = {row["acctsessionid"]: row for row in ours}
    first = by_session["s1|=x"]
    assert first["username"] == ODD_USER
    assert first["acctstoptime"] is not None and first["acctsessiontime"] == 150
    assert first["calledstationid"] == "pppoe é|x" and first["acctinputoctets"] == 3000
    # s2 (inserted by its Interim-Update) was open when the Accounting-On came: closed too.
    assert by_session["s2"]["acctinputoctets"] == 7 and by_session["s2"]["acctterminatecause"] == "NAS-Reboot"
    assert by_session["s3"]["acctterminatecause"] == "Lost-Carrier"
    assert by_session["s5"]["acctterminatecause"] == "NAS-Reboot"
    assert by_session["s6"]["acctstoptime"] is None and by_session["s6"]["acctsessiontime"] == 60
    assert by_session["s6"]["callingstationid"] == "AA:BB:CC:DD:EE:FF"


def _loader_waiting_on_a_lock(conn) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
        (APPLICATION_NAME,),
    ).fetchone()
    return bool(row[0])


def test_a_crash_in_the_middle_of_a_batch_loses_nothing_and_duplicates_nothing(radius):
    sessions = 200
    client = radius.client()
    try:
        for i in range(sessions):
            client.accounting(f"user{i}@x", "Start", f"crash-{i}", wait=False, NAS_Port=i)
        radius.wait_accounting_logged()
        assert (
            RadAcct.objects.filter(acctsessionid__startswith="crash-", acctstoptime=None).count() == sessions
        )

        blocker = psycopg.connect(conninfo(connection.settings_dict, with_password=True))
        try:
            # radacct locked against writes: the loader's next batch stops inside its transaction.
            blocker.execute("LOCK TABLE radacct IN SHARE MODE")
            for i in range(sessions):
                client.accounting(
                    f"user{i}@x",
                    "Interim-Update",
                    f"crash-{i}",
                    wait=False,
                    NAS_Port=i,
                    Acct_Input_Octets=10 + i,
                )
            client.accounting("late@x", "Start", "crash-late", wait=False, NAS_Port=9999)
            deadline = time.monotonic() + 20
            while not _loader_waiting_on_a_lock(blocker):
                assert time.monotonic() < deadline, radius.loader_log()
                time.sleep(0.05)
            killed = radius.loader
            radius.stop_loader(signal.SIGKILL)  # the crash: file read, transaction open, not committed
            assert killed.returncode == -signal.SIGKILL
        finally:
            blocker.rollback()
            blocker.close()
        loader = AccountingLoader(radius.acct_spool)
        assert loader.pending(connection)  # nothing of that batch was kept

        radius.start_loader()  # restarted: it starts again where the last commit left the file
        radius.wait_accounting_logged()
    finally:
        client.close()
        if radius.loader is None:
            radius.start_loader()

    rows = RadAcct.objects.filter(acctsessionid__startswith="crash-")
    assert rows.count() == sessions + 1  # no session twice
    assert sorted(rows.exclude(acctsessionid="crash-late").values_list("acctinputoctets", flat=True)) == [
        10 + i for i in range(sessions)
    ]
    assert rows.filter(acctsessionid="crash-late", acctstoptime=None).count() == 1
    for path in loader.files():  # each file's position is its length: nothing left, nothing ahead
        assert RadAcctLoadPosition.objects.get(name=loader.key(path)).offset == path.stat().st_size


def test_radius_server_starts_the_loader_beside_freeradius_and_it_stops_with_it(radius, tmp_path):
    """``manage.py radius_server`` as production runs it: FreeRADIUS answers, the loader it started
    applies the Start, and the loader exits once FreeRADIUS is gone."""
    from types import SimpleNamespace

    from tests.helpers.freeradius import NAS_SECRET, RadiusClient, _database_url, _free_udp_ports

    auth_port, acct_port = _free_udp_ports(2)
    state = tmp_path / "state"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "RADIUS_STATE_DIR": str(state),
        "RADIUS_AUTH_PORT": str(auth_port),
        "RADIUS_ACCT_PORT": str(acct_port),
        "RADIUS_THREADS": "2",
        "RADIUS_REJECT_DELAY": "0",
    }
    env.pop("RADIUS_REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "radius_server"],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = state / "log" / "radius.log"
    try:
        deadline = time.monotonic() + 30
        while not (log.exists() and "Ready to process requests" in log.read_text(errors="replace")):
            assert server.poll() is None and time.monotonic() < deadline, "FreeRADIUS did not start"
            time.sleep(0.1)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        (loader_pid,) = (int(pid) for pid in children)
        assert "radius_acct_loader" in Path(f"/proc/{loader_pid}/cmdline").read_text()

        client = RadiusClient(
            SimpleNamespace(auth_port=auth_port, acct_port=acct_port), secret=NAS_SECRET, source="127.0.0.1"
        )
        try:
            client.accounting("served@x", "Start", "served-1", wait=False, NAS_Port_Id="ether1")
        finally:
            client.close()
        deadline = time.monotonic() + 30
        while not RadAcct.objects.filter(acctsessionid="served-1", acctstoptime=None).exists():
            assert time.monotonic() < deadline, "the Start did not reach radacct"
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(15)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{loader_pid}").exists():
        assert time.monotonic() < deadline, "the loader outlived FreeRADIUS"
        time.sleep(0.1)
