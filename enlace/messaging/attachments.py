"""What an e-mail of the régua carries attached, rendered at send time.

The boleto PDF (``billing.pdf.boleto_pdf``) when the message's rule attaches it, and the DANFE-COM
of the invoice's authorised NFCom when there is one (``fiscal.danfe.render``; an NFCom issued after
the e-mail went out is not attached). Other files plug in with ``register(function)``:
``function(invoice) -> [(filename, bytes, mimetype), ...]``.
"""

from __future__ import annotations

from collections.abc import Callable

from enlace.billing.pdf import boleto_pdf

Provider = Callable[[object], list[tuple[str, bytes, str]]]
_PROVIDERS: list[Provider] = []


def fiscal_document(invoice) -> list[tuple[str, bytes, str]]:
    """The DANFE-COM of the invoice's authorised NFCom (fiscal sits below messaging)."""
    from enlace.fiscal import danfe
    from enlace.fiscal.models import DocumentStatus, FiscalDocument

    document = (
        FiscalDocument.objects.filter(invoice=invoice, status=DocumentStatus.AUTHORISED)
        .order_by("-pk")
        .first()
    )
    if document is None:
        return []
    return [
        (
            f"DANFE-COM-{document.key}.pdf",
            danfe.render(document, pix_payload=invoice.pix_payload),
            "application/pdf",
        )
    ]


def register(function: Provider) -> None:
    if function not in _PROVIDERS:
        _PROVIDERS.append(function)


def for_message(message) -> list[tuple[str, bytes, str]]:
    if not message.attach_boleto or message.invoice_id is None:
        return []
    invoice = message.invoice
    files = [(f"boleto-{invoice.pk}.pdf", boleto_pdf([invoice]), "application/pdf")]
    for function in _PROVIDERS:
        files.extend(function(invoice))
    return files


register(fiscal_document)
