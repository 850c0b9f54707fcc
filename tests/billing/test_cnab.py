"""CNAB 240/400 return files: the real samples in tests/fixtures/cnab, malformed files, and the
synthetic-file builders (round trip)."""

import dataclasses
import hashlib
import re
import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enlace.billing.cnab import CnabError, ReturnFile, parse_return
from enlace.billing.cnab.builder import SyntheticRecord, build_cnab240, build_cnab400, nosso_numero_for
from enlace.billing.cnab.occurrences import DESCRIPTIONS, SETTLEMENT_CODES, describe, settles
from tests.helpers.fixtures import CNAB_FIXTURES

FIXTURES = CNAB_FIXTURES
SAMPLES = ("CNAB240.RET", "CNAB240SICOOB.RET", "CNAB400ITAU.RET", "CNAB400BRADESCO.RET")


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lines_of(data: bytes) -> list[str]:
    return re.split(r"\r\n|\n", data.decode("latin-1").rstrip("\r\n"))


def join(lines: list[str], ending: str = "\r\n") -> bytes:
    return (ending.join(lines) + ending).encode("latin-1")


def replace_at(line: str, start: int, value: str) -> str:
    """Put ``value`` at 1-based position ``start`` of ``line`` (padding the line if needed)."""
    line = line.ljust(start - 1 + len(value))
    return line[: start - 1] + value + line[start - 1 + len(value) :]


def refused(data: bytes) -> CnabError:
    with pytest.raises(CnabError) as info:
        parse_return(data)
    assert isinstance(info.value, ValueError)
    return info.value


D = Decimal


# -- the real files: values of the first records as the fixtures' README gives them -------------------


def test_bb_cnab240_first_record():
    f = parse_return(sample("CNAB240.RET"))
    assert (f.layout, f.bank_code, f.bank_name) == ("240", "001", "Banco do Brasil")
    assert f.generation_date == date(2011, 12, 29)
    assert f.file_sequence == 2108
    assert (f.agency, f.agency_dv, f.account, f.account_dv) == ("01234", "5", "000000005432", "1")
    r = f.records[0]
    assert (r.line, r.lines) == (3, (3, 4))
    assert r.nosso_numero == "14499570000020673"  # convênio 1449957 + sequence 0000020673
    assert r.nosso_numero.endswith("00020673")
    assert int(r.nosso_numero_normalized) == int("00020673")
    assert r.face_value == D("344.00")
    assert r.paid_amount == D("344.00")
    assert r.interest == D("0.09")
    assert r.discount == D("0.01")
    assert r.abatement == D("0.02")
    assert r.bank_fee == D("1.03")
    assert r.credit_date == date(2012, 1, 2)
    assert r.occurrence_date == date(2011, 12, 29)
    assert r.due_date is None  # zeros in the file
    assert (r.iof, r.other_expenses, r.other_credits, r.net_amount) == (
        D("0.03"),
        D("0.04"),
        D("0.05"),
        D("342.97"),
    )
    assert r.occurrence_code == "17"
    assert r.is_settlement


def test_sicoob_cnab240_first_record():
    f = parse_return(sample("CNAB240SICOOB.RET"))
    assert (f.layout, f.bank_code, f.bank_name) == ("240", "756", "Sicoob")
    assert f.company_name == "RAZAO SOCIAL SICOOB"
    # The sample's file header is 17 positions short: its date and sequence cannot be read.
    assert f.generation_date is None and f.file_sequence is None
    r = f.records[0]
    assert r.nosso_numero == "0000000083"
    assert (r.nosso_numero_normalized, r.nosso_numero_dv) == ("8", "3")
    assert r.due_date == date(2015, 8, 13)
    assert r.face_value == D("2.00")
    assert r.paid_amount == D("2.00")
    assert r.bank_fee == D("1.70")
    assert r.occurrence_code == "06"
    assert r.occurrence_description == "Settlement"
    assert r.occurrence_date == date(2015, 8, 10)
    assert r.credit_date == date(2015, 8, 10)
    assert r.payer_name == "2A MATERIAIS ELETRICOS"
    assert r.is_settlement


