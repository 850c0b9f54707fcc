"""The tree serialisation (xsdata's events into lxml) gives exactly xsdata's own text, for the
shapes the NFCom takes (several items, Simples Nacional, no IBS/CBS, contingency, a company
recipient, notes) and for the cancellation event (a wildcard, through xsdata's generator)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from enlace.fiscal.nfcom import build, events, keys, xmlio

CNPJ = "11222333000181"
ADDRESS = build.Address(
    street="Av. Paulista",
    number="1000",
    district="Bela Vista",
    city_code="3550308",
    city_name="São Paulo",
    cep="01310100",
    uf="SP",
)


def document(**changes) -> build.Document:
    taxes = build.Taxes(
        icms_rate=Decimal("18"), pis_rate=Decimal("0.65"), cofins_rate=Decimal("3"), ibs_cbs=True
    )
    values = {
        "uf_code": 35,
        "environment": 2,
        "series": 1,
        "number": 42,
        "code": keys.random_code(CNPJ, 1, 42),
        "issued_at": datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo")),
        "city_code": "3550308",
        "emitter_cnpj": CNPJ,
        "emitter_ie": "123456789012",
        "emitter_crt": "3",
        "emitter_name": "Enlace Telecom Ltda",
        "emitter_address": ADDRESS,
        "recipient_name": "Maria Souza",
        "recipient_document": "52998224725",
        "recipient_ie_indicator": "9",
        "recipient_address": ADDRESS,
        "subscriber_code": "7",
        "subscriber_type": "3",
        "service_type": "4",
        "items": [
            build.Item(
                code="P1",
                description="Mensalidade Fibra 500 01/12/2026-31/12/2026",
                cclass="0100401",
                cfop="5307",
                unit_value=Decimal("100"),
                discount=Decimal("10"),
                taxes=taxes,
            )
        ],
        "competence": "202612",
        "due_date": datetime.date(2026, 12, 10),
        "barcode_line": "75691306901001234560000012345678912340000009990",
    }
    values.update(changes)
    return build.Document(**values)


SIMPLES = build.Taxes(simples=True)
SHAPES = {
    "monthly fee": {},
    "several items, Simples": {
        "emitter_crt": "1",
        "items": [
            build.Item(
                code=str(n),
                description=f"Item {n}",
                cclass="0100401",
                cfop="5307",
                unit_value=Decimal(n),
                taxes=SIMPLES,
            )
            for n in (1, 2, 3)
        ],
    },
    "company recipient, notes, no gFat": {
        "recipient_document": "11444777000161",
        "recipient_ie_indicator": "1",
        "recipient_ie": "123456789",
        "competence": "",
        "notes": "Observação — com travessão",
    },
    "contingency": {
        "emission_type": 2,
        "contingency_at": datetime.datetime(2026, 12, 7, 10, 5, tzinfo=ZoneInfo("America/Sao_Paulo")),
        "contingency_reason": "Autorizador fora do ar",
    },
}


@pytest.mark.parametrize("shape", SHAPES)
def test_tree_is_xsdatas_text(shape):
    doc = document(**SHAPES[shape])
    nfcom = build.binding(doc)
    nfcom.infNFComSupl.qrCodNFCom = build.qr_text(doc.key, 2)
    tree = xmlio.to_tree(nfcom)
    assert etree.tostring(tree, encoding="unicode") == xmlio.to_xml(nfcom)
    assert xmlio.validate(tree, signed=False) == []


def test_event_with_a_wildcard_is_xsdatas_text():
    when = datetime.datetime(2026, 12, 7, 11, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    event = events.cancellation_binding(
        key=document().key,
        cnpj=CNPJ,
        environment=2,
        protocol="335260000000001",
        reason="Cliente desistiu do serviço",
        when=when,
    )
    text = xmlio.to_xml(event)
    assert etree.tostring(xmlio.to_tree(event), encoding="unicode") == text
    assert xmlio.validate(text, signed=False, schema_name="eventoNFCom_v1.00.xsd") == []
    assert "<evCancNFCom>" in text and "<descEvento>Cancelamento</descEvento>" in text
