"""The IXC import from a running IXC's webservice (a local server speaking IXC's protocol, serving
the IXC-shaped MariaDB rows): the same outcome as the import from the database."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enlace.billing.models import Invoice
from enlace.customers.models import Customer
from enlace.radius.models import Login
from enlace.support.models import Ticket

from .conftest import summary
from .fake_ixc import FakeIxc

pytestmark = pytest.mark.django_db


def run(fake, *extra) -> str:
    out = StringIO()
    call_command(
        "import_ixc",
        f"--webservice={fake.url}",
        f"--ixc-user={fake.user_id}",
        f"--ixc-token={fake.token}",
        "--user=admin",
        "--no-progress",
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def test_import_from_the_webservice(ixc_db, ixc_setup):
    with FakeIxc(ixc_db, ixc_db.database) as fake:
        table = summary(run(fake))
        assert table["cliente"] == (4, 3, 0, 0, 1)
        assert table["radusuarios"] == (3, 2, 0, 0, 1)
        assert table["fn_areceber"] == (4, 4, 0, 0, 0)
        assert Customer.objects.filter(cpf_cnpj="52998224725").exists()
        assert Login.objects.get(username="padaria").password_md5
        assert Invoice.objects.filter(nosso_numero=1234).exists()
        assert Ticket.objects.filter(protocol="202611300001").exists()
        # Listed as integrations do: by table, "ixcsoft: listar", paged and sorted by id.
        assert {
            "table": "cliente",
            "qtype": "cliente.id",
            "query": "0",
            "oper": ">",
            "page": "1",
            "rp": "1000",
            "sortname": "cliente.id",
            "sortorder": "asc",
        } in fake.requests
        again = summary(run(fake))
        assert again["cliente"][1:3] == (0, 0)


def test_wrong_token_is_reported(ixc_db, ixc_setup):
    with FakeIxc(ixc_db, ixc_db.database) as fake, pytest.raises(CommandError, match="401"):
        call_command(
            "import_ixc",
            f"--webservice={fake.url}",
            "--ixc-user=7",
            "--ixc-token=wrong",
            "--no-progress",
            stdout=StringIO(),
            stderr=StringIO(),
        )