def test_itau_cnab400_first_record():
    f = parse_return(sample("CNAB400ITAU.RET"))
    assert (f.layout, f.bank_code, f.bank_name) == ("400", "341", "Itaú")
    assert (f.agency, f.account, f.account_dv) == ("0730", "03511", "0")
    assert f.file_sequence == 25
    assert f.generation_date == date(2013, 5, 20)
    r = f.records[0]
    assert r.line == 2
    assert r.wallet == "109"
    assert r.nosso_numero == "00000011"
    assert (r.nosso_numero_normalized, r.nosso_numero_dv) == ("11", "4")
    assert r.face_value == D("40.00")
    assert r.paid_amount == D("37.90")
    assert r.bank_fee == D("2.10")
    # Itaú's "valor principal" is net of the fee: the payer paid the face value.
    assert r.paid_amount_is_net and r.payer_amount == D("40.00")
    assert r.occurrence_code == "06"
    assert r.occurrence_date == date(2013, 5, 20)
    assert r.credit_date == date(2013, 5, 21)
    assert r.is_settlement


def test_bradesco_cnab400_first_record():
    f = parse_return(sample("CNAB400BRADESCO.RET"))
    assert (f.layout, f.bank_code, f.bank_name) == ("400", "237", "Bradesco")
    assert f.convenio == "00000000000004540691"
    assert f.generation_date == date(2015, 5, 15)
    r = f.records[0]
    assert r.wallet == "009"
    assert r.nosso_numero == "000000000303"
    assert (r.nosso_numero_normalized, r.nosso_numero_dv) == ("30", "3")
    assert r.due_date == date(2015, 5, 25)
    assert r.face_value == D("1450.00")
    assert r.paid_amount == D("1450.00")
    assert r.bank_fee == D("1.60")
    assert r.occurrence_code == "02"
    assert r.occurrence_description == "Entry confirmed"
    assert r.occurrence_date == date(2015, 5, 15)
    assert not r.is_settlement  # 02 confirms the registration, it is not a payment


def test_bradesco_check_digit_p_is_read():
    r = parse_return(sample("CNAB400BRADESCO.RET")).records[1]
    assert r.nosso_numero == "51350000004P"
    assert (r.nosso_numero_normalized, r.nosso_numero_dv) == ("51350000004", "P")
    assert r.credit_date is None  # blanks in the file


@pytest.mark.parametrize(
    ("name", "titles", "lines_after_header"),
    [
        ("CNAB240.RET", 35, None),
        ("CNAB240SICOOB.RET", 3, None),
        # The README counts "53 (after the header)" and "7 (after the header)": every line after the
        # header, the trailer included (what the library it comes from returns). Titles are one fewer.
        ("CNAB400ITAU.RET", 52, 53),
        ("CNAB400BRADESCO.RET", 6, 7),
    ],
)
def test_record_counts(name, titles, lines_after_header):
    data = sample(name)
    f = parse_return(data)
    assert len(f.records) == titles
    if lines_after_header is not None:
        assert len(lines_of(data)) - 1 == lines_after_header == titles + 1
    else:  # CNAB 240: a T+U pair per title, plus file header, lot header, lot trailer, file trailer
        assert len(lines_of(data)) == 2 * titles + 4
        assert all(r.lines == (r.line, r.line + 1) for r in f.records)


def test_settlements_per_file():
    bb = parse_return(sample("CNAB240.RET"))
    assert {r.occurrence_code for r in bb.records} == {"17"} and len(bb.settlements) == 35
    sicoob = parse_return(sample("CNAB240SICOOB.RET"))
    assert len(sicoob.settlements) == 3
    itau = parse_return(sample("CNAB400ITAU.RET"))
    assert len(itau.settlements) == 51
    assert [r.occurrence_code for r in itau.others] == ["09"]
    bradesco = parse_return(sample("CNAB400BRADESCO.RET"))
    assert bradesco.settlements == ()
    assert [r.occurrence_code for r in bradesco.others] == ["02"] * 5 + ["10"]


