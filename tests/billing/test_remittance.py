"""Remittance files (enlace.billing.cnab.remittance*): widths, counts, field positions, and the
outside check: every file is read back with CNAB implementations Enlace did not write.

- CNAB 240, all six banks: PyPI ``python3-cnab`` (module ``cnab240``), whose per-bank JSON specs
  (``cnab240/bancos/<bank>/specs``) read the header, lot header, segments P, Q, R and trailers.
- CNAB 400 Itaú and Bradesco: PyPI ``enhanced-cnab`` (module ``cnab``): its remittance record
  classes give the field order and widths that drive the reader below.
- CNAB 400 Banco do Brasil (CBR641): neither package has it; it is read at the manual's
  positions only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from enlace.billing.boleto import make_boleto
from enlace.billing.cnab import (
    Movement,
    RemittanceError,
    RemittanceHeader,
    RemittanceTitle,
    build_remittance,
    nosso_numero_for,
)
from enlace.billing.cnab.remittance import clean_text

COMPANY = {"company_name": "Provedor São João Ltda", "company_document": "11222333000181"}
CREATED = datetime(2025, 3, 10, 14, 30, 5)

WALLETS = {
    ("240", "001"): {
        "agency": "1234",
        "agency_dv": "5",
        "account": "12345678",
        "account_dv": "9",
        "convenio": "1234567",
        "carteira": "17",
        "variation": "019",
    },
    ("240", "104"): {
        "agency": "1234",
        "agency_dv": "0",
        "account": "0",
        "convenio": "123456",
        "carteira": "1",
    },
    ("240", "237"): {
        "agency": "1234",
        "agency_dv": "1",
        "account": "1234567",
        "account_dv": "0",
        "convenio": "4567",
        "carteira": "09",
    },
    ("240", "341"): {"agency": "1234", "account": "12345", "account_dv": "1", "carteira": "109"},
    ("240", "748"): {
        "agency": "0101",
        "account": "12345",
        "account_dv": "6",
        "convenio": "12345",
        "posto": "02",
        "carteira": "1",
    },
    ("240", "756"): {
        "agency": "3069",
        "account": "123456",
        "account_dv": "7",
        "convenio": "1234567",
        "carteira": "1",
        "modalidade": "01",
    },
    ("400", "341"): {"agency": "1234", "account": "12345", "account_dv": "1", "carteira": "109"},
    ("400", "237"): {
        "agency": "1234",
        "account": "1234567",
        "account_dv": "0",
        "convenio": "00000000000004567890",
        "carteira": "09",
    },
    ("400", "001"): {
        "agency": "1234",
        "agency_dv": "5",
        "account": "12345678",
        "account_dv": "9",
        "convenio": "1234567",
        "carteira": "17",
        "variation": "019",
    },
}
PAIRS = sorted(WALLETS)


def header(layout: str, bank: str, sequence: int = 7) -> RemittanceHeader:
    return RemittanceHeader(
        bank=bank, layout=layout, sequence=sequence, created_at=CREATED, **COMPANY, **WALLETS[(layout, bank)]
    )


def title(number: int = 42, **changes) -> RemittanceTitle:
    values = {
        "nosso_numero": number,
        "document_number": f"INV{number}",
        "due_date": date(2025, 4, 10),
        "amount": Decimal("99.90"),
        "issue_date": date(2025, 3, 10),
        "interest_rate": Decimal("1.00"),
        "fine_rate": Decimal("2.00"),
        "company_use": f"invoice-{number}",
        "payer_document": "123.456.789-09",
        "payer_name": "José da Conceição",
        "payer_address": "Rua das Flores, 100",
        "payer_neighbourhood": "Centro",
        "payer_cep": "01001-000",
        "payer_city": "São Paulo",
        "payer_uf": "SP",
    }
    values.update(changes)
    return RemittanceTitle(**values)


def boleto_number(layout: str, bank: str, number: int) -> tuple[str, str]:
    """The nosso número and DV the boleto of this wallet prints (enlace.billing.boleto)."""
    w = WALLETS[(layout, bank)]
    boleto = make_boleto(
        bank,
        agency=w["agency"],
        account=w["account"],
        nosso_numero=number,
        due_date=date(2025, 4, 10),
        amount=Decimal("99.90"),
        carteira=w["carteira"],
        convenio=w.get("convenio", ""),
        posto=w.get("posto", ""),
        issue_date=date(2025, 3, 10),
        account_digit=w.get("account_dv", ""),
    )
    return boleto.nosso_numero, boleto.nosso_numero_dv


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def lines_of(data: bytes) -> list[str]:
    text = data.decode("latin-1")
    assert text.endswith("\r\n")
    return text[:-2].split("\r\n")


# -- every layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("layout", "bank"), PAIRS)
def test_every_line_has_the_layout_width_and_the_counts_add_up(layout, bank):
    data = build_remittance(header(layout, bank), [title(1), title(2), title(3)])
    lines = lines_of(data)
    assert all(len(line) == int(layout) for line in lines)
    assert data.decode("latin-1").isascii()  # uppercase without accents: "JOSE DA CONCEICAO"
    assert "CONCEICAO" in data.decode("latin-1") and "JOSÉ" not in data.decode("latin-1")
    if layout == "240":
        assert len(lines) == 2 + 3 * 3 + 2
        assert lines[-2][17:23] == f"{3 * 3 + 2:06d}"  # records in the lot, its header and trailer included
        assert lines[-1][17:23] == "000001" and lines[-1][23:29] == f"{len(lines):06d}"
        assert [line[13] for line in lines[2:-2]] == ["P", "Q", "R"] * 3
        assert [int(line[8:13]) for line in lines[2:-2]] == list(range(1, 10))
    else:
        assert [int(line[394:400]) for line in lines] == list(range(1, len(lines) + 1))
        assert lines[0][:26] == "01REMESSA01COBRANCA       " and lines[-1][0] == "9"


@pytest.mark.parametrize(("layout", "bank"), PAIRS)
def test_a_title_line_does_not_depend_on_the_title_before_it(layout, bank):
    """Lines start from a prototype made from the first title of each shape
    (``remittance.Prototypes``): a title written after another with different values of its own
    gives the same lines as the title written first (only the record numbers move)."""
    first = title(
        1,
        due_date=date(2025, 5, 20),
        amount=Decimal("150.00"),
        issue_date=date(2025, 4, 1),
        discount=Decimal("5.00"),
        abatement=Decimal("1.00"),
        payer_document="11.222.333/0001-81",
        payer_name="Empresa Ltda",
        payer_address="Av. Brasil, 1",
        payer_neighbourhood="Bela Vista",
        payer_cep="20000-000",
        payer_city="Rio de Janeiro",
        payer_uf="RJ",
    )
    second = title(2)
    both = lines_of(build_remittance(header(layout, bank), [first, second]))
    alone = lines_of(build_remittance(header(layout, bank), [second]))
    size = (len(both) - len(alone)) or 1
    start = 2 if layout == "240" else 1
    theirs = alone[start : len(alone) - start]
    ours = both[start + size : start + size + len(theirs)]
    assert theirs
    for mine, reference in zip(ours, theirs, strict=True):
        if layout == "240":  # record number 9-13
            mine, reference = mine[:8] + mine[13:], reference[:8] + reference[13:]
        else:  # record sequence 395-400
            mine, reference = mine[:394], reference[:394]
        assert mine == reference


@pytest.mark.parametrize(("layout", "bank"), PAIRS)
def test_an_empty_remittance_has_only_headers_and_trailers(layout, bank):
    lines = lines_of(build_remittance(header(layout, bank), []))
    assert len(lines) == (4 if layout == "240" else 2)
    if layout == "240":
        assert lines[-1][23:29] == "000004"


# -- the outside check: CNAB 240 with python3-cnab ------------------------------------------------------

CNAB240_MODULES = {
    "001": "banco_brasil",
    "104": "cef",
    "237": "bradesco",
    "341": "itau",
    "748": "sicredi",
    "756": "sicoob",
}


def read240(bank: str, data: bytes) -> dict:
    """Every record of the file, read by python3-cnab's specs for ``bank``."""
    import importlib

    registros = importlib.import_module(f"cnab240.bancos.{CNAB240_MODULES[bank]}").registros
    lines = lines_of(data)
    records = {"details": []}
    for line in lines:
        kind = line[7]
        if kind == "0":
            records["file_header"] = registros.HeaderArquivo()
            records["file_header"].carregar(line)
        elif kind == "1":
            records["lot_header"] = registros.HeaderLoteCobranca()
            records["lot_header"].carregar(line)
        elif kind == "3":
            segment = getattr(registros, f"Segmento{line[13]}")()
            segment.carregar(line)
            records["details"].append((line[13], segment))
        elif kind == "5":
            records["lot_trailer"] = registros.TrailerLoteCobranca()
            records["lot_trailer"].carregar(line)
        elif kind == "9":
            records["file_trailer"] = registros.TrailerArquivo()
            records["file_trailer"].carregar(line)
    return records


