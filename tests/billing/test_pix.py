"""PIX BR Code core (enlace/billing/pix.py): Banco Central's example, CRC, keys, folding,
round-trips through the parser, and the QR code images."""

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enlace.billing import pix
from enlace.billing.pix import PixError, build_brcode, parse_brcode

BCB_EXAMPLE = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
    "5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
EVP = "123e4567-e12b-12d1-a456-426655440000"


def test_banco_central_example():
    # "Manual de Padrões para Iniciação do Pix", static example (fixtures/boleto-pix-vectors.md).
    assert build_brcode(key=EVP, name="Fulano de Tal", city="BRASILIA") == BCB_EXAMPLE
    code = parse_brcode(BCB_EXAMPLE)
    assert code.key == EVP
    assert code.name == "Fulano de Tal"
    assert code.city == "BRASILIA"
    assert code.amount is None
    assert code.txid is None
    assert code.crc == "1D3D"
    assert (code.merchant_category, code.currency, code.country) == ("0000", "986", "BR")


def test_crc_check_value():
    assert pix.crc16("123456789") == "29B1"
    assert pix.crc16(b"123456789") == "29B1"
    assert pix.crc16(BCB_EXAMPLE[:-4]) == "1D3D"


def test_crc_depends_on_the_case_of_the_gui():
    upper = BCB_EXAMPLE[:-4].replace("br.gov.bcb.pix", "BR.GOV.BCB.PIX")
    assert pix.crc16(upper) != "1D3D"


def test_invoice_payload_round_trip():
    payload = build_brcode(
        key="11.222.333/0001-81",
        name="Provedor Exemplo",
        city="Campinas",
        amount=Decimal("149.9"),
        txid="FAT2025000123",
    )
    assert "540614990" not in payload and "5406149.90" in payload
    assert "62170513FAT2025000123" in payload
    code = parse_brcode(payload)
    assert code.amount == Decimal("149.90")
    assert code.txid == "FAT2025000123"
    assert code.key == "11222333000181"
    assert payload.endswith(pix.crc16(payload[:-4]))


def test_amount_with_two_decimals():
    assert "540510.00" in build_brcode(key=EVP, name="A", city="B", amount=10)
    assert "54041.50" in build_brcode(key=EVP, name="A", city="B", amount="1.5")
    assert parse_brcode(
        build_brcode(key=EVP, name="A", city="B", amount=Decimal("9999999999.99"))
    ).amount == Decimal("9999999999.99")


def test_accents_are_folded_and_counted_after_folding():
    payload = build_brcode(key=EVP, name="Provedor São João", city="São José")
    assert "5917Provedor Sao Joao" in payload
    assert "6008Sao Jose" in payload
    assert payload.isascii()
    # 25 characters once folded, more code points when decomposed (NFD): accepted.
    name = unicodedata.normalize("NFD", "Comunicação Ágil Telecom")  # 24 letters + spaces
    assert len(name) > len("Comunicacao Agil Telecom")
    assert "5924Comunicacao Agil Telecom" in build_brcode(key=EVP, name=name, city="Brasília")
    assert pix.ascii_fold("Ação Ñandu ç") == "Acao Nandu c"


def test_case_is_kept():
    payload = build_brcode(key=EVP, name="Fulano de Tal", city="brasília")
    assert "6008brasilia" in payload


def test_name_and_city_limits():
    assert "5925" + "A" * 25 in build_brcode(key=EVP, name="A" * 25, city="B" * 15)
    with pytest.raises(PixError) as error:
        build_brcode(key=EVP, name="A" * 26, city="B")
    assert error.value.field == "name"
    with pytest.raises(PixError) as error:
        build_brcode(key=EVP, name="A", city="São José dos Campos")
    assert error.value.field == "city"
    payload = build_brcode(
        key=EVP, name="Provedor de Internet São Jorge Ltda", city="São José dos Campos", truncate=True
    )
    code = parse_brcode(payload)
    assert code.name == "Provedor de Internet Sao"  # 25 characters, trailing space dropped
    assert code.city == "Sao Jose dos Ca"
    with pytest.raises(PixError) as error:
        build_brcode(key=EVP, name="Ωmega", city="B")
    assert error.value.field == "name"
    with pytest.raises(PixError):
        build_brcode(key=EVP, name="   ", city="B")


@pytest.mark.parametrize(
    ("key", "kind", "value"),
    [
        ("529.982.247-25", "cpf", "52998224725"),
        ("52998224725", "cpf", "52998224725"),
        ("11.222.333/0001-81", "cnpj", "11222333000181"),
        ("Financeiro@Provedor.com.br", "email", "financeiro@provedor.com.br"),
        ("+55 (11) 99999-8888", "phone", "+5511999998888"),
        ("+551133334444", "phone", "+551133334444"),
        ("123E4567-E12B-12D1-A456-426655440000", "evp", EVP),
    ],
)
def test_keys_are_recognized_and_normalized(key, kind, value):
    assert pix.normalize_pix_key(key) == pix.PixKey(kind, value)
    assert parse_brcode(build_brcode(key=key, name="A", city="B")).key == value