# -- line endings, trimmed lines, hashes --------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_line_endings_do_not_matter(name, ending):
    data = sample(name)
    reference = parse_return(data)
    other = parse_return(join(lines_of(data), ending))
    assert other.records == reference.records
    assert other.sha256 != reference.sha256 or join(lines_of(data), ending) == data


@pytest.mark.parametrize("name", SAMPLES)
def test_trimmed_lines_are_padded(name):
    data = sample(name)
    length = 240 if "240" in name else 400
    full = join([line.ljust(length) for line in lines_of(data)], "\n")
    trimmed = join([line.rstrip() for line in lines_of(data)], "\n")
    if length == 240:  # CNAB 400 records end with their sequence number: nothing to trim
        assert len(trimmed) < len(full)
    assert parse_return(trimmed).records == parse_return(full).records == parse_return(data).records


@pytest.mark.parametrize("name", SAMPLES)
def test_no_final_line_break_and_trailing_blank_lines(name):
    lines = lines_of(sample(name))
    reference = parse_return(sample(name)).records
    assert parse_return("\r\n".join(lines).encode("latin-1")).records == reference
    assert parse_return(join(lines + ["", "   ", ""])).records == reference
    assert parse_return(join(lines) + b"\x1a").records == reference  # DOS end-of-file mark
    assert parse_return(b"\xef\xbb\xbf" + join(lines)).records == reference  # UTF-8 BOM


@pytest.mark.parametrize("name", ["CNAB240.RET", "CNAB400ITAU.RET"])
def test_records_without_line_breaks(name):
    length = 240 if "240" in name else 400
    lines = lines_of(sample(name))
    data = "".join(line.ljust(length) for line in lines).encode("latin-1")
    assert parse_return(data).records == parse_return(sample(name)).records


def test_sha256_is_stable():
    data = sample("CNAB240SICOOB.RET")
    first, second = parse_return(data), parse_return(bytes(data))
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()
    assert parse_return(bytearray(data)).sha256 == first.sha256
    assert parse_return(data.replace(b"\r\n", b"\n")).sha256 != first.sha256


def test_parse_return_takes_bytes():
    with pytest.raises(TypeError):
        parse_return(sample("CNAB240.RET").decode("latin-1"))


