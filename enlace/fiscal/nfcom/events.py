"""The NFCom events, built with nfelib's bindings: the cancellation (``tpEvento`` 110111).

The event's Id is ``ID`` + event type + access key + sequence (3 digits); its ``detEvento`` holds
``evCancNFCom`` with the authorisation protocol and the reason (15 to 255 characters).
"""

from __future__ import annotations

import datetime

from nfelib.nfcom.bindings.v1_0.ev_canc_nfcom_v1_00 import EvCancNfcom
from nfelib.nfcom.bindings.v1_0.evento_nfcom_v1_00 import EventoNfcom

from .build import NS, to_xml

CANCEL = "110111"
VERSION = "1.00"


def cancellation(**values) -> str:
    """The unsigned ``eventoNFCom`` cancelling ``key`` as text (see ``cancellation_binding``)."""
    return to_xml(cancellation_binding(**values), NS)


def cancellation_binding(
    *,
    key: str,
    cnpj: str,
    environment: int,
    protocol: str,
    reason: str,
    when: datetime.datetime,
    sequence: int = 1,
) -> EventoNfcom:
    """The ``eventoNFCom`` binding cancelling ``key``; ``cOrgao`` is the key's state."""
    return EventoNfcom(
        versao=VERSION,
        infEvento=EventoNfcom.InfEvento(
            Id=f"ID{CANCEL}{key}{sequence:03d}",
            cOrgao=key[:2],
            tpAmb=str(environment),
            CNPJ=cnpj,
            chNFCom=key,
            dhEvento=when.isoformat(timespec="seconds"),
            tpEvento=CANCEL,
            nSeqEvento=str(sequence),
            detEvento=EventoNfcom.InfEvento.DetEvento(
                versaoEvento=VERSION,
                any_element=EvCancNfcom(descEvento="Cancelamento", nProt=protocol, xJust=reason),
            ),
        ),
    )