def value_at(record, start: int):
    """The value python3-cnab read for the field of ``record`` that starts at ``start`` (1-based):
    its field names differ from bank to bank, its positions do not."""
    for campo in record._campos.values():
        if campo.inicio == start - 1:
            return campo.valor
    raise AssertionError(f"{type(record).__name__} has no field at {start}")


def _ddmmyyyy(value: int) -> date:
    text = f"{int(value):08d}"
    return date(int(text[4:]), int(text[2:4]), int(text[:2]))


@pytest.mark.parametrize("bank", sorted(CNAB240_MODULES))
def test_cnab240_read_by_python3_cnab(bank):
    titles = [
        title(42),
        title(
            43,
            amount=Decimal("150.00"),
            payer_document="11.222.333/0001-81",
            payer_name="Mercado Ávila Ltda",
            movement=Movement.DUE_DATE,
            due_date=date(2025, 5, 2),
        ),
    ]
    read = read240(bank, build_remittance(header("240", bank), titles))

    fh, lh = read["file_header"], read["lot_header"]
    assert value_at(fh, 1) == int(bank) and value_at(fh, 8) == 0
    assert value_at(fh, 19) == 11222333000181
    assert value_at(fh, 73) == "PROVEDOR SAO JOAO LTDA"
    assert value_at(fh, 158) == 7 and value_at(fh, 144) == 10032025
    assert value_at(lh, 19) == 11222333000181
    assert value_at(lh, 10) == 1 and value_at(lh, 9) == "R"
    assert value_at(read["lot_trailer"], 18) == 2 + 2 * 3
    assert value_at(read["file_trailer"], 18) == 1
    assert value_at(read["file_trailer"], 24) == 4 + 2 * 3

    details = read["details"]
    assert [kind for kind, _ in details] == ["P", "Q", "R"] * 2
    for (_, p), (_, q), (_, r), t in zip(details[0::3], details[1::3], details[2::3], titles, strict=True):
        assert p.servico_codigo_movimento == {Movement.ENTRY: 1, Movement.DUE_DATE: 6}[t.movement]
        assert _ddmmyyyy(p.vencimento_titulo) == t.due_date
        assert p.valor_titulo == t.amount
        assert _ddmmyyyy(p.data_emissao_titulo) == t.issue_date
        assert p.numero_documento == t.document_number
        assert q.sacado_inscricao_numero == int("".join(c for c in t.payer_document if c.isdigit()))
        assert value_at(q, 18) == (1 if len(digits(t.payer_document)) == 11 else 2)
        assert t.payer_name.upper().startswith(q.sacado_nome.split()[0][:3])
        assert q.sacado_cep == 1001 and q.sacado_cep_sufixo == 0 and q.sacado_uf == "SP"
        assert value_at(r, 66) in (2, "2")  # fine as a percentage
        assert _ddmmyyyy(value_at(r, 67)) == t.due_date + timedelta(days=1)
        assert value_at(r, 75) == Decimal("2.00")

        number, dv = boleto_number("240", bank, t.nosso_numero)
        if bank == "341":
            assert (p.carteira_numero, f"{p.nosso_numero:08d}", str(p.nosso_numero_dv)) == (109, number, dv)
        elif bank == "104":
            assert f"{p.carteira_numero:02d}{p.nosso_numero:015d}" == number  # "14" + 15 digits
        elif bank == "237":
            assert p.identificacao_titulo_banco == "009" + "00000" + number + dv
        elif bank == "756":
            assert p.nosso_numero.startswith("00" + number + dv)
        else:
            assert p.nosso_numero == number + dv

    assert details[4][1].sacado_nome == "MERCADO AVILA LTDA"