# -- malformed files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_file_cut_in_the_middle_is_refused(name):
    data = sample(name)
    # Every cut before the last line. (A cut inside the last line's filler positions cannot be told
    # from a line whose trailing blanks were trimmed, and loses nothing.)
    last_line_start = data.rstrip(b"\r\n").rfind(b"\n") + 1
    for cut in [*range(7, last_line_start, 97), len(data) // 2, last_line_start - 1]:
        truncated = data[:cut]
        count = len(lines_of(truncated))
        error = refused(truncated)
        assert error.line is not None
        assert count - 1 <= error.line <= count  # the cut line, or the T whose U was cut away
        assert str(error).startswith(f"line {error.line}: ")


@pytest.mark.parametrize("name", SAMPLES)
def test_file_without_its_trailer_is_refused(name):
    lines = lines_of(sample(name))
    error = refused(join(lines[:-1]))
    assert "truncated" in error.message
    assert error.line in (len(lines) - 1, len(lines) - 2)


def test_several_lots():
    lines = lines_of(sample("CNAB240SICOOB.RET"))
    second_lot = [replace_at(line, 4, "0002") for line in lines[1:-1]]
    trailer = replace_at(replace_at(lines[-1], 18, "000002"), 24, f"{len(lines) + len(second_lot):06d}")
    f = parse_return(join(lines[:-1] + second_lot + [trailer]))
    assert len(f.records) == 6
    assert f.records[3].line == len(lines) + 1 and f.records[3] == replace_lines(f.records[0], len(lines) - 2)
    error = refused(join(lines[:-1] + second_lot + [lines[-1]]))  # trailer still says one lot
    assert (error.line, error.field) == (len(lines) + len(second_lot), "number of lots")


def replace_lines(record, offset):
    return dataclasses.replace(
        record, line=record.line + offset, lines=tuple(n + offset for n in record.lines)
    )


def test_segment_t_without_u_is_refused():
    lines = lines_of(sample("CNAB240SICOOB.RET"))
    del lines[3]  # the U of the first title
    error = refused(join(lines))
    assert error.line == 3
    assert "segment T is not followed by its segment U" in error.message


def test_segment_u_without_t_is_refused():
    lines = lines_of(sample("CNAB240SICOOB.RET"))
    del lines[2]
    error = refused(join(lines))
    assert (error.line, error.message) == (3, "segment U without a segment T before it")


def test_t_and_u_of_different_titles_are_refused():
    lines = lines_of(sample("CNAB240SICOOB.RET"))
    lines[3] = replace_at(lines[3], 16, "02")
    error = refused(join(lines))
    assert error.line == 4 and error.field == "occurrence code"


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a bank file\r\nat all\r\n",
        b"\x00\x01\x02garbage" * 40,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        b"   \r\n00100000 rest",
    ],
)
def test_garbage_is_refused_at_line_1(data):
    error = refused(data)
    assert error.line == 1


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"   \n"])
def test_empty_file_is_refused(data):
    assert refused(data).line == 1


def test_non_numeric_amount_cnab400():
    lines = lines_of(sample("CNAB400ITAU.RET"))
    lines[3] = replace_at(lines[3], 254, "00000003X.90 ")
    error = refused(join(lines))
    assert error.line == 4
    assert error.field == "paid amount"
    assert "paid amount" in str(error) and "254-266" in str(error)


def test_non_numeric_amount_cnab240():
    lines = lines_of(sample("CNAB240.RET"))
    lines[5] = replace_at(lines[5], 18, "0000000000000A9")  # U of the second title: interest
    error = refused(join(lines))
    assert (error.line, error.field) == (6, "interest and fine")
    assert str(error).startswith("line 6: interest and fine (positions 18-32)")


def test_blank_amount_is_refused():
    lines = lines_of(sample("CNAB400BRADESCO.RET"))
    lines[1] = replace_at(lines[1], 153, " " * 13)
    error = refused(join(lines))
    assert (error.line, error.field) == (2, "face value")


def test_invalid_date_is_refused():
    lines = lines_of(sample("CNAB400BRADESCO.RET"))
    lines[2] = replace_at(lines[2], 147, "310215")  # 31 February
    error = refused(join(lines))
    assert (error.line, error.field) == (3, "due date")


def test_unknown_segment_is_refused():
    lines = lines_of(sample("CNAB240.RET"))
    lines[4] = replace_at(lines[4], 14, "Q")
    error = refused(join(lines))
    assert (error.line, error.field) == (5, "segment")
    assert "unknown segment 'Q'" in error.message


def test_unknown_record_type_is_refused():
    lines = lines_of(sample("CNAB400ITAU.RET"))
    lines[6] = replace_at(lines[6], 1, "5")
    error = refused(join(lines))
    assert (error.line, error.field) == (7, "record type")


def test_unknown_record_type_in_cnab240_is_refused():
    lines = lines_of(sample("CNAB240SICOOB.RET"))
    lines[2] = replace_at(lines[2], 8, "4")
    assert (refused(join(lines)).line, refused(join(lines)).field) == (3, "record type")


