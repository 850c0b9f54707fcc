"""Bank return files ("arquivos de retorno") CNAB 240 and CNAB 400: parsing and synthetic files;
remittance files ("arquivos de remessa"): ``build_remittance``.

Pure Python, no Django: the billing import service reads an upload with ``open_return`` (streaming:
the header, then one title at a time) and decides what to do with each ``ReturnRecord``;
``parse_return`` reads bytes already in memory whole. Layouts, banks, positions and occurrence
codes: docs/cnab.md.
"""

from .builder import SyntheticRecord, build_cnab240, build_cnab400, nosso_numero_for
from .common import BANK_NAMES, CnabError, ReturnFile, ReturnRecord
from .occurrences import describe, settles
from .parser import ReturnReader, open_return, parse_return
from .remittance import Movement, RemittanceError, RemittanceHeader, RemittanceTitle, build_remittance

__all__ = [
    "BANK_NAMES",
    "CnabError",
    "Movement",
    "RemittanceError",
    "RemittanceHeader",
    "RemittanceTitle",
    "ReturnFile",
    "ReturnReader",
    "ReturnRecord",
    "SyntheticRecord",
    "build_cnab240",
    "build_cnab400",
    "build_remittance",
    "describe",
    "nosso_numero_for",
    "open_return",
    "parse_return",
    "settles",
]