def test_cnab240_nosso_numero_agrees_with_the_return_parser():
    """What the remittance writes in P 38-57 is what a return's T 38-57 carries for that title
    (``nosso_numero_for`` writes the return field the way the parser reads it)."""
    bb = lines_of(build_remittance(header("240", "001"), [title(42)]))[2]
    assert bb[37:57].strip() == nosso_numero_for("240", "001", 42, convenio="1234567")
    sicoob = lines_of(build_remittance(header("240", "756"), [title(42)]))[2]
    assert sicoob[37:47] == nosso_numero_for("240", "756", 42, agency="3069", account="1234567")


def test_bb_240_entry_matches_the_manual_fields():
    lines = lines_of(build_remittance(header("240", "001"), [title(42)]))
    fh, lh, p, q, r = lines[:5]
    assert fh[32:52] == "001234567" + "0014" + "17" + "019" + "  "  # convênio, product, carteira, variation
    assert fh[52:58] == "012345" and fh[58:71] == "0000123456789"
    assert p[15:17] == "01" and p[37:57] == "12345670000000042   "
    assert p[77:85] == "10042025" and p[85:100] == "000000000009990"
    assert p[106:108] == "04" and p[108] == "N"  # duplicata de serviço, not accepted
    assert p[117] == "2" and p[118:126] == "11042025" and p[126:141] == "000000000000100"  # 1.00 %/month
    assert p[220] == "3" and p[195:220].rstrip() == "INVOICE-42"
    assert q[17] == "1" and q[18:33] == "000012345678909" and q[33:73].rstrip() == "JOSE DA CONCEICAO"
    assert q[73:113].rstrip() == "RUA DAS FLORES, 100" and q[128:136] == "01001000"
    assert q[136:151].rstrip() == "SAO PAULO" and q[151:153] == "SP"
    assert r[65] == "2" and r[66:74] == "11042025" and r[74:89] == "000000000000200"


