"""Bank return imports are bounded (issue 14, item 4): a file over BANK_RETURN_MAX_UPLOAD_MB is
refused before it is read and nothing is stored; files are parsed while streaming (never read
whole) and written in batches inside the one transaction; the records of an import are paginated
on the page and in the API; a nosso número settles once per file and its repeats are refused
lines (outcome ``repeated``)."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from enlace.billing.cnab import SyntheticRecord, build_cnab240, nosso_numero_for, open_return
from enlace.billing.cnab.common import CHUNK_SIZE, iter_lines
from enlace.billing.models import CnabImport, CnabRecord, Invoice, InvoiceStatus, Payment
from enlace.billing.services.imports import BATCH_SIZE, cnab_import
from enlace.billing.services.invoices import invoice_create
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange
from tests.helpers.fixtures import CNAB_FIXTURES

pytestmark = pytest.mark.django_db

D = Decimal
OUTCOME = CnabRecord.Outcome
DAY = datetime.date(2026, 12, 15)
MB = 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def finance(django_user_model, branch_a):
    from django.contrib.auth.models import Group

    from enlace.core import roles
    from enlace.core.models import Employee

    user = django_user_model.objects.create_user(username="fabio", password="s3nha-Forte!")
    user.groups.add(Group.objects.get(name=roles.FINANCE))
    Employee.objects.create(name="Fábio", user=user).branches.set([branch_a])
    return user


@pytest.fixture
def web(finance):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(finance)
    return client


@pytest.fixture
def api(finance):
    token, _created = Token.objects.get_or_create(user=finance)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def open_invoices(actor, customer, wallet, count: int) -> list[Invoice]:
    return [
        invoice_create(
            actor=actor,
            customer=customer,
            wallet=wallet,
            due_date=datetime.date(2026, 12, 10),
            amount="100.00",
        )
        for _n in range(count)
    ]


def title(wallet, number: int, paid="100.00", occurrence="06") -> SyntheticRecord:
    return SyntheticRecord(
        nosso_numero=nosso_numero_for("240", "756", number, agency=wallet.agency, account=wallet.account),
        occurrence_code=occurrence,
        face_value=D("100.00"),
        paid_amount=D(paid) if occurrence == "06" else D("0.00"),
        occurrence_date=DAY,
    )


def unknown_titles(wallet, count: int, start: int = 900_000) -> list[SyntheticRecord]:
    """Settlements of nossos números no invoice has."""
    return [title(wallet, start + n) for n in range(count)]


class ReadSpy(io.BytesIO):
    """A file whose reads are watched: the largest read asked for, and whether it was ever read
    whole (``read()`` / ``read(-1)``)."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.largest = 0
        self.whole = 0

    def read(self, size=-1):
        if size is None or size < 0:
            self.whole += 1
        else:
            self.largest = max(self.largest, size)
        return super().read(size)


# --- Size limit ---------------------------------------------------------------------------------