def test_missing_line_in_cnab400_is_refused_by_the_sequence_numbers():
    lines = lines_of(sample("CNAB400ITAU.RET"))
    del lines[10]
    error = refused(join(lines))
    assert (error.line, error.field) == (11, "record sequence number")


def test_lot_record_count_must_match():
    lines = lines_of(sample("CNAB240.RET"))
    lines[-2] = replace_at(lines[-2], 18, "000070")
    error = refused(join(lines))
    assert error.line == len(lines) - 1 and error.field == "number of records in the lot"


def test_file_record_count_must_match():
    lines = lines_of(sample("CNAB240SICOOB.RET"))
    lines[-1] = replace_at(lines[-1], 24, "000011")
    error = refused(join(lines))
    assert error.line == len(lines) and error.field == "number of records in the file"


def test_itau_trailer_totals_must_match():
    lines = lines_of(sample("CNAB400ITAU.RET"))
    lines[1] = replace_at(lines[1], 153, "0000000004100")  # face value 41.00 instead of 40.00
    error = refused(join(lines))
    assert error.line == len(lines) and error.field == "total face value of the details"
    lines = lines_of(sample("CNAB400ITAU.RET"))
    lines[-1] = replace_at(lines[-1], 213, "00000051")
    assert refused(join(lines)).field == "number of detail records"


def test_bradesco_trailer_counts_must_match():
    lines = lines_of(sample("CNAB400BRADESCO.RET"))
    lines[2] = replace_at(lines[2], 109, "14")  # an "02" becomes "14": the 02 count no longer matches
    error = refused(join(lines))
    assert error.line == len(lines) and error.field == "number of occurrence 02 records"


def test_bank_code_must_match_the_header():
    lines = lines_of(sample("CNAB240SICOOB.RET"))
    lines[4] = replace_at(lines[4], 1, "001")
    assert (refused(join(lines)).line, refused(join(lines)).field) == (5, "bank code")


def test_data_after_the_trailer_is_refused():
    lines = lines_of(sample("CNAB400BRADESCO.RET"))
    error = refused(join(lines + [lines[1]]))
    assert error.line == len(lines) + 1


def test_line_longer_than_the_layout_is_refused():
    lines = lines_of(sample("CNAB240.RET"))
    lines[2] = lines[2].ljust(240) + "X"
    error = refused(join(lines))
    assert error.line == 3 and "241 characters" in error.message
    lines = lines_of(sample("CNAB240.RET"))
    lines[2] = lines[2].ljust(242)  # extra blanks only: accepted
    assert parse_return(join(lines)).records == parse_return(sample("CNAB240.RET")).records


def test_remittance_files_are_refused():
    lines = lines_of(sample("CNAB400ITAU.RET"))
    lines[0] = replace_at(lines[0], 1, "01REMESSA")
    assert "remittance" in refused(join(lines)).message
    lines = lines_of(sample("CNAB240.RET"))
    lines[1] = replace_at(lines[1], 9, "R")
    error = refused(join(lines))
    assert error.line == 2 and "remittance" in error.message


def test_unsupported_cnab400_bank_is_refused():
    lines = lines_of(sample("CNAB400ITAU.RET"))
    lines[0] = replace_at(lines[0], 77, "033")
    error = refused(join(lines))
    assert error.line == 1 and "'033'" in error.message and error.field == "bank code"


def test_empty_line_inside_the_file_is_refused():
    lines = lines_of(sample("CNAB400BRADESCO.RET"))
    lines.insert(3, "")
    assert refused(join(lines)).line == 4


# -- occurrence tables --------------------------------------------------------------------------------


def test_every_settlement_code_is_described():
    for key, codes in SETTLEMENT_CODES.items():
        for code in codes:
            assert code in DESCRIPTIONS[key], (key, code)