@pytest.mark.parametrize(
    "key",
    [
        "",
        "529.982.247-24",  # CPF check digit
        "11222333000182",  # CNPJ check digit
        "11999998888",  # a phone without +55 looks like a (wrong) CPF
        "+1 415 555 0100",
        "+55 11 9999",
        "fulano@",
        "a" * 70 + "@example.com",
        "123e4567-e12b-12d1-a456-42665544000",
        "not a key",
    ],
)
def test_bad_keys(key):
    with pytest.raises(PixError) as error:
        pix.normalize_pix_key(key)
    assert error.value.field == "key"
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"txid": "FAT-1"}, "txid"),
        ({"txid": "A" * 26}, "txid"),
        ({"txid": "Fatura ção"}, "txid"),
        ({"amount": Decimal("10.001")}, "amount"),
        ({"amount": 10.0}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": Decimal("10000000000.00")}, "amount"),
        ({"description": "x" * 60}, "description"),
    ],
)
def test_bad_values_name_the_field(kwargs, field):
    with pytest.raises(PixError) as error:
        build_brcode(key=EVP, name="A", city="B", **kwargs)
    assert error.value.field == field


def test_txid_and_description_and_single_use():
    payload = build_brcode(
        key=EVP, name="A", city="B", txid="abcXYZ019", description="Fatura março", single_use=True
    )
    assert payload.startswith("000201010212")
    code = parse_brcode(payload)
    assert code.txid == "abcXYZ019"
    assert code.description == "Fatura marco"
    assert code.single_use is True
    assert "62070503***" in build_brcode(key=EVP, name="A", city="B", txid="")


@pytest.mark.parametrize(
    "payload",
    [
        BCB_EXAMPLE[:-1] + "E",  # CRC
        BCB_EXAMPLE.replace("Fulano", "Fulana"),  # content changed, CRC kept
        BCB_EXAMPLE[:-8],  # no CRC field
        "",
        "00020126580014br.gov.bcb.pix01",
    ],
)
def test_parse_refuses_bad_payloads(payload):
    with pytest.raises(PixError):
        parse_brcode(payload)


def test_parse_checks_structure():
    # A payload whose CRC is right but whose TLV is cut short, or lacks the PIX account.
    truncated = "000201265800" + "6304"
    with pytest.raises(PixError, match="cut short"):
        parse_brcode(truncated + pix.crc16(truncated))
    no_account = "0002015204000053039865802BR5901A6001B6304"
    with pytest.raises(PixError, match="GUI"):
        parse_brcode(no_account + pix.crc16(no_account))
    assert parse_brcode(BCB_EXAMPLE[:-4] + "1d3d").crc == "1D3D"  # hex case does not matter


def test_key_must_be_text():
    with pytest.raises(PixError) as error:
        pix.normalize_pix_key(52998224725)
    assert error.value.field == "key"


def test_parse_reads_a_dynamic_code():
    account = "0014br.gov.bcb.pix2530pix.example.com/qr/v2/abc12345"
    body = (
        "000201010212"
        + f"26{len(account):02d}{account}"
        + "520400005303986"
        + "5802BR5901A6001B62070503***6304"
    )
    code = parse_brcode(body + pix.crc16(body))
    assert code.key is None
    assert code.url == "pix.example.com/qr/v2/abc12345"
    assert code.single_use is True


def test_qr_images():
    png = pix.qr_png(BCB_EXAMPLE)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = pix.qr_svg(BCB_EXAMPLE)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")


# --- Properties -------------------------------------------------------------------------------

_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("áàâãéêíóôõúçÁÉÍÓÚÇ"),
    min_size=1,
    max_size=15,
).filter(lambda t: t.strip())
_keys = st.sampled_from(
    [EVP, "52998224725", "11222333000181", "pix@provedor.com.br", "+5511999998888"]
) | st.uuids().map(str)


@given(
    key=_keys,
    name=_text,
    city=_text,
    amount=st.one_of(st.none(), st.integers(1, 99_999_999_999).map(lambda c: Decimal(c).scaleb(-2))),
    txid=st.one_of(
        st.none(), st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789", min_size=1, max_size=25)
    ),
)
def test_every_payload_built_parses(key, name, city, amount, txid):
    payload = build_brcode(key=key, name=name, city=city, amount=amount, txid=txid)
    assert payload.isascii()
    assert pix.crc16(payload[:-4]) == payload[-4:]
    code = parse_brcode(payload)
    assert code.key == pix.normalize_pix_key(key).value
    assert code.name == pix.ascii_fold(name).strip()
    assert code.city == pix.ascii_fold(city).strip()
    assert code.amount == amount
    assert code.txid == txid
    assert len(code.name) <= 25 and len(code.city) <= 15