def test_web_upload_of_30_mb_is_refused_naming_the_file_and_nothing_is_stored(web, wallet, media):
    data = b"0" * (30 * MB)
    response = web.post(
        "/cnab-imports/add/", {"wallet": wallet.pk, "file": SimpleUploadedFile("BIG.RET", data)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["file"]
    assert "30.0 MB" in errors["file"][0] and "maximum is 20 MB" in errors["file"][0]
    assert not CnabImport.objects.exists() and not CnabRecord.objects.exists()
    assert stored_files(media) == []
    assert "up to 20 MB" in web.get("/cnab-imports/add/").content.decode()  # the form says so


def test_api_upload_of_30_mb_is_refused_naming_the_file_and_nothing_is_stored(api, wallet, media):
    data = b"0" * (30 * MB)
    response = api.post(
        "/api/v1/cnab-imports/",
        {"wallet": wallet.pk, "file": SimpleUploadedFile("BIG.RET", data)},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_too_large" and "maximum is 20 MB" in body["file"][0]
    assert not CnabImport.objects.exists() and stored_files(media) == []


def test_the_limit_is_a_setting_and_a_file_under_it_is_read(admin_user, wallet, media, settings):
    settings.BANK_RETURN_MAX_UPLOAD_MB = 1
    data = build_cnab240("756", unknown_titles(wallet, 2200))  # 2 × 2200 lines of 242 bytes
    assert len(data) > MB
    with pytest.raises(ApplicationError) as refused:
        cnab_import(actor=admin_user, wallet=wallet, data=data, file_name="R.RET")
    assert (refused.value.code, refused.value.field) == ("file_too_large", "file")
    assert not CnabImport.objects.exists() and stored_files(media) == []

    settings.BANK_RETURN_MAX_UPLOAD_MB = 2
    imp = cnab_import(actor=admin_user, wallet=wallet, data=data, file_name="R.RET").cnab_import
    assert imp.records == 2200 and imp.file.size == len(data)


# --- Streaming ----------------------------------------------------------------------------------


def test_the_parser_reads_a_title_without_reading_the_file(wallet):
    spy = ReadSpy(build_cnab240("756", unknown_titles(wallet, 3000)))
    reader = open_return(spy)
    first = next(iter(reader))
    assert first.line == 3
    assert spy.tell() <= 2 * CHUNK_SIZE < len(spy.getvalue()) / 10
    assert spy.whole == 0


def test_the_import_reads_in_chunks_and_writes_in_batches(admin_user, customer, wallet, media):
    (invoice,) = open_invoices(admin_user, customer, wallet, 1)
    records = [title(wallet, invoice.nosso_numero), *unknown_titles(wallet, BATCH_SIZE + 10)]
    spy = ReadSpy(build_cnab240("756", records))
    imp = cnab_import(actor=admin_user, wallet=wallet, data=spy, file_name="R.RET").cnab_import
    assert spy.whole == 0 and 0 < spy.largest <= CHUNK_SIZE
    assert (imp.records, imp.settled, imp.not_settled) == (len(records), 1, len(records) - 1)
    assert imp.items.count() == len(records)
    assert imp.file.read() == spy.getvalue()


def test_an_error_after_a_written_batch_leaves_nothing(admin_user, customer, wallet, media):
    """The trailer is read last: the first batch (with a settlement) is already written when the
    file turns out to be wrong, and the transaction takes it all back."""
    (invoice,) = open_invoices(admin_user, customer, wallet, 1)
    records = [title(wallet, invoice.nosso_numero), *unknown_titles(wallet, BATCH_SIZE + 10)]
    lines = build_cnab240("756", records).split(b"\r\n")
    trailer = lines[-2].decode("latin-1")
    lines[-2] = (trailer[:23] + "999999" + trailer[29:]).encode("latin-1")  # records in the file
    changes = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        cnab_import(actor=admin_user, wallet=wallet, data=b"\r\n".join(lines), file_name="R.RET")
    assert f"line {len(lines) - 1}" in str(refused.value.message_dict["file"])
    assert not CnabImport.objects.exists() and not CnabRecord.objects.exists()
    assert not Payment.objects.exists() and ObjectChange.objects.count() == changes
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN
    assert stored_files(media) == []


def _reference_lines(data: bytes) -> list[str]:
    """What the parser read before it streamed: the whole text split at once."""
    text = data.decode("latin-1")
    if text.startswith("\u00ef\u00bb\u00bf"):
        text = text[3:]
    lines = re.split(r"\r\n|\n|\r", text.rstrip("\x1a"))
    while lines and not lines[-1].strip():
        lines.pop()
    return [line if line.strip() else "" for line in lines]


class ShortReads(io.BytesIO):
    """A stream that gives at most ``n`` bytes per read (a pipe, a slow upload)."""

    def __init__(self, data: bytes, n: int):
        super().__init__(data)
        self.n = n

    def read(self, size=-1):
        return super().read(self.n if size is None or size < 0 else min(size, self.n))


@given(
    parts=st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b"\x1a", b" ", b"A", b"\xef\xbb\xbf", b"\x85"])),
    n=st.integers(min_value=1, max_value=7),
)
def test_streamed_lines_are_the_lines_of_the_whole_text(parts, n):
    data = b"".join(parts)
    assert list(iter_lines(ShortReads(data, n), chunk_size=n)) == _reference_lines(data)


# --- Repeated nosso número ----------------------------------------------------------------------