# -- the outside check: CNAB 400 Itaú and Bradesco with enhanced-cnab ------------------------------------


def read400_enhanced(bank: str, line: str) -> dict[str, str]:
    """A detail read with the field order and widths of enhanced-cnab's remittance record class."""
    if bank == "341":
        from cnab.banks.itau.CNAB400.remessa.registro1 import ItauCnab400Registro1 as cls
    else:
        from cnab.banks.bradesco.CNAB400.remessa.registro1 import BradescoCnab400Registro1 as cls
    record = cls.__new__(cls)
    values, position = {}, 0
    for name, fld in record._meta.items():
        width = fld.get_real_length()
        values[name] = line[position : position + width]
        position += width
    assert position == 400
    return values


@pytest.mark.parametrize("bank", ["341", "237"])
def test_cnab400_read_by_enhanced_cnab(bank):
    titles = [
        title(42),
        title(
            43,
            movement=Movement.WRITE_OFF,
            payer_document="11222333000181",
            payer_name="Mercado Ávila Ltda",
            amount=Decimal("1234.56"),
        ),
    ]
    lines = lines_of(build_remittance(header("400", bank), titles))
    details = [line for line in lines if line[0] == "1"]
    assert len(details) == 2
    for line, t in zip(details, titles, strict=True):
        d = read400_enhanced(bank, line)
        number, dv = boleto_number("400", bank, t.nosso_numero)
        assert d["nosso_numero"] == number
        if bank == "237":
            assert d["nosso_numero_dv"] == dv
            assert d["carteira_banco"] == "009" and d["codigo_multa"] == "2" and d["taxa_multa"] == "0200"
        else:
            assert d["carteira_banco"] == "109" and d["cod_carteira"] == "I"
            assert d["data_mora"] == "110425"
        assert d["codigo_movimento"] == {Movement.ENTRY: "01", Movement.WRITE_OFF: "02"}[t.movement]
        assert d["data_vencimento"] == "100425" and d["data_emissao"] == "100325"
        assert Decimal(d["valor"]) / 100 == t.amount
        assert d["numero_inscricao"] == "".join(c for c in t.payer_document if c.isdigit()).zfill(14)
        assert d["tipo_inscricao"] == ("01" if len(digits(t.payer_document)) == 11 else "02")
        assert d["nome_pagador"].rstrip() == clean_text(t.payer_name)[: len(d["nome_pagador"])].rstrip()
        assert d["cep_pagador"] == "01001000"
        assert d["seu_numero"].rstrip() == t.company_use.upper()
        assert d["numero_documento"].rstrip() == t.document_number
        assert Decimal(d["vlr_juros"]) / 100 == (t.amount / 100 / 30).quantize(Decimal("0.01"))
    if bank == "341":  # the fine goes in a type 2 record after its detail
        fine = lines[2]
        assert (
            fine[0] == "2" and fine[1] == "2" and fine[2:10] == "11042025" and fine[10:23] == "0000000000200"
        )


