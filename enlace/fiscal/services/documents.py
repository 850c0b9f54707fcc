"""The NFCom of an invoice: issue (build, validate, sign), transmit, cancel.

Rules (docs/fiscal.md):

- one NFCom per invoice (a cancelled one may be followed by another); issuing again returns the
  document that exists;
- the number comes from the branch's settings row, locked until the document is written; the XML
  is validated against the XSD before it is signed, and a failure rolls the whole issue back, so no
  number is lost (numbers have no gaps) and nothing is sent; the message names the field;
- an authorised document never changes again, except to be cancelled; a rejected one keeps its
  number and is sent again (after the data are corrected, it is rebuilt with the same number);
- transmission is idempotent: a document sent before is first queried by its key, and an answer
  "duplicate" (204) is resolved by the query too;
- when the authoriser does not answer, a draft is re-issued in offline contingency (tpEmis 2, the
  key changes with it, the QR text carries ``sign``) and transmitted when the authoriser is back
  (``documents_transmit_pending``, a periodic task);
- cancellation (event 110111) only for an authorised document, within the settings' deadline
  (120 hours by default), with a reason of 15 to 255 characters.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.billing.models import Invoice
from enlace.core.exceptions import ApplicationError
from enlace.core.types import Actor

from ..models import DocumentStatus, FiscalDocument, FiscalSettings
from ..nfcom import build, events, keys, sefaz, signing
from ..nfcom.certificates import Certificate
from . import items
from .settings import certificate_of

log = logging.getLogger(__name__)
ZONE = datetime.timezone(datetime.timedelta(hours=-3))  # dhEmi in Brasília time (UTC−3)
AUTHORISED = {"100", "150"}  # 150: authorised out of time
EVENT_OK = {"135", "136"}


def _digits(value: str) -> str:
    return "".join(ch for ch in value or "" if ch.isalnum())


def _address(owner) -> build.Address:
    city = owner.city
    return build.Address(
        street=owner.street or "",
        number=owner.number or "S/N",
        complement=owner.complement or "",
        district=owner.neighborhood or "",
        city_code=str(city.code) if city else "",
        city_name=city.name if city else "",
        cep=_digits(owner.cep),
        uf=city.state.abbr if city else "",
    )


def document_data(
    invoice: Invoice,
    fiscal: FiscalSettings,
    *,
    number: int,
    issued_at: datetime.datetime,
    emission_type: int = 1,
    contingency_reason: str = "",
) -> build.Document:
    """What the NFCom of ``invoice`` says (docs/fiscal.md, "What the NFCom says")."""
    customer, contract, branch = invoice.customer, invoice.contract, invoice.branch
    plan = contract.plan if contract else None
    profile = items.plan_profile(plan)
    recipient_address = _address(contract if contract and contract.own_address else customer)
    first, last = items.usage_period(invoice)
    document = _digits(customer.cpf_cnpj)
    contributor = bool(getattr(customer, "icms_contributor", False) and customer.rg_ie)
    competence = (invoice.period or f"{invoice.issue_date:%Y-%m}").replace("-", "")
    return build.Document(
        uf_code=fiscal.city.state.code,
        environment=int(fiscal.environment),
        series=fiscal.series,
        number=number,
        code=keys.random_code(fiscal.cnpj, fiscal.series, number),
        issued_at=issued_at.astimezone(ZONE),
        city_code=str(fiscal.city.code),
        emitter_cnpj=fiscal.cnpj,
        emitter_ie=_digits(fiscal.ie) or "ISENTO",
        emitter_crt=fiscal.crt,
        emitter_name=branch.legal_name,
        emitter_trade_name=branch.name,
        emitter_address=_address(branch),
        recipient_name=customer.name,
        recipient_document=document,
        recipient_ie_indicator="1" if contributor else "9",
        recipient_ie=_digits(customer.rg_ie) if contributor else "",
        recipient_address=recipient_address,
        subscriber_code=str(contract.pk if contract else customer.pk),
        subscriber_type="1" if customer.person_type == "J" else "3",
        service_type=profile.service_type if profile else "4",
        contract_number=str(contract.pk) if contract else "",
        contract_start=contract.activation_date or contract.contract_date if contract else None,
        items=items.invoice_items(invoice, fiscal, recipient_uf=recipient_address.uf),
        competence=competence,
        due_date=invoice.due_date,
        usage_start=first,
        usage_end=last,
        barcode_line=_digits(invoice.digitable_line or invoice.barcode),
        emission_type=emission_type,
        contingency_at=issued_at.astimezone(ZONE) if emission_type == 2 else None,
        contingency_reason=contingency_reason,
    )


class SchemaInvalid(ApplicationError):
    code = "schema"


def build_signed(data: build.Document, certificate: Certificate) -> tuple[bytes, str, str]:
    """(signed XML, key, QR text); ``SchemaInvalid`` naming the fields when the XSD refuses it."""
    sign = certificate.sign_sha1_b64(data.key.encode()) if data.emission_type == 2 else None
    tree, key = build.build_tree(data, qr_sign=sign)
    errors = build.validate(tree, signed=False)
    if errors:
        raise SchemaInvalid(
            _("The NFCom does not validate against the schema, nothing was sent: %(errors)s")
            % {"errors": "; ".join(str(e) for e in errors[:5])},
            field=errors[0].field,
        )
    return signing.sign(tree, certificate), key, build.qr_text(key, data.environment, sign)


def _settings_for(branch_id: int, *, lock: bool) -> FiscalSettings:
    qs = FiscalSettings.objects.select_related("branch", "city__state")
    if lock:
        qs = qs.select_for_update(of=("self",))
    fiscal = qs.filter(branch_id=branch_id).first()
    if fiscal is None:
        raise ApplicationError(_("The invoice's branch has no fiscal settings."), code="no_settings")
    return fiscal


def document_issue(*, invoice: Invoice, actor: Actor) -> FiscalDocument:
    """Build, validate and sign the NFCom of ``invoice`` (a draft, not sent yet)."""
    with transaction.atomic():
        existing = (
            FiscalDocument.objects.exclude(status=DocumentStatus.CANCELLED).filter(invoice=invoice).first()
        )
        if existing:
            return existing
        if invoice.status == "C":
            raise ApplicationError(_("A cancelled invoice has no NFCom."), code="cancelled")
        fiscal = _settings_for(invoice.branch_id, lock=True)
        certificate = certificate_of(fiscal)
        number = fiscal.next_number
        now = timezone.now()
        data = document_data(invoice, fiscal, number=number, issued_at=now)
        xml, key, qr = build_signed(data, certificate)
        document = FiscalDocument(
            branch_id=invoice.branch_id,
            invoice=invoice,
            cnpj=fiscal.cnpj,
            series=fiscal.series,
            number=number,
            environment=fiscal.environment,
            key=key,
            emission_type=1,
            amount=data.total,
            issued_at=now,
            qr_text=qr,
            xml=xml,
        )
        document.save()
        FiscalSettings.objects.filter(pk=fiscal.pk).update(next_number=number + 1)
        return document


def _client(fiscal: FiscalSettings, certificate: Certificate) -> sefaz.Client:
    return sefaz.Client(
        base_url=fiscal.sefaz_url
        or sefaz.endpoint(
            fiscal.city.state.abbr, int(fiscal.environment), django_settings.ENLACE_FISCAL_ENDPOINTS
        ),
        uf_code=fiscal.city.state.code,
        certificate=certificate,
        cafile=django_settings.ENLACE_FISCAL_CA_FILE or None,
        timeout=django_settings.ENLACE_FISCAL_TIMEOUT,
    )


def _authorised(document: FiscalDocument, answer: sefaz.Answer) -> FiscalDocument:
    document.status = DocumentStatus.AUTHORISED
    document.protocol = answer.protocol
    document.status_code, document.status_reason = answer.status, answer.reason[:255]
    document.proc_xml = sefaz.proc(bytes(document.xml), answer.prot)
    document.authorised_at = timezone.now()
    return document


def _contingency(document: FiscalDocument, fiscal: FiscalSettings, certificate: Certificate, reason: str):
    """Re-issue a draft in offline contingency: same number, tpEmis 2, a new key and QR text."""
    data = document_data(
        document.invoice,
        fiscal,
        number=document.number,
        issued_at=timezone.now(),
        emission_type=2,
        contingency_reason=_("Authoriser unavailable: %(reason)s") % {"reason": reason[:200]},
    )
    data.contingency_reason = data.contingency_reason[:256].ljust(15, ".")
    xml, key, qr = build_signed(data, certificate)
    document.xml, document.key, document.qr_text = xml, key, qr
    document.emission_type, document.status = 2, DocumentStatus.CONTINGENCY
    document.issued_at = timezone.now()


def _rebuild(document: FiscalDocument, fiscal: FiscalSettings, certificate: Certificate) -> FiscalDocument:
    """A rejected document is built again from the corrected data, with the same number."""
    with transaction.atomic():
        document = FiscalDocument.objects.select_for_update().get(pk=document.pk)
        now = timezone.now()
        data = document_data(document.invoice, fiscal, number=document.number, issued_at=now)
        document.xml, document.key, document.qr_text = build_signed(data, certificate)
        document.amount, document.issued_at, document.emission_type = data.total, now, 1
        document.save()
    return document


def document_transmit(*, document: FiscalDocument, actor: Actor) -> FiscalDocument:
    """Send ``document`` to the authoriser and record the answer (see the module's rules)."""
    if document.status in (DocumentStatus.AUTHORISED, DocumentStatus.CANCELLED):
        return document
    fiscal = _settings_for(document.branch_id, lock=False)
    certificate = certificate_of(fiscal)
    if document.status == DocumentStatus.REJECTED:
        document = _rebuild(document, fiscal, certificate)
    client = _client(fiscal, certificate)
    try:
        answer = None
        if document.attempts:  # sent before: the authoriser may hold it already
            found = client.query(document.key, int(document.environment))
            if found.prot is not None and sefaz._text(found.prot, "cStat") in AUTHORISED:
                answer = sefaz.Answer(
                    status=sefaz._text(found.prot, "cStat"),
                    reason=sefaz._text(found.prot, "xMotivo"),
                    protocol=found.protocol,
                    element=found.element,
                    prot=found.prot,
                )
        if answer is None:
            answer = client.authorise(bytes(document.xml))
            if answer.status == "204":  # duplicate: the authoriser has it; take its protocol
                found = client.query(document.key, int(document.environment))
                if found.prot is not None:
                    answer = sefaz.Answer(
                        status="100",
                        reason=sefaz._text(found.prot, "xMotivo"),
                        protocol=found.protocol,
                        element=found.element,
                        prot=found.prot,
                    )
    except sefaz.Unavailable as exc:
        with transaction.atomic():
            document = FiscalDocument.objects.select_for_update().get(pk=document.pk)
            document.attempts += 1
            document.status_reason = _("Authoriser unavailable: %(reason)s") % {"reason": str(exc)[:200]}
            if document.status == DocumentStatus.DRAFT and document.emission_type == 1:
                _contingency(document, fiscal, certificate, str(exc))
            document.save()
        return document
    except sefaz.ProtocolError as exc:
        raise ApplicationError(
            _("The authoriser answered an unexpected message: %(error)s") % {"error": exc}
        ) from exc
    with transaction.atomic():
        document = FiscalDocument.objects.select_for_update().get(pk=document.pk)
        if document.status == DocumentStatus.AUTHORISED:
            return document
        document.attempts += 1
        if answer.status in AUTHORISED and answer.prot is not None:
            _authorised(document, answer)
        else:
            document.status = DocumentStatus.REJECTED
            document.status_code, document.status_reason = answer.status, answer.reason[:255]
        document.save()
    return document


def document_cancel(*, document: FiscalDocument, reason: str, actor: Actor) -> FiscalDocument:
    """Cancel an authorised NFCom with the event 110111, authorised by the authoriser."""
    reason = " ".join((reason or "").split())
    if document.status != DocumentStatus.AUTHORISED:
        raise ApplicationError(_("Only an authorised NFCom can be cancelled."), code="not_authorised")
    if not 15 <= len(reason) <= 255:
        raise ApplicationError(_("Give a reason of 15 to 255 characters."), field="reason", code="reason")
    fiscal = _settings_for(document.branch_id, lock=False)
    deadline = (document.authorised_at or document.issued_at) + datetime.timedelta(hours=fiscal.cancel_hours)
    if timezone.now() > deadline:
        raise ApplicationError(
            _("The cancellation deadline (%(hours)s hours after authorisation) has passed.")
            % {"hours": fiscal.cancel_hours},
            code="deadline",
        )
    certificate = certificate_of(fiscal)
    event = events.cancellation(
        key=document.key,
        cnpj=document.cnpj,
        environment=int(document.environment),
        protocol=document.protocol,
        reason=reason,
        when=timezone.now().astimezone(ZONE),
    )
    errors = build.validate(event, signed=False, schema_name="eventoNFCom_v1.00.xsd")
    if errors:
        raise SchemaInvalid("; ".join(str(e) for e in errors[:5]), field=errors[0].field)
    signed = signing.sign(event, certificate, element="infEvento")
    try:
        answer = _client(fiscal, certificate).event(signed)
    except sefaz.Unavailable as exc:
        raise ApplicationError(
            _("The authoriser did not answer; try again later (%(error)s).") % {"error": exc},
            code="unavailable",
        ) from exc
    if answer.status not in EVENT_OK:
        raise ApplicationError(
            _("The authoriser refused the cancellation: %(code)s %(reason)s")
            % {"code": answer.status, "reason": answer.reason},
            code="refused",
        )
    with transaction.atomic():
        document = FiscalDocument.objects.select_for_update().get(pk=document.pk)
        document.status = DocumentStatus.CANCELLED
        document.cancel_reason = reason
        document.cancel_protocol = answer.protocol
        document.cancel_xml = sefaz.proc_event(signed, answer.prot)
        document.cancelled_at = timezone.now()
        document.save()
    return document


def documents_issue_for_invoices(
    invoice_ids: Iterable[int], *, actor: Actor, transmit: bool = True
) -> dict[str, int]:
    """Issue (and transmit) the NFCom of each invoice; one failure does not stop the others.
    Returns counts: issued, authorised, failed."""
    counts = {"issued": 0, "authorised": 0, "failed": 0}
    for invoice in Invoice.objects.filter(pk__in=list(invoice_ids)).select_related(
        "customer__city__state", "contract__plan", "contract__city__state", "branch__city__state"
    ):
        try:
            document = document_issue(invoice=invoice, actor=actor)
            counts["issued"] += 1
            if transmit:
                document = document_transmit(document=document, actor=actor)
                counts["authorised"] += document.status == DocumentStatus.AUTHORISED
        except Exception as exc:  # noqa: BLE001 - reported, next invoice
            counts["failed"] += 1
            log.warning("NFCom of invoice %s not issued: %s", invoice.pk, exc)
    return counts


SENDABLE = (DocumentStatus.DRAFT, DocumentStatus.CONTINGENCY, DocumentStatus.REJECTED)


def documents_transmit(documents: Iterable[FiscalDocument], *, actor: Actor) -> dict:
    """Bulk "transmitir": send each draft, contingency or rejected document (a rejected one is
    rebuilt from the corrected data first); authorised and cancelled ones are skipped. One
    failure does not stop the others. Returns the counts ``selected``, ``authorised``,
    ``contingency``, ``rejected``, ``pending`` (a draft the authoriser did not answer for),
    ``skipped`` and ``failed``, and ``errors`` (one message per failure, naming the document)."""
    counts: dict = dict.fromkeys(
        ("selected", "authorised", "contingency", "rejected", "pending", "skipped", "failed"), 0
    )
    counts["errors"] = []
    for document in documents:
        counts["selected"] += 1
        if document.status not in SENDABLE:
            counts["skipped"] += 1
            continue
        try:
            document = document_transmit(document=document, actor=actor)
        except (ApplicationError, ValidationError) as exc:
            counts["failed"] += 1
            text = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
            counts["errors"].append(f"{document}: {text}")
            continue
        if document.status in (
            DocumentStatus.AUTHORISED,
            DocumentStatus.CONTINGENCY,
            DocumentStatus.REJECTED,
        ):
            counts[str(document.status)] += 1
        else:
            counts["pending"] += 1
    return counts


def documents_transmit_pending(*, actor: Actor = None) -> dict[str, int]:
    """Transmit the drafts and the contingency documents (a rejected one waits for the operator
    to correct the data and send it again)."""
    counts = {"authorised": 0, "pending": 0}
    pending = FiscalDocument.objects.filter(status__in=[DocumentStatus.DRAFT, DocumentStatus.CONTINGENCY])
    for document in pending.order_by("pk"):
        with contextlib.suppress(ApplicationError):
            document = document_transmit(document=document, actor=actor)
        counts["authorised" if document.status == DocumentStatus.AUTHORISED else "pending"] += 1
    return counts


def document_total(document: FiscalDocument) -> Decimal:
    return document.amount