def test_a_nosso_numero_settles_once_per_file_and_repeats_are_refused_lines(admin_user, customer, wallet):
    a, b = open_invoices(admin_user, customer, wallet, 2)
    records = [
        title(wallet, a.nosso_numero, occurrence="02"),  # entry confirmed: information
        title(wallet, a.nosso_numero),  # settles
        title(wallet, b.nosso_numero, paid="40.00"),  # settles partly
        title(wallet, a.nosso_numero),  # repeated: refused
        title(wallet, b.nosso_numero, paid="60.00"),  # repeated, even though b is still open
    ]
    imp = cnab_import(
        actor=admin_user,
        wallet=wallet,
        data=build_cnab240("756", records),
        file_name="R.RET",
        store_file=False,
    ).cnab_import
    rows = list(imp.items.order_by("line").values_list("invoice_id", "outcome"))
    assert rows == [
        (a.pk, OUTCOME.INFO),
        (a.pk, OUTCOME.SETTLED),
        (b.pk, OUTCOME.SETTLED),
        (a.pk, OUTCOME.REPEATED),
        (b.pk, OUTCOME.REPEATED),
    ]
    assert (imp.settled, imp.not_settled, imp.settled_amount) == (2, 3, D("140.00"))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.payments.count() == 1 and a.status == InvoiceStatus.RECEIVED
    assert b.payments.count() == 1 and b.status == InvoiceStatus.PARTIAL and b.paid_amount == D("40.00")
    assert not Payment.objects.filter(cnab_record__outcome=OUTCOME.REPEATED).exists()


def test_a_repeat_in_a_later_batch_is_refused_too(admin_user, customer, wallet):
    (a,) = open_invoices(admin_user, customer, wallet, 1)
    records = [
        title(wallet, a.nosso_numero),
        *unknown_titles(wallet, BATCH_SIZE),
        title(wallet, a.nosso_numero),
    ]
    imp = cnab_import(
        actor=admin_user,
        wallet=wallet,
        data=build_cnab240("756", records),
        file_name="R.RET",
        store_file=False,
    ).cnab_import
    assert list(imp.items.filter(invoice=a).order_by("line").values_list("outcome", flat=True)) == [
        OUTCOME.SETTLED,
        OUTCOME.REPEATED,
    ]
    assert a.payments.count() == 1 and imp.settled == 1


# --- Pagination ---------------------------------------------------------------------------------


@pytest.fixture
def big_import(admin_user, customer, wallet):
    """250 records: one settles, its repeat is the last line, 248 name no invoice."""
    (a,) = open_invoices(admin_user, customer, wallet, 1)
    records = [title(wallet, a.nosso_numero), *unknown_titles(wallet, 248), title(wallet, a.nosso_numero)]
    return cnab_import(
        actor=admin_user,
        wallet=wallet,
        data=build_cnab240("756", records),
        file_name="R.RET",
        store_file=False,
    ).cnab_import


def test_the_import_page_shows_a_page_of_records(web, big_import):
    url = f"/cnab-imports/{big_import.pk}/"
    first = web.get(url)
    html = first.content.decode()
    assert html.count("<tr data-record=") == 100
    assert first.context["records"].paginator.num_pages == 3
    assert 'id="summary-records">250<' in html and 'data-outcome="repeated" data-count="1"' in html
    assert "Page 1 of 3" in html and 'href="?page=2#records"' in html and "outcome-all" not in html
    last = web.get(url, {"page": 3}).content.decode()
    assert last.count("<tr data-record=") == 50
    not_found = web.get(url, {"outcome": "notfound", "page": 2})
    assert [r.line for r in not_found.context["records"]][:1] == [5 + 2 * 100]
    assert 'href="?outcome=notfound&amp;page=3#records"' in not_found.content.decode()
    repeated = web.get(url, {"outcome": "repeated"})
    assert [r.line for r in repeated.context["records"]] == [3 + 2 * 249]
    assert repeated.content.decode().count("<tr data-record=") == 1


def test_the_api_pages_through_the_records(api, big_import):
    url = f"/api/v1/cnab-imports/{big_import.pk}/"
    detail = api.get(url).json()
    assert "records" not in detail
    assert detail["outcomes"] == {"settled": 1, "already": 0, "notfound": 248, "info": 0, "repeated": 1}
    first = api.get(url + "records/").json()
    assert first["count"] == 250 and len(first["results"]) == 50 and first["next"]
    assert [r["line"] for r in first["results"][:2]] == [3, 5]
    assert len(api.get(url + "records/", {"page": 5}).json()["results"]) == 50
    repeated = api.get(url + "records/", {"outcome": "repeated"}).json()
    assert repeated["count"] == 1 and repeated["results"][0]["payment"] is None
    bad = api.get(url + "records/", {"outcome": "paid"})
    assert bad.status_code == 400 and "outcome" in bad.json()


def test_the_real_files_still_import_from_a_file_object(admin_user, wallet, media):
    with (CNAB_FIXTURES / "CNAB240SICOOB.RET").open("rb") as upload:
        imp = cnab_import(
            actor=admin_user, wallet=wallet, data=upload, file_name="CNAB240SICOOB.RET"
        ).cnab_import
    assert (imp.records, imp.layout, imp.bank_code) == (3, "240", "756")