# -- CNAB 400 Banco do Brasil (manual positions only) -------------------------------------------------


def test_bb_400_cbr641_fields():
    lines = lines_of(build_remittance(header("400", "001"), [title(42)]))
    h, d, fine, trailer = lines
    assert h[:26] == "01REMESSA01COBRANCA       "
    assert h[26:31] == "12345" and h[31:40] == "123456789" and h[76:94] == "001BANCODOBRASIL  "
    assert h[100:107] == "0000007" and h[129:136] == "1234567"
    number, _ = boleto_number("400", "001", 42)
    assert d[0] == "7" and d[31:38] == "1234567" and d[63:80] == number == "12345670000000042"
    assert d[91:94] == "019" and d[106:108] == "17" and d[108:110] == "01"
    assert d[120:126] == "100425" and d[126:139] == "0000000009990" and d[147:149] == "12"
    assert (
        d[218:220] == "01" and d[220:234] == "00012345678909" and d[234:271].rstrip() == "JOSE DA CONCEICAO"
    )
    assert d[326:334] == "01001000" and d[334:349].rstrip() == "SAO PAULO" and d[349:351] == "SP"
    assert fine[:10] == "5992110425" and fine[10:22] == "000000000200"
    assert trailer[0] == "9" and trailer[394:] == "000004"


# -- movements and refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("movement", "code"),
    [
        (Movement.ENTRY, "01"),
        (Movement.WRITE_OFF, "02"),
        (Movement.ABATEMENT, "04"),
        (Movement.DUE_DATE, "06"),
        (Movement.AMOUNT, "47"),
    ],
)
def test_cnab240_movement_codes(movement, code):
    lines = lines_of(
        build_remittance(header("240", "756"), [title(movement=movement, abatement=Decimal("10.00"))])
    )
    assert {line[15:17] for line in lines[2:5]} == {code}


def test_amount_change_in_cnab400():
    itau = lines_of(build_remittance(header("400", "341"), [title(movement=Movement.AMOUNT)]))
    assert itau[1][108:110] == "31"
    with pytest.raises(RemittanceError, match="no code for amount"):
        build_remittance(header("400", "001"), [title(movement=Movement.AMOUNT)])


def test_refusals():
    with pytest.raises(RemittanceError, match="no remittance layout for bank 748 CNAB 400"):
        build_remittance(
            header("240", "748").__class__(**{**_asdict(header("240", "748")), "layout": "400"}), []
        )
    with pytest.raises(RemittanceError, match="CEP"):
        build_remittance(header("240", "001"), [title(payer_cep="123")])
    with pytest.raises(RemittanceError, match="title 2: payer document"):
        build_remittance(header("240", "001"), [title(1), title(2, payer_document="123")])


def _asdict(value):
    return {name: getattr(value, name) for name in value.__dataclass_fields__}
