"""Bank registration of boletos (issue 16): how an invoice's title reaches the bank.

Since FEBRABAN's "Nova Plataforma da Cobrança" a boleto is payable only once the bank has it
registered. The rest of billing talks to one interface, :class:`RegistrationAdapter`:

- ``register(wallet=..., actor=...)`` sends every movement of the wallet not sent yet (new
  titles, write-offs, due-date changes) and returns a :class:`RegistrationResult`;
- :func:`adapter_for` picks the wallet's adapter. Today every wallet uses
  :class:`~enlace.billing.registration.cnab.CnabFileAdapter` (a remittance file, answered by
  the bank's return file, read by ``services.imports``). A bank web-API adapter (e.g. a bank's
  "API de cobrança") is a new class with the same ``register`` that sets each invoice's
  ``registration_status`` from the bank's answer, added to ``ADAPTERS`` and chosen in
  :func:`adapter_for`: nothing else changes (docs/billing.md, "Bank registration").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from enlace.core.types import Actor


@dataclass
class RegistrationResult:
    """What one ``register`` call sent: ``sent`` movements; ``remittance`` the file made (the
    CNAB adapter; ``None`` when there was nothing new); ``skipped`` invoice id → why it could
    not be sent (a payer without CEP …)."""

    sent: int = 0
    remittance: Any = None
    skipped: dict[int, str] = field(default_factory=dict)


class RegistrationAdapter(ABC):
    """How the titles of a wallet reach its bank."""

    name: str = ""

    @abstractmethod
    def register(self, *, wallet, actor: Actor) -> RegistrationResult:
        """Send every pending movement of ``wallet`` to the bank, each once."""


def adapter_for(wallet) -> RegistrationAdapter:
    """The adapter that registers ``wallet``'s titles (today: always the CNAB remittance file)."""
    from .cnab import CnabFileAdapter

    return CnabFileAdapter()