@pytest.mark.parametrize(
    ("layout", "bank", "settling", "not_settling"),
    [
        ("240", "001", {"06", "17"}, {"02", "03", "09", "15", "28"}),
        ("240", "756", {"06", "17"}, {"02", "09"}),
        ("240", "104", {"06", "17"}, {"02"}),
        ("400", "341", {"06", "07", "08"}, {"02", "09", "10", "59"}),
        ("400", "237", {"06", "15", "17"}, {"02", "09", "10", "16", "22"}),
        ("400", "001", {"05", "06", "07", "08", "15", "17"}, {"02", "09", "46"}),
    ],
)
def test_settlement_codes(layout, bank, settling, not_settling):
    assert all(settles(layout, bank, c) for c in settling)
    assert not any(settles(layout, bank, c) for c in not_settling)


def test_unknown_code_is_described_but_does_not_settle():
    assert describe("400", "341", "99") == "Unknown occurrence"
    assert not settles("400", "341", "99")


# -- builders: round trip -----------------------------------------------------------------------------

BANKS = [
    ("240", "001", "1234567"),
    ("240", "001", "123456"),
    ("240", "756", ""),
    ("240", "104", ""),
    ("240", "748", ""),
    ("240", "341", ""),
    ("400", "341", ""),
    ("400", "237", ""),
    ("400", "001", "1234567"),
    ("400", "001", "123456"),
]
REASON_SLOTS = {"240": 5, "341": 4, "237": 5, "001": 1}
TEXT = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ÇÃÉÔÜ-./", max_size=40)


def _text(width: int):
    return TEXT.map(lambda s: s[:width].strip())


def _money(cents_max: int = 10**9 - 1):
    return st.integers(0, cents_max).map(lambda c: Decimal(c).scaleb(-2))


def _dates(layout: str):
    low, high = (
        (date(1970, 1, 1), date(2069, 12, 31)) if layout == "400" else (date(1900, 1, 1), date(2199, 12, 31))
    )
    return st.one_of(st.none(), st.dates(low, high))


@st.composite
def synthetic_files(draw, layout: str, bank: str, convenio: str):
    codes = sorted(DESCRIPTIONS[(layout, "*" if layout == "240" else bank)]) + ["00", "99"]
    slots = REASON_SLOTS["240" if layout == "240" else bank]
    numbers = draw(st.lists(st.integers(1, 10**5 - 1), min_size=0, max_size=8, unique=True))
    records = []
    for number in numbers:
        payer = layout == "240" or bank == "341"
        records.append(
            SyntheticRecord(
                nosso_numero=nosso_numero_for(layout, bank, number, convenio=convenio),
                occurrence_code=draw(st.sampled_from(codes)),
                face_value=draw(_money()),
                paid_amount=draw(_money()),
                net_amount=draw(st.one_of(st.none(), _money()))
                if (layout == "240" or bank == "001")
                else None,
                interest=draw(_money()),
                discount=draw(_money()),
                abatement=draw(_money()),
                iof=draw(_money()),
                bank_fee=draw(_money(10**7 - 1)),
                other_expenses=draw(_money()) if bank != "341" or layout == "240" else Decimal("0.00"),
                other_credits=draw(_money()),
                due_date=draw(_dates(layout)),
                occurrence_date=draw(_dates(layout)),
                credit_date=draw(_dates(layout)),
                document_number=draw(_text(15 if layout == "240" else 10)),
                company_use=draw(_text(25)),
                payer_name=draw(_text(30)) if payer else "",
                reasons=tuple(
                    draw(st.lists(st.sampled_from(["01", "14", "A4", "B1", "99"]), max_size=slots))
                ),
            )
        )
    return records, numbers


