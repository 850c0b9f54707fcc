"""Boleto core (enlace/billing/boleto/): published vectors, vectors computed by hand from each
bank's manual, the due-date factor restart of 2025-02-22, and properties.

Arithmetic notation in the comments: "Σ11" is the sum of digit × weight (2, 3, ..., 9, 2, ... from
the right) of the módulo 11; "Σ10" the sum of the digits of digit × weight (2, 1, 2, 1, ... from
the right) of the módulo 10.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from enlace.billing import boleto as b
from enlace.billing.boleto import BoletoError, make_boleto, parse_boleto
from enlace.billing.boleto.itau import _ITAU_SEU_NUMERO


def _boleto(bank_code, **kwargs):
    kwargs.setdefault("account", "1")
    return make_boleto(bank_code, **kwargs)


# --- Published vectors (/work/shared/fixtures/boleto-pix-vectors.md) --------------------------


def test_bb_manual_vector():
    # Banco do Brasil layout manual (Doc5175, annexes 7/10): factor 3737 = 2007-12-31, R$ 1.00,
    # campo livre 05009401448 (nosso número, convênio of 6) 1606 (agência) 06809350 (conta) 31.
    boleto = _boleto(
        "001",
        agency="1606",
        account="06809350",
        carteira="31",
        convenio="050094",
        nosso_numero="01448",
        due_date=date(2007, 12, 31),
        amount=Decimal("1.00"),
    )
    assert boleto.barcode == "00193373700000001000500940144816060680935031"
    assert boleto.digitable_line_formatted == "00190.50095 40144.816069 06809.350314 3 37370000000100"
    assert boleto.digitable_line == "00190500954014481606906809350314337370000000100"
    assert boleto.factor == 3737


def test_pyboleto_bb_vector():
    # pyboleto test suite (eduardocereto/pyboleto tests/test_banco_do_brasil.py): convênio
    # 7777777, carteira 18, nosso número 87654, due 2011-03-08, R$ 2,952.95.
    boleto = _boleto(
        "001",
        agency="9999",
        account="99999",
        carteira="18",
        convenio="7777777",
        nosso_numero="87654",
        due_date=date(2011, 3, 8),
        amount=Decimal("2952.95"),
    )
    assert boleto.barcode == "00196490000002952950000007777777000008765418"
    assert boleto.digitable_line_formatted == "00190.00009 07777.777009 00087.654182 6 49000000295295"
    assert boleto.nosso_numero == "77777770000087654"
    assert boleto.nosso_numero_display == "77777770000087654"  # 17 digits: no DV


def test_published_vectors_parse_back():
    for barcode, line in [
        (
            "00193373700000001000500940144816060680935031",
            "00190.50095 40144.816069 06809.350314 3 37370000000100",
        ),
        (
            "00196490000002952950000007777777000008765418",
            "00190.00009 07777.777009 00087.654182 6 49000000295295",
        ),
    ]:
        assert b.barcode_from_digitable_line(line) == barcode
        parsed = parse_boleto(line, reference=date(2010, 1, 1))
        assert parsed.barcode == barcode
        assert parse_boleto(barcode, reference=date(2010, 1, 1)).digitable_line == line.replace(
            ".", ""
        ).replace(" ", "")
    assert parse_boleto("00190.50095 40144.816069 06809.350314 3 37370000000100").amount == Decimal("1.00")
    assert parse_boleto(
        "00190.00009 07777.777009 00087.654182 6 49000000295295", reference=date(2011, 1, 1)
    ).due_date == date(2011, 3, 8)


# --- Due-date factor --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "factor"),
    [
        (date(1997, 10, 8), 1),
        (date(2000, 7, 3), 1000),
        (date(2025, 2, 21), 9999),
        (date(2025, 2, 22), 1000),  # the restart
        (date(2025, 2, 23), 1001),
        # Caixa SIGCB manual 67.119, annex II ("Tabela de correlação data x fator"):
        (date(2025, 2, 24), 1002),
        (date(2026, 12, 21), 1667),
        (date(2035, 7, 9), 4789),
        (date(2049, 10, 13), 9999),
        (date(2049, 10, 14), 1000),  # the next wrap, handled the same way
    ],
)
def test_due_date_factor(due, factor):
    assert b.due_date_factor(due) == factor
    assert b.due_date_from_factor(factor, reference=due) == due


def test_factor_inverse_picks_the_cycle_near_the_reference():
    assert b.due_date_from_factor(1000, reference=date(2001, 1, 1)) == date(2000, 7, 3)
    assert b.due_date_from_factor(1000, reference=date(2025, 1, 1)) == date(2025, 2, 22)
    assert b.due_date_from_factor(9999, reference=date(2025, 3, 1)) == date(2025, 2, 21)
    assert b.due_date_from_factor(1001, reference=date(2025, 2, 1)) == date(2025, 2, 23)
    assert b.due_date_from_factor(1000, reference=date(2049, 1, 1)) == date(2049, 10, 14)
    assert b.due_date_from_factor(0) is None


def test_factor_errors():
    with pytest.raises(BoletoError) as error:
        b.due_date_factor(date(1997, 10, 7))
    assert error.value.field == "due_date"
    for bad in (-1, 10000, "1000", True):
        with pytest.raises(BoletoError):
            b.due_date_from_factor(bad)


@pytest.mark.parametrize(
    ("due", "factor", "dv", "line"),
    [
        # Same BB data as test_bb_hand_vector below, only the due date changes. General DV from
        # Σ11 of 001 9 <factor> 0000014990 1234560004212340001234517:
        # 9999: Σ11 = 760, 760 mod 11 = 1, 11 - 1 = 10 -> 1;
        (date(2025, 2, 21), 9999, "1", "00191.23454 60004.212340 00012.345179 1 99990000014990"),
        # 1000: Σ11 = 534, 534 mod 11 = 6, 11 - 6 = 5;
        (date(2025, 2, 22), 1000, "5", "00191.23454 60004.212340 00012.345179 5 10000000014990"),
        # 1001: Σ11 = 539, 539 mod 11 = 0, 11 - 0 = 11 -> 1.
        (date(2025, 2, 23), 1001, "1", "00191.23454 60004.212340 00012.345179 1 10010000014990"),
    ],
)
def test_boleto_around_the_restart(due, factor, dv, line):
    boleto = _boleto(
        "001",
        agency="1234",
        account="12345",
        carteira="17",
        convenio="123456",
        nosso_numero=42,
        due_date=due,
        amount=Decimal("149.90"),
    )
    assert boleto.factor == factor
    assert boleto.barcode[4] == dv
    assert boleto.barcode[5:9] == f"{factor:04d}"
    assert boleto.digitable_line_formatted == line
    assert parse_boleto(line, reference=due).due_date == due


def test_no_due_date_is_factor_zero():
    boleto = _boleto(
        "237", agency="1234", account="12345", carteira="09", nosso_numero=1, due_date=None, amount=0
    )
    assert boleto.factor == 0
    assert boleto.barcode[5:19] == "00000000000000"
    assert parse_boleto(boleto.barcode).due_date is None


# --- Check digits -----------------------------------------------------------------------------


def test_mod11_substitutions():
    # Σ11 of "1" = 1×2 = 2; 11 - 2 = 9.
    assert b.mod11("1") == "9"
    # Σ11 of "5" = 10, remainder 10, 11 - 10 = 1.
    assert b.mod11("5") == "1"
    # "0": remainder 0, 11 - 0 = 11 -> if_11; "6": Σ11 = 12, remainder 1, 11 - 1 = 10 -> if_10.
    assert b.mod11("0") == "0"
    assert b.mod11("6") == "0"
    assert b.mod11("6", if_10="X") == "X"
    assert b.mod11("6", max_weight=7, if_10="P") == "P"
    assert b.barcode_dv("0" * 43) == "1"


@given(st.text(alphabet="0123456789", min_size=1, max_size=60))
def test_mod10_is_the_luhn_check_digit(digits):
    assert b.mod10(digits) == luhn.calc_check_digit(digits)


@given(st.text(alphabet="0123456789", min_size=1, max_size=80), st.integers(2, 12))
def test_mod11_remainder_is_the_weighted_sum(digits, max_weight):
    weights = [2 + i % (max_weight - 1) for i in range(len(digits))]
    expected = sum(int(d) * w for d, w in zip(reversed(digits), weights, strict=True)) % 11
    assert b.mod11_remainder(digits, max_weight) == expected


def test_published_check_digits():
    # brcobranca spec/brcobranca/boleto/bradesco_spec.rb, "Montar nosso_numero_boleto".
    assert b.bradesco_nosso_numero("06", "00000000525").display == "06/00000000525-P"
    assert b.bradesco_nosso_numero("09", "00000000001").display == "09/00000000001-1"
    assert b.bradesco_nosso_numero("19", "00000000002").display == "19/00000000002-8"
    assert b.bradesco_nosso_numero("19", 6).display == "19/00000000006-0"
    assert b.bradesco_nosso_numero("19", "00000000001").display == "19/00000000001-P"
    # brcobranca itau_spec.rb, "Montar nosso_numero_dv" (agência 0810, conta 53678, carteira 175).
    for sequence, dv in [
        ("00015448", "6"),
        ("15448", "6"),
        ("12345678", "4"),
        ("34230", "5"),
        ("258281", "7"),
    ]:
        assert b.itau_nosso_numero("0810", "53678", "175", sequence).dv == dv
    # brcobranca itau_spec.rb, "Montar agencia_conta_corrente_dv".
    for agency, account, dv in [
        ("0607", "15255", "0"),
        ("1547", "85547", "6"),
        ("1547", "10207", "7"),
        ("0811", "53678", "8"),
    ]:
        assert b.mod10(agency + account) == dv
    # brcobranca sicoob_spec.rb (commit 62649ae), "Montar nosso numero dv": cooperativa 4327,
    # código do cliente 229385, nosso número 1..13.
    dvs = [b.sicoob_nosso_numero("4327", "229385", n).dv for n in range(1, 14)]
    assert dvs == ["7", "4", "1", "9", "6", "3", "0", "8", "5", "3", "0", "8", "5"]
    # brcobranca banco_brasil_spec.rb, "Montar agencia_conta_boleto": 4042-8, 0719-6, 0548-7,
    # 00061900-0, 00001448-6 are BB's módulo 11 "9 to 2" DVs (the same arithmetic as the nosso
    # número DV).
    for number, dv in [("4042", "8"), ("0719", "6"), ("0548", "7"), ("00061900", "0"), ("00001448", "6")]:
        assert b.mod11(number, if_10="X") == dv
    # brcobranca caixa_spec.rb: "2030/654321-9", "1825/245274-0".
    assert b.mod11("654321") == "9"
    assert b.mod11("245274") == "0"


def test_bb_nosso_numero_dv_x():
    # 12340000002 (convênio 1234, sequence 2): Σ11 = 1×4 + 2×3 + 3×2 + 4×9 + 2×2 = 56;
    # 56 mod 11 = 1; 11 - 1 = 10 -> "X".
    assert b.bb_nosso_numero("1234", 2).display == "12340000002-X"


# --- Banco do Brasil (001) --------------------------------------------------------------------


def test_bb_hand_vector():
    # BB layout manual, convênio of 6 digits: nosso número = convênio(6) + sequence(5) + DV;
    # campo livre = nosso número(11) + agência(4) + conta(8) + carteira(2).
    # Convênio 123456, sequence 42, agência 1234, conta 12345, carteira 17, due 2025-03-10, R$ 149.90.
    # Nosso número 12345600042: Σ11 = 1×4 + 2×3 + 3×2 + 4×9 + 5×8 + 6×7 + 4×3 + 2×2 = 150;
    #   150 mod 11 = 7; 11 - 7 = 4 -> DV 4.
    # Campo livre: 12345600042 1234 00012345 17.
    # Factor: 2025-03-10 is 16 days after 2025-02-22 -> 1016.
    # General DV: Σ11 of 001 9 1016 0000014990 1234560004212340001234517 = 570; 570 mod 11 = 9;
    #   11 - 9 = 2.
    # Linha: 001912345 Σ10 = 26 -> DV 4; 6000421234 Σ10 = 30 -> 0; 0001234517 Σ10 = 21 -> 9.
    boleto = _boleto(
        "001",
        agency="1234",
        account="12345",
        carteira="17",
        convenio="123456",
        nosso_numero=42,
        due_date=date(2025, 3, 10),
        amount=Decimal("149.90"),
        agency_digit="3",
        account_digit="X",
    )
    assert boleto.campo_livre == "1234560004212340001234517"
    assert boleto.barcode == "00192101600000149901234560004212340001234517"
    assert boleto.digitable_line_formatted == "00191.23454 60004.212340 00012.345179 2 10160000014990"
    assert boleto.nosso_numero_display == "12345600042-4"
    assert boleto.beneficiary_code_display == "1234-3 / 00012345-X"
    assert boleto.bank_code_display == "001-9"


@pytest.mark.parametrize(
    ("convenio", "sequence", "due", "barcode", "line"),
    [
        # brcobranca spec/brcobranca/boleto/banco_brasil_spec.rb (agência 4042, conta 61900,
        # carteira 18, R$ 135.00), one case per convênio length.
        (
            "12387989",
            "777700168",
            date(2008, 2, 1),
            "00193376900000135000000001238798977770016818",
            "00190.00009 01238.798977 77700.168188 3 37690000013500",
        ),
        (
            "1238798",
            "7777700168",
            date(2008, 2, 3),
            "00193377100000135000000001238798777770016818",
            "00190.00009 01238.798779 77700.168188 3 37710000013500",
        ),
        (
            "123879",
            "1234",
            date(2008, 2, 1),
            "00192376900000135001238790123440420006190018",
            "00191.23876 90123.440423 00061.900189 2 37690000013500",
        ),
        (
            "1238",
            "123456",
            date(2008, 2, 1),
            "00191376900000135001238012345640420006190018",
            "00191.23801 12345.640424 00061.900189 1 37690000013500",
        ),
    ],
)
def test_bb_brcobranca_vectors(convenio, sequence, due, barcode, line):
    boleto = _boleto(
        "001",
        agency="4042",
        account="61900",
        carteira="18",
        convenio=convenio,
        nosso_numero=sequence,
        due_date=due,
        amount=Decimal("135.00"),
    )
    assert boleto.barcode == barcode
    assert boleto.digitable_line_formatted == line


# --- Itaú (341) -------------------------------------------------------------------------------


def test_itau_hand_vector():
    # Itaú boleto manual: campo livre = carteira(3) + nosso número(8) + DAC + agência(4) +
    # conta(5) + DAC(agência + conta) + 000. Carteira 109, agência 0057, conta 12345, nosso número
    # 42, due 2025-02-22 (factor 1000: the restart), R$ 99.90.
    # DAC of agência + conta + carteira + nosso número 0057 12345 109 00000042 (módulo 10):
    #   5×1 7×2=14(1+4) 1×1 2×2 3×1 4×2 5×1 1×2 9×2=18(1+8) 4×1 2×2 -> Σ10 = 50 -> DAC 0.
    # DAC of agência + conta 005712345: 5×2=10(1+0) 7×1 1×2 2×1 3×2 4×1 5×2=10(1+0) -> Σ10 = 23
    #   -> 10 - 3 = 7.
    # Campo livre: 109 00000042 0 0057 12345 7 000.
    # General DV: Σ11 of 341 9 1000 0000009990 1090000004200057123457000 = 554; 554 mod 11 = 4;
    #   11 - 4 = 7.
    # Linha: 341910900 Σ10 = 32 -> 8; 0000420005 Σ10 = 9 -> 1; 7123457000 Σ10 = 29 -> 1.
    boleto = _boleto(
        "341",
        agency="0057",
        account="12345",
        account_digit="7",
        carteira="109",
        nosso_numero=42,
        due_date=date(2025, 2, 22),
        amount=Decimal("99.90"),
    )
    assert boleto.campo_livre == "1090000004200057123457000"
    assert boleto.barcode == "34197100000000099901090000004200057123457000"
    assert boleto.digitable_line_formatted == "34191.09008 00004.200051 71234.570001 7 10000000009990"
    assert boleto.nosso_numero_display == "109/00000042-0"
    assert boleto.beneficiary_code_display == "0057 / 12345-7"


def test_itau_short_dac_carteiras():
    # Carteiras 112, 126, 131, 146, 150, 168: DAC of carteira + nosso número only.
    # 112 00000042: 1×2 1×1 2×2 4×1 2×2 -> Σ10 = 15 -> 10 - 5 = 5.
    assert b.itau_nosso_numero("0057", "12345", "112", 42).display == "112/00000042-5"
    assert b.itau_nosso_numero("9999", "99999", "112", 42).dv == "5"  # agência/conta do not count
    # brcobranca's carteira-168 case in itau_spec.rb ("1680025828120810536789000", DAC 2) passes
    # the carteira as an Integer, which its own exception list (strings) does not match, so it
    # used the long DAC; by the manual the DAC of 168 00258281 is Σ10 = 10 -> 0.
    assert b.itau_nosso_numero("0810", "53678", "168", "258281").dv == "0"


@pytest.mark.parametrize(
    ("kwargs", "barcode", "line"),
    [
        # brcobranca itau_spec.rb "Gerar boleto": a due date after the restart (2029-05-20 ->
        # factor 2548), computed by a brcobranca version that implements it.
        (
            {
                "agency": "1248",
                "account": "02124",
                "carteira": "109",
                "nosso_numero": "00010152",
                "due_date": date(2029, 5, 20),
                "amount": Decimal("6757.87"),
            },
            "34194254800006757871090001015271248021246000",
            "34191.09008 01015.271248 80212.460002 4 25480000675787",
        ),
        (
            {
                "agency": "0810",
                "account": "53678",
                "carteira": "175",
                "nosso_numero": "12345678",
                "due_date": date(2009, 8, 14),
                "amount": Decimal("0"),
            },
            "34191432900000000001751234567840810536789000",
            "34191.75124 34567.840813 05367.890000 1 43290000000000",
        ),
        (
            {
                "agency": "0810",
                "account": "53678",
                "carteira": "175",
                "nosso_numero": "258281",
                "due_date": date(2008, 2, 2),
                "amount": Decimal("135.00"),
            },
            "34191377000000135001750025828170810536789000",
            "34191.75009 25828.170818 05367.890000 1 37700000013500",
        ),
        # pyboleto tests/test_banco_itau.py.
        (
            {
                "agency": "0293",
                "account": "01328",
                "carteira": "109",
                "nosso_numero": "157",
                "due_date": date(2009, 10, 19),
                "amount": Decimal("29.80"),
            },
            "34199439500000029801090000015710293013280000",
            "34191.09008 00015.710296 30132.800001 9 43950000002980",
        ),
    ],
)
def test_itau_published_vectors(kwargs, barcode, line):
    boleto = make_boleto("341", **kwargs)
    assert boleto.barcode == barcode
    assert boleto.digitable_line_formatted == line


# --- Bradesco (237) ---------------------------------------------------------------------------


def test_bradesco_hand_vector():
    # Bradesco boleto manual: campo livre = agência(4) + carteira(2) + nosso número(11) + conta(7)
    # + 0; nosso número DV = módulo 11 with weights 2..7 over carteira + nosso número.
    # Agência 1234, conta 12345, carteira 09, nosso número 42, due 2025-02-23 (factor 1001),
    # R$ 120.00.
    # DV of 09 00000000042: 9×7 + 4×3 + 2×2 = 79; 79 mod 11 = 2; 11 - 2 = 9.
    # Campo livre: 1234 09 00000000042 0012345 0.
    # General DV: Σ11 of 237 9 1001 0000012000 1234090000000004200123450 = 342; 342 mod 11 = 1;
    #   11 - 1 = 10 -> 1 (0, 10 and 11 become 1).
    # Linha: 237912340 Σ10 = 35 -> 5; 9000000000 Σ10 = 9 -> 1; 4200123450 Σ10 = 29 -> 1.
    boleto = _boleto(
        "237",
        agency="1234",
        account="12345",
        carteira="09",
        nosso_numero=42,
        due_date=date(2025, 2, 23),
        amount=Decimal("120.00"),
        agency_digit="0",
        account_digit="P",
    )
    assert boleto.campo_livre == "1234090000000004200123450"
    assert boleto.barcode == "23791100100000120001234090000000004200123450"
    assert boleto.digitable_line_formatted == "23791.23405 90000.000001 42001.234501 1 10010000012000"
    assert boleto.nosso_numero_display == "09/00000000042-9"
    assert boleto.beneficiary_code_display == "1234-0 / 0012345-P"


@pytest.mark.parametrize(
    ("kwargs", "barcode", "line"),
    [
        # brcobranca spec/brcobranca/boleto/bradesco_spec.rb, carteiras 06 and 03.
        (
            {
                "agency": "1172",
                "account": "0403005",
                "carteira": "06",
                "nosso_numero": "75896452",
                "due_date": date(2009, 4, 30),
                "amount": Decimal("2952.95"),
            },
            "23795422300002952951172060007589645204030050",
            "23791.17209 60007.589645 52040.300502 5 42230000295295",
        ),
        (
            {
                "agency": "4042",
                "account": "61900",
                "carteira": "03",
                "nosso_numero": "777700168",
                "due_date": date(2008, 2, 2),
                "amount": Decimal("135.00"),
            },
            "23791377000000135004042030077770016800619000",
            "23794.04201 30077.770011 68006.190000 1 37700000013500",
        ),
        # pyboleto tests/test_banco_bradesco.py.
        (
            {
                "agency": "0278",
                "account": "0039232",
                "carteira": "06",
                "nosso_numero": "2125525",
                "due_date": date(2011, 2, 5),
                "amount": Decimal("8280.00"),
            },
            "23794486900008280000278060000212552500392320",
            "23790.27804 60000.212559 25003.923205 4 48690000828000",
        ),
    ],
)
def test_bradesco_published_vectors(kwargs, barcode, line):
    boleto = make_boleto("237", **kwargs)
    assert boleto.barcode == barcode
    assert boleto.digitable_line_formatted == line


# --- Caixa (104) ------------------------------------------------------------------------------


def test_caixa_hand_vector():
    # Caixa SIGCB manual 67.119 (item 4.2.10.1.1, annexes III, IV, VI). Código do beneficiário
    # 123456, carteira 1 (registrada), nosso número 42, due 2026-12-21 (factor 1667, as in the
    # manual's table), R$ 79.90.
    # Beneficiary DV: 1×7 + 2×6 + 3×5 + 4×4 + 5×3 + 6×2 = 77; 77 mod 11 = 0; 11 - 0 = 11 > 9 -> 0.
    # Nosso número 14 000000000000042 (1 registrada, 4 issued by the beneficiary):
    #   Σ11 = 1×2 + 4×9 + 4×3 + 2×2 = 54; 54 mod 11 = 10; 11 - 10 = 1 -> "14000000000000042-1".
    # Campo livre: 123456 0 | 000 (nosso número 3-5) | 1 | 000 (6-8) | 4 | 000000042 (9-17) | DV;
    #   DV: Σ11 of 123456000010004000000042 = 154; 154 mod 11 = 0; 11 > 9 -> 0.
    # General DV: Σ11 of 104 9 1667 0000007990 1234560000100040000000420 = 515; 515 mod 11 = 9;
    #   11 - 9 = 2.
    # Linha: 104912345 Σ10 = 34 -> 6; 6000010004 Σ10 = 16 -> 4; 0000000420 Σ10 = 10 -> 0.
    boleto = _boleto(
        "104",
        agency="1234",
        convenio="123456",
        carteira="RG",
        nosso_numero=42,
        due_date=date(2026, 12, 21),
        amount=Decimal("79.90"),
    )
    assert boleto.campo_livre == "1234560000100040000000420"
    assert boleto.barcode == "10492166700000079901234560000100040000000420"
    assert boleto.digitable_line_formatted == "10491.23456 60000.100044 00000.004200 2 16670000007990"
    assert boleto.nosso_numero_display == "14000000000000042-1"
    assert boleto.beneficiary_code_display == "1234 / 123456-0"


def test_caixa_brcobranca_vector():
    # brcobranca spec/brcobranca/boleto/caixa_spec.rb: convênio 245274, nosso número
    # 000000000000001 (its barcode uses today's date, so only the campo livre is published).
    boleto = _boleto(
        "104",
        agency="1825",
        convenio="245274",
        nosso_numero="000000000000001",
        due_date=date(2025, 5, 5),
        amount=Decimal("10.00"),
    )
    assert boleto.campo_livre == "2452740000100040000000017"
    assert boleto.nosso_numero_display == "14000000000000001-4"
    assert boleto.beneficiary_code_display == "1825 / 245274-0"


def test_caixa_seven_digit_beneficiary():
    # From 1100000 on the code has 7 digits and no DV (SIGCB manual, note 3).
    boleto = _boleto(
        "104", agency="1234", convenio="1100123", nosso_numero=42, due_date=None, amount=Decimal("1")
    )
    assert boleto.campo_livre.startswith("1100123000100040000000")
    assert boleto.beneficiary_code_display == "1234 / 1100123"
    with pytest.raises(BoletoError) as error:
        _boleto("104", agency="1", convenio="1050000", nosso_numero=1, due_date=None, amount=1)
    assert error.value.field == "convenio"


# --- Sicredi (748) ----------------------------------------------------------------------------


def test_sicredi_hand_vector():
    # Sicredi manual (cobrança, "Nosso número Sicredi" and "Código de barras"): cooperativa
    # 0710, posto 05, código do beneficiário 12345, issued 2025, byte 2, sequence 42, due
    # 2025-04-10 (factor 1047), R$ 89.90, tipo de cobrança 1 (com registro).
    # Nosso número DV over 0710 05 12345 25 2 00042:
    #   7×3 + 1×2 + 5×7 + 1×6 + 2×5 + 3×4 + 4×3 + 5×2 + 2×9 + 5×8 + 2×7 + 4×3 + 2×2 = 196;
    #   196 mod 11 = 9; 11 - 9 = 2 -> "25/200042-2".
    # Campo livre: 1 1 252000422 0710 05 12345 1 (amount given) 0 + DV;
    #   DV: Σ11 of 112520004220710051234510 = 304; 304 mod 11 = 7; 11 - 7 = 4.
    # General DV: Σ11 of 748 9 1047 0000008990 1125200042207100512345104 = 613; 613 mod 11 = 8;
    #   11 - 8 = 3.
    # Linha: 748911252 Σ10 = 41 -> 9; 0004220710 Σ10 = 20 -> 0; 0512345104 Σ10 = 32 -> 8.
    boleto = _boleto(
        "748",
        agency="0710.05",
        convenio="12345",
        nosso_numero=42,
        issue_date=date(2025, 3, 1),
        due_date=date(2025, 4, 10),
        amount=Decimal("89.90"),
    )
    assert boleto.campo_livre == "1125200042207100512345104"
    assert boleto.barcode == "74893104700000089901125200042207100512345104"
    assert boleto.digitable_line_formatted == "74891.12529 00042.207100 05123.451048 3 10470000008990"
    assert boleto.nosso_numero_display == "25/200042-2"
    assert boleto.beneficiary_code_display == "0710.05.12345"
    assert boleto.bank_code_display == "748-X"
    same = _boleto(
        "748",
        agency="0710",
        posto="05",
        convenio="12345",
        nosso_numero=42,
        issue_date=date(2025, 3, 1),
        due_date=date(2025, 4, 10),
        amount=Decimal("89.90"),
    )
    assert same.barcode == boleto.barcode


def test_sicredi_brcobranca_vector():
    # brcobranca spec/brcobranca/boleto/sicredi_spec.rb "Montar código de barras para carteira
    # número 03" (its conta_corrente 12345 is the código do beneficiário).
    boleto = _boleto(
        "748",
        agency="1234",
        posto="18",
        convenio="12345",
        carteira="03",
        nosso_numero="13871",
        issue_date=date(2012, 1, 19),
        due_date=date(2012, 1, 24),
        amount=Decimal("2952.95"),
    )
    assert boleto.campo_livre == "3112213871512341812345100"
    assert boleto.digitable_line_formatted == "74893.11220 13871.512342 18123.451009 1 52220000295295"
    assert boleto.nosso_numero_display == "12/213871-5"
    assert boleto.beneficiary_code_display == "1234.18.12345"


def test_sicredi_without_amount_marks_it():
    boleto = _boleto(
        "748",
        agency="0710.05",
        convenio="12345",
        nosso_numero=1,
        issue_date=date(2025, 1, 1),
        due_date=None,
        amount=0,
    )
    assert boleto.campo_livre[22:24] == "00"  # no amount, filler


# --- Sicoob (756) -----------------------------------------------------------------------------


def test_sicoob_hand_vector():
    # Sicoob layout ("Bancoob layouts para troca de informações", item 3.13 nosso número and the
    # code-bar sheet): campo livre = carteira(1) + cooperativa(4) + modalidade(2) + código do
    # beneficiário(7) + nosso número(7) + DV + parcela(3). Cooperativa 3069, beneficiário 123456,
    # nosso número 42, modalidade 01, parcela 001, due 2025-02-21 (factor 9999, the last before
    # the restart), R$ 59.90.
    # DV over 3069 0000123456 0000042 with weights 3 1 9 7 from the left:
    #   3×3 + 6×9 + 9×7 + 1×3 + 2×1 + 3×9 + 4×7 + 5×3 + 6×1 + 4×7 + 2×3 = 241; 241 mod 11 = 10;
    #   11 - 10 = 1.
    # Campo livre: 1 3069 01 0123456 0000042 1 001.
    # General DV: Σ11 of 756 9 9999 0000005990 1306901012345600000421001 = 789; 789 mod 11 = 8;
    #   11 - 8 = 3.
    # Linha: 756913069 Σ10 = 42 -> 8; 0101234560 Σ10 = 23 -> 7; 0000421001 Σ10 = 11 -> 9.
    boleto = _boleto(
        "756",
        agency="3069",
        convenio="123456",
        nosso_numero=42,
        due_date=date(2025, 2, 21),
        amount=Decimal("59.90"),
    )
    assert boleto.campo_livre == "1306901012345600000421001"
    assert boleto.barcode == "75693999900000059901306901012345600000421001"
    assert boleto.digitable_line_formatted == "75691.30698 01012.345607 00004.210019 3 99990000005990"
    assert boleto.nosso_numero_display == "0000042-1"
    assert boleto.beneficiary_code_display == "3069 / 0123456"


@pytest.mark.parametrize(
    ("kwargs", "campo_livre", "line"),
    [
        # brcobranca spec/brcobranca/boleto/sicoob_spec.rb (commit 62649ae), modalidades 01 and 05.
        (
            {
                "agency": "4327",
                "convenio": "229385",
                "nosso_numero": "2",
                "due_date": date(2016, 2, 18),
                "amount": Decimal("50.00"),
            },
            "1432701022938500000024001",
            "75691.43279 01022.938508 00000.240010 2 67080000005000",
        ),
        (
            {
                "agency": "4134",
                "convenio": "148180",
                "nosso_numero": "110",
                "modalidade": "05",
                "due_date": date(2017, 4, 15),
                "amount": Decimal("235.00"),
            },
            "1413405014818000001104001",
            "75691.41349 05014.818008 00011.040011 4 71300000023500",
        ),
    ],
)
def test_sicoob_brcobranca_vectors(kwargs, campo_livre, line):
    boleto = _boleto("756", **kwargs)
    assert boleto.campo_livre == campo_livre
    assert boleto.digitable_line_formatted == line


# --- Errors -----------------------------------------------------------------------------------

_VALID = {
    "agency": "1234",
    "account": "12345",
    "carteira": "17",
    "convenio": "1234567",
    "nosso_numero": 1,
    "due_date": date(2025, 6, 1),
    "amount": Decimal("10.00"),
}


@pytest.mark.parametrize(
    ("bank_code", "changes", "field"),
    [
        ("999", {}, "bank_code"),
        ("033", {}, "bank_code"),  # Santander: a Wallet bank with no layout here yet
        ("001", {"nosso_numero": "12345678901"}, "nosso_numero"),  # 11 digits after a convênio of 7
        ("001", {"convenio": "12345"}, "convenio"),
        ("001", {"carteira": ""}, "carteira"),
        ("001", {"agency": "12345"}, "agency"),
        ("001", {"agency": "12a4"}, "agency"),
        ("001", {"nosso_numero": -1}, "nosso_numero"),
        ("001", {"amount": Decimal("100000000.00")}, "amount"),
        ("001", {"amount": Decimal("10.005")}, "amount"),
        ("001", {"amount": 10.5}, "amount"),
        ("001", {"amount": Decimal("-1")}, "amount"),
        ("001", {"amount": "abc"}, "amount"),
        ("001", {"due_date": "2025-06-01"}, "due_date"),
        ("341", {"carteira": "198"}, "carteira"),
        ("341", {"carteira": "109", "account_digit": "9"}, "account_digit"),
        ("341", {"carteira": "109", "account": "123456"}, "account"),
        ("237", {"carteira": "09", "nosso_numero": "123456789012"}, "nosso_numero"),
        ("104", {"carteira": "9"}, "carteira"),
        ("104", {"carteira": "1", "amount": Decimal("10000000.00")}, "amount"),
        ("104", {"carteira": "1", "nosso_numero": "1" * 16}, "nosso_numero"),
        ("748", {"carteira": "1", "convenio": "12345", "posto": "05"}, "issue_date"),
        ("748", {"carteira": "1", "convenio": "12345", "issue_date": date(2025, 1, 1)}, "posto"),
        (
            "748",
            {
                "carteira": "1",
                "convenio": "12345",
                "posto": "05",
                "issue_date": date(2025, 1, 1),
                "sicredi_byte": "1",
            },
            "sicredi_byte",
        ),
        (
            "748",
            {"carteira": "2", "convenio": "12345", "posto": "05", "issue_date": date(2025, 1, 1)},
            "carteira",
        ),
        ("756", {"carteira": "1", "parcela": 0}, "parcela"),
        ("756", {"carteira": "1", "nosso_numero": "12345678"}, "nosso_numero"),
        ("756", {"carteira": "1", "convenio": "12345678"}, "convenio"),
    ],
)
def test_errors_name_the_input(bank_code, changes, field):
    with pytest.raises(BoletoError) as error:
        make_boleto(bank_code, **{**_VALID, **changes})
    assert error.value.field == field
    assert isinstance(error.value, ValueError)
    assert str(error.value).startswith(f"{field}: ")


def test_largest_amount_fits():
    boleto = make_boleto("001", **{**_VALID, "amount": Decimal("99999999.99")})
    assert boleto.barcode[9:19] == "9999999999"
    assert boleto.amount == Decimal("99999999.99")


@pytest.mark.parametrize(
    "text",
    [
        "00190.50095 40144.816069 06809.350315 3 37370000000100",  # field 3 DV
        "00190.50096 40144.816069 06809.350314 3 37370000000100",  # field 1 DV
        "00190.50095 40144.816069 06809.350314 4 37370000000100",  # general DV
        "00193373700000001000500940144816060680935032",  # barcode digit changed
        "0019337370000000100050094014481606068093503",  # 43 digits
        "00190.50095 40144.816069 06809.350314 3 3737000000010x",
    ],
)
def test_parse_refuses_bad_input(text):
    with pytest.raises(BoletoError):
        parse_boleto(text)


def test_parse_refuses_a_utility_slip():
    with pytest.raises(BoletoError, match="arrecadação"):
        parse_boleto("836200000005 667800481000 180975657313 001589636081")


# --- Properties -------------------------------------------------------------------------------


def _digits(min_size, max_size):
    return st.text(alphabet="0123456789", min_size=min_size, max_size=max_size)


_due_dates = st.one_of(st.none(), st.dates(min_value=date(1997, 10, 8), max_value=date(2060, 12, 31)))
_amounts = st.integers(min_value=0, max_value=b.CAIXA_MAX_AMOUNT_CENTS).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def boleto_inputs(draw):
    bank_code = draw(st.sampled_from(sorted(b.BANKS)))
    data = {
        "agency": draw(_digits(1, 4)),
        "account": draw(_digits(1, 5)),
        "due_date": draw(_due_dates),
        "amount": draw(_amounts),
    }
    if bank_code == "001":
        convenio = draw(st.sampled_from([4, 6, 7, 8]))
        data["convenio"] = draw(_digits(convenio, convenio))
        data["nosso_numero"] = draw(_digits(1, {4: 7, 6: 5, 7: 10, 8: 9}[convenio]))
        data["carteira"] = draw(_digits(2, 2))
    elif bank_code == "341":
        carteira = draw(_digits(3, 3).filter(lambda c: c not in _ITAU_SEU_NUMERO))
        data.update(carteira=carteira, nosso_numero=draw(_digits(1, 8)))
    elif bank_code == "237":
        data.update(carteira=draw(_digits(2, 2)), nosso_numero=draw(_digits(1, 11)))
    elif bank_code == "104":
        code = draw(st.one_of(st.integers(1, 999_999), st.integers(1_100_000, 9_999_999)))
        data.update(
            carteira=draw(st.sampled_from(["1", "2", "RG", "SR", ""])),
            convenio=str(code),
            nosso_numero=draw(_digits(1, 15)),
        )
    elif bank_code == "748":
        data.update(
            carteira=draw(st.sampled_from(["1", "3"])),
            posto=draw(_digits(2, 2)),
            convenio=draw(_digits(1, 5)),
            issue_date=draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 1, 1))),
            sicredi_byte=draw(st.sampled_from("23456789")),
            nosso_numero=draw(_digits(1, 5)),
        )
    else:
        data.update(
            carteira=draw(st.sampled_from(["1", "3"])),
            convenio=draw(_digits(1, 7)),
            modalidade=draw(_digits(2, 2)),
            parcela=draw(st.integers(1, 999)),
            nosso_numero=draw(_digits(1, 7)),
        )
    return bank_code, data


@given(boleto_inputs())
def test_every_boleto_made_validates(case):
    bank_code, data = case
    boleto = make_boleto(bank_code, **data)
    assert len(boleto.barcode) == 44 and boleto.barcode.isdigit()
    assert len(boleto.digitable_line) == 47
    assert len(boleto.campo_livre) == 25
    reference = data["due_date"] or date(2025, 1, 1)
    for text in (boleto.barcode, boleto.digitable_line, boleto.digitable_line_formatted):
        parsed = parse_boleto(text, reference=reference)
        assert parsed.barcode == boleto.barcode
        assert parsed.digitable_line == boleto.digitable_line
        assert parsed.bank_code == bank_code
        assert parsed.amount == boleto.amount == data["amount"]
        assert parsed.factor == boleto.factor
        assert parsed.due_date == data["due_date"]
        assert parsed.campo_livre == boleto.campo_livre
    assert b.barcode_from_digitable_line(boleto.digitable_line_formatted) == boleto.barcode
    assert boleto.digitable_line_formatted.replace(".", "").replace(" ", "") == boleto.digitable_line


@given(
    st.text(alphabet="0123456789", min_size=25, max_size=25),
    st.integers(0, 9999),
    st.integers(0, b.MAX_AMOUNT_CENTS),
    st.sampled_from(["001", "104", "237", "341", "748", "756"]),
)
def test_barcode_and_digitable_line_agree(campo_livre, factor, cents, bank_code):
    barcode = b.build_barcode(bank_code, factor, cents, campo_livre)
    line = b.digitable_line(barcode)
    assert b.barcode_from_digitable_line(line) == barcode
    assert line[0:4] == barcode[0:4]  # bank + currency
    assert line[32] == barcode[4]  # general DV
    assert line[33:47] == barcode[5:19]  # factor + amount
    assert line[4:9] + line[10:20] + line[21:31] == campo_livre


@given(
    st.text(alphabet="0123456789", min_size=25, max_size=25),
    st.integers(1000, 9999),
    st.integers(0, b.MAX_AMOUNT_CENTS),
    st.integers(0, 31),
    st.integers(1, 9),
)
def test_a_mistyped_digit_in_the_first_fields_is_caught(campo_livre, factor, cents, position, delta):
    line = b.digitable_line(b.build_barcode("341", factor, cents, campo_livre))
    wrong = line[:position] + str((int(line[position]) + delta) % 10) + line[position + 1 :]
    with pytest.raises(BoletoError):
        b.barcode_from_digitable_line(wrong)


@given(st.dates(min_value=date(1997, 10, 8), max_value=date(2049, 12, 31)), st.integers(-4499, 4499))
def test_factor_round_trips(due, offset):
    factor = b.due_date_factor(due)
    assert 1 <= factor <= 9999
    assert due < date(2000, 7, 3) or factor >= 1000
    reference = due + timedelta(days=offset)
    assert b.due_date_from_factor(factor, reference=reference) == due


@given(st.dates(min_value=date(2025, 2, 22), max_value=date(2100, 1, 1)))
def test_factor_is_periodic_after_the_restart(due):
    assert b.due_date_factor(due) == b.due_date_factor(due + timedelta(days=9000))
    assert b.due_date_factor(due) - 1000 == (due - date(2025, 2, 22)).days % 9000
