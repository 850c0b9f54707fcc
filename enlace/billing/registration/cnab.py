"""The CNAB adapter: registration through remittance files ("arquivos de remessa"), answered by
the bank's return file (occurrence 02 registered, 03 rejected: ``services.imports``)."""

from __future__ import annotations

from enlace.core.types import Actor

from . import RegistrationAdapter, RegistrationResult


class CnabFileAdapter(RegistrationAdapter):
    name = "cnab"

    def register(self, *, wallet, actor: Actor) -> RegistrationResult:
        from ..services.remittances import remittance_generate

        return remittance_generate(wallet=wallet, actor=actor)