def _check_round_trip(layout, bank, convenio, records, numbers, ending):
    build = build_cnab240 if layout == "240" else build_cnab400
    data = build(
        bank,
        records,
        convenio=convenio,
        company_name="PROVEDOR ÇÃO LTDA",
        file_sequence=42,
        generation_date=date(2025, 3, 4),
        line_ending=ending,
    )
    parsed = parse_return(data)
    assert isinstance(parsed, ReturnFile)
    assert (parsed.layout, parsed.bank_code) == (layout, bank)
    assert parsed.company_name == "PROVEDOR ÇÃO LTDA"
    assert parsed.generation_date == date(2025, 3, 4)
    if bank != "237" or layout == "240":
        assert parsed.file_sequence == 42
    assert len(parsed.records) == len(records)
    for spec, number, got in zip(records, numbers, parsed.records, strict=True):
        assert got.nosso_numero == spec.nosso_numero
        assert got.nosso_numero_normalized == str(number)
        assert got.occurrence_code == spec.occurrence_code
        assert got.is_settlement == settles(layout, bank, spec.occurrence_code)
        for name in (
            "face_value",
            "paid_amount",
            "interest",
            "discount",
            "abatement",
            "iof",
            "bank_fee",
            "other_expenses",
            "other_credits",
            "due_date",
            "occurrence_date",
            "credit_date",
            "document_number",
            "company_use",
            "payer_name",
        ):
            assert getattr(got, name) == getattr(spec, name), name
        assert got.occurrence_reasons == spec.reasons
        assert got.collecting_bank == bank
        if layout == "240" or bank == "001":
            expected_net = spec.net_amount
            if expected_net is None:
                expected_net = max(spec.paid_amount - spec.bank_fee, Decimal("0.00"))
            assert got.net_amount == expected_net
        for amount in (got.face_value, got.paid_amount, got.bank_fee):
            assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(("layout", "bank", "convenio"), BANKS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip(layout, bank, convenio, data):
    records, numbers = data.draw(synthetic_files(layout, bank, convenio))
    ending = data.draw(st.sampled_from(["\r\n", "\n"]))
    _check_round_trip(layout, bank, convenio, records, numbers, ending)


def test_builders_refuse_values_that_do_not_fit():
    with pytest.raises(ValueError):
        build_cnab400("341", [SyntheticRecord(nosso_numero="1", face_value=D("1.001"))])
    with pytest.raises(ValueError):
        build_cnab400("341", [SyntheticRecord(nosso_numero="123456789")])
    with pytest.raises(ValueError):
        build_cnab240("001", [SyntheticRecord(nosso_numero="1", face_value=D("-1.00"))])
    with pytest.raises(ValueError):
        build_cnab400("033", [])
    with pytest.raises(ValueError):
        build_cnab400("001", [SyntheticRecord(nosso_numero="1", due_date=date(2070, 1, 1))])


def test_builder_check_digits_match_the_real_files():
    # Itaú DAC of nosso número 00000011, agency 0730, account 03511, wallet 109: "4" in the sample.
    data = build_cnab400("341", [SyntheticRecord(nosso_numero="00000011")], agency="0730", account="03511")
    assert parse_return(data).records[0].nosso_numero_dv == "4"
    # Bradesco: wallet 09, number 51350000004 has DV "P" in the sample.
    assert nosso_numero_for("400", "237", 51350000004, wallet="09") == "51350000004P"
    assert nosso_numero_for("400", "237", 50980000002, wallet="09") == "509800000028"


def test_ten_thousand_payments():
    records = [
        SyntheticRecord(
            nosso_numero=nosso_numero_for("240", "756", n),
            face_value=D("99.90"),
            paid_amount=D("99.90"),
            occurrence_date=date(2025, 3, 10),
            credit_date=date(2025, 3, 11),
        )
        for n in range(1, 10_001)
    ]
    data = build_cnab240("756", records, generation_date=date(2025, 3, 11))
    started = time.perf_counter()
    parsed = parse_return(data)
    elapsed = time.perf_counter() - started
    assert len(parsed.settlements) == 10_000
    assert parsed.records[-1].nosso_numero_normalized == "10000"
    assert parsed.records[-1].lines == (20_001, 20_002)
    assert elapsed < 5, elapsed  # generous: about 0.4 s on the development machine
