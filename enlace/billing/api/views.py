"""Viewsets and views of the finance resources. They check permissions and branch scope, read the
request and call the services (``enlace.billing.services``: ``invoices``, ``payments``, ``imports``,
``runs``, ``collection``) and ``tasks``; business rules live there, reads in ``selectors``.

Permissions (model permissions, as every Enlace resource; a missing one is 403):

==================================================  ==================================================
reads (lists, details, PIX, amount due, PDFs)       ``billing.view_<model>``
``POST invoices/`` (one-off invoice)                ``billing.add_invoice``
``POST invoices/{id}/cancel/``                      ``billing.change_invoice``
``POST payments/`` (settle)                         ``billing.add_payment``
``POST payments/{id}/reverse/``                     ``billing.change_payment``
``POST cnab-imports/``                              ``billing.add_cnabimport``
``POST billing-runs/``                              ``billing.add_billingrun``
``POST contracts/{id}/trust-unlock/``               ``contracts.change_contract`` or
                                                    ``billing.change_collectionstate``
==================================================  ==================================================

Role Financeiro has ``billing.*``; Atendimento reads (``billing.view_*``).
"""

import base64
import logging

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from enlace.api.parsers import JSONParser
from enlace.api.permissions import ModelPermissions
from enlace.api.renderers import PdfViewMixin
from enlace.api.viewsets import ActorContextMixin, EnlaceGenericViewSet, ScopedQuerysetMixin
from enlace.contracts.models import Contract
from enlace.core.exceptions import ApplicationError
from enlace.core.scope import allowed_branch_ids

from .. import filtersets, selectors, tasks
from ..models import BillingRun, CnabImport, CnabRecord, CollectionState, Invoice, Payment, Remittance
from ..pdf import boleto_pdf, receipt_pdf
from ..services.collection import trust_unlock
from ..services.imports import cnab_import
from ..services.invoices import invoice_cancel, invoice_create
from ..services.payments import payment_create, payment_reverse
from ..services.remittances import remittance_generate
from ..services.runs import billing_run_start
from ..services.second_copy import invoice_change_amount, invoice_registration_resend, invoice_second_copy
from . import serializers as s

logger = logging.getLogger(__name__)

#: Who may trust-unlock a contract: either permission is enough.
TRUST_UNLOCK_PERMISSIONS = ("contracts.change_contract", "billing.change_collectionstate")


class ActionPermissions(ModelPermissions):
    """Model permissions by method, except for the actions a viewset lists in
    ``action_permissions`` (action name → permissions, all required)."""

    def has_permission(self, request, view):
        required = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if required is None:
            return super().has_permission(request, view)
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(required))


class BillingViewSet(EnlaceGenericViewSet):
    permission_classes = [ActionPermissions]
    action_permissions: dict[str, tuple[str, ...]] = {}


# --- Invoices -------------------------------------------------------------------------------


class InvoiceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BillingViewSet
):
    """Receivables (SPEC F-1: they belong to the customer, not the contract; F-2: status and colour). Filter
    by ``customer``, ``contract``, ``branch``, ``wallet``, ``status``, ``kind``, ``renegotiated``, ``period``,
    ``due_date_after``/``due_date_before`` and ``color`` (``enlace.billing.filtersets.InvoiceFilterSet``).

    ``POST`` creates a one-off invoice (``kind`` recurring is refused: those come from billing runs);
    invoices are never changed or deleted here but cancelled (``cancel/``, needs
    ``billing.change_invoice``). The boleto PDF is ``GET invoices/{id}/boleto.pdf``."""

    queryset = Invoice.objects.select_related("wallet")
    serializer_class = s.InvoiceSerializer
    filterset_class = filtersets.InvoiceFilterSet
    ordering_fields = ["id", "due_date", "issue_date", "amount", "status", "period", "created_at"]
    action_permissions = {
        "cancel": ("billing.change_invoice",),
        "second_copy": ("billing.change_invoice",),
        "change_amount": ("billing.change_invoice",),
        "resend_registration": ("billing.change_invoice",),
    }

    def perform_create(self, serializer):
        serializer.instance = invoice_create(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=s.InvoiceCancelSerializer, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        """Cancel an open invoice without payments, with the reason (F-8)."""
        invoice = self.get_object()
        params = s.InvoiceCancelSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        invoice = invoice_cancel(actor=request.user, invoice=invoice, reason=params.validated_data["reason"])
        return Response(self.get_serializer(invoice).data)

    @extend_schema(request=s.SecondCopySerializer, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="second-copy", filter_backends=[])
    def second_copy(self, request, pk=None):
        """ "Segunda via": a new ``due_date`` for an open invoice (at most the days the finance
        parameters allow); the boleto and PIX follow and the next remittance tells the bank (06)."""
        invoice = self.get_object()
        params = s.SecondCopySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        invoice = invoice_second_copy(
            actor=request.user, invoice=invoice, due_date=params.validated_data["due_date"]
        )
        return Response(self.get_serializer(invoice).data)

    @extend_schema(request=s.ChangeAmountSerializer, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="change-amount", filter_backends=[])
    def change_amount(self, request, pk=None):
        """A new ``amount`` for an open invoice nothing was paid of; the boleto and PIX follow and
        the next remittance tells the bank (47; 31 in Itaú and Bradesco CNAB 400)."""
        invoice = self.get_object()
        params = s.ChangeAmountSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        invoice = invoice_change_amount(
            actor=request.user, invoice=invoice, amount=params.validated_data["amount"]
        )
        return Response(self.get_serializer(invoice).data)

    @extend_schema(request=None, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="resend-registration", filter_backends=[])
    def resend_registration(self, request, pk=None):
        """Send a title the bank rejected (``registration_status`` ``rejected``) in the next
        remittance again, after its data was corrected; 400 ``invalid_transition`` otherwise."""
        invoice = invoice_registration_resend(actor=request.user, invoice=self.get_object())
        return Response(self.get_serializer(invoice).data)

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="YYYY-MM-DD; default: today.")],
        responses=s.PixSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pix(self, request, pk=None):
        """The PIX "copia e cola" of the invoice paid on ``date`` (default today) and its QR code
        (PNG, base64): after the due date it charges the amount due that day (fine and interest).
        400 ``no_pix`` when the invoice has none (its wallet has no PIX key)."""
        invoice = self.get_object()
        if not invoice.pix_payload:
            raise ApplicationError(
                _("This invoice has no PIX charge (its wallet has no PIX key)."), code="no_pix"
            )
        params = s.AmountDueQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        payload, amount = selectors.invoice_pix(invoice, params.validated_data.get("date"))
        png = selectors.pix_qr_png(payload)
        data = {
            "payload": payload,
            "qr_png_base64": base64.b64encode(png).decode("ascii"),
            "amount": amount,
            "txid": invoice.pix_txid,
        }
        return Response(s.PixSerializer(data).data)

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="YYYY-MM-DD; default: today.")],
        responses=s.AmountDueSerializer,
    )
    @action(detail=True, methods=["get"], url_path="amount-due", filter_backends=[], pagination_class=None)
    def amount_due(self, request, pk=None):
        """What the customer pays on ``date``: the balance, minus the discount up to the due date,
        plus fine and interest after it (F-7: the wallet's fine and interest, capped at 2 % and 1 % a
        month)."""
        invoice = self.get_object()
        params = s.AmountDueQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data.get("date") or timezone.localdate()
        due = selectors.amount_due(invoice, on)
        return Response(s.AmountDueSerializer({"date": on, **due}).data)


# --- Payments -------------------------------------------------------------------------------


class PaymentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BillingViewSet
):
    """Payments and reversals (SPEC F-6: settlement, manual or from a bank return file, with its receipt).
    Filter by ``invoice``, ``customer``, ``contract``,
    ``branch``, ``method``, ``reversed``, ``reversal``, ``date_after``/``date_before``.

    ``POST`` settles an invoice (``billing.add_payment``); ``reverse/`` reverses a payment with the
    reason (``billing.change_payment``), answering the reversal movement. The receipt is
    ``GET payments/{id}/receipt.pdf``."""

    queryset = Payment.objects.all()
    serializer_class = s.PaymentSerializer
    filterset_class = filtersets.PaymentFilterSet
    ordering_fields = ["id", "date", "amount", "created_at"]
    action_permissions = {"reverse": ("billing.change_payment",)}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = payment_create(actor=self.request.user, **data)

    @extend_schema(request=s.PaymentReverseSerializer, responses={201: s.PaymentSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reverse(self, request, pk=None):
        """ "Estorno": a second movement undoing the payment; both are kept (201, the reversal)."""
        payment = self.get_object()
        params = s.PaymentReverseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        reversal = payment_reverse(
            actor=request.user, payment=payment, reason=params.validated_data["reason"]
        )
        return Response(self.get_serializer(reversal).data, status=status.HTTP_201_CREATED)


# --- Bank return files ----------------------------------------------------------------------


class CnabImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BillingViewSet):
    """Bank return files (CNAB 240/400, SPEC F-6). ``POST`` (multipart: ``wallet``, ``file``) imports
    one file in one transaction and answers 201 with the summary and the number of records per
    ``outcome``; a malformed file is 400 naming ``file`` (with the line), a file imported before is
    400 ``already_imported``, a file over ``BANK_RETURN_MAX_UPLOAD_MB`` is 400 ``file_too_large``
    (nothing stored). Lists give the summaries; ``GET {id}/records/`` pages through a file's
    records (``page``, ``page_size``, ``outcome``)."""

    queryset = CnabImport.objects.all()
    serializer_class = s.CnabImportSerializer
    filterset_class = filtersets.CnabImportFilterSet
    ordering_fields = ["id", "created_at"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(parameters=[s.CnabRecordQuerySerializer], responses=s.CnabRecordSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def records(self, request, pk=None):
        """The records of an imported file in line order, paginated; ``outcome`` keeps those of one
        outcome (``repeated``, ``notfound``…)."""
        imported = self.get_object()
        params = s.CnabRecordQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        records = CnabRecord.objects.filter(cnab_import=imported).select_related("payment").order_by("line")
        if outcome := params.validated_data.get("outcome"):
            records = records.filter(outcome=outcome)
        page = self.paginate_queryset(records)
        return self.get_paginated_response(s.CnabRecordSerializer(page, many=True).data)

    def get_serializer_class(self):
        if self.action == "list":
            return s.CnabImportSerializer
        return s.CnabImportDetailSerializer

    @extend_schema(
        request={"multipart/form-data": s.CnabUploadSerializer},
        responses={201: s.CnabImportDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = s.CnabUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        result = cnab_import(
            actor=request.user,
            wallet=upload.validated_data["wallet"],
            data=file,  # read in chunks by the import, never whole
            file_name=file.name or "return.ret",
        )
        imported = self.get_queryset().get(pk=result.cnab_import.pk)
        return Response(s.CnabImportDetailSerializer(imported).data, status=status.HTTP_201_CREATED)


# --- Remittance files (issue 16) -------------------------------------------------------------


class RemittanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BillingViewSet):
    """Remittance files ("arquivos de remessa", bank registration of boletos). ``POST``
    {``wallet``} makes the wallet's file now with every movement not sent yet (201 with the file;
    200 with ``{"remittance": null, "detail": ...}`` when there is nothing new: no empty file is
    made); ``GET {id}/file/`` returns its bytes (``text/plain; charset=latin-1``). Needs
    ``billing.add_remittance`` to generate."""

    queryset = Remittance.objects.select_related("wallet")
    serializer_class = s.RemittanceSerializer
    filterset_fields = ["wallet"]
    ordering_fields = ["id", "created_at", "sequence"]

    @extend_schema(request=s.RemittanceCreateSerializer, responses={201: s.RemittanceSerializer, 200: None})
    def create(self, request, *args, **kwargs):
        params = s.RemittanceCreateSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        result = remittance_generate(wallet=params.validated_data["wallet"], actor=request.user)
        if result.remittance is None:
            return Response(
                {
                    "remittance": None,
                    "detail": _("Nothing new to send to the bank."),
                    "skipped": len(result.skipped),
                }
            )
        return Response(s.RemittanceSerializer(result.remittance).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def file(self, request, pk=None):
        """The file's bytes as stored (Latin-1 text, CRLF lines)."""
        remittance = self.get_object()
        with remittance.file.open("rb") as stored:
            data = stored.read()
        response = HttpResponse(data, content_type="text/plain; charset=latin-1")
        response["Content-Disposition"] = f'attachment; filename="{remittance.file_name}"'
        return response


# --- Billing runs ---------------------------------------------------------------------------


class BillingRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BillingViewSet
):
    """Billing runs (SPEC F-3: one invoice per active recurring contract and period; running twice creates
    nothing new). ``POST`` {``period``, optional ``branch``} starts a run and queues its
    execution (without a Celery broker it runs in the request, so the answer shows it finished);
    poll the detail for ``status`` and the figures ``total``, ``processed``, ``created``,
    ``skipped``, ``errors``. A second run of a period creates nothing twice. An operator limited to
    some branches sees and starts the runs of those branches only."""

    queryset = BillingRun.objects.all()
    serializer_class = s.BillingRunSerializer
    filterset_class = filtersets.BillingRunFilterSet
    ordering_fields = ["id", "period", "created_at"]

    def get_queryset(self):
        queryset = super().get_queryset()
        allowed = allowed_branch_ids(self.request.user)
        return queryset if allowed is None else queryset.filter(branch__in=allowed)

    def perform_create(self, serializer):
        data = serializer.validated_data
        run = billing_run_start(actor=self.request.user, period=data["period"], branch=data.get("branch"))
        try:
            tasks.execute_billing_run.delay(run.pk)
        except Exception:
            # Eager execution (no broker) propagates the run's failure, which the run records
            # (status failed); with a broker that cannot be reached the run stays queued.
            logger.exception("billing run %s failed", run.pk)
        run.refresh_from_db()
        serializer.instance = run


# --- Views outside the router ---------------------------------------------------------------


class PdfAPIView(PdfViewMixin, ActorContextMixin, ScopedQuerysetMixin, generics.GenericAPIView):
    """A PDF of one scoped record (``view_<model>`` needed; another branch's record is 404). The body
    is a PDF whatever the client accepts (``Accept: application/pdf`` included); errors are JSON."""

    permission_classes = [ModelPermissions]
    filter_backends = []
    pagination_class = None

    @staticmethod
    def pdf_response(pdf: bytes, file_name: str) -> HttpResponse:
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{file_name}"'
        return response


class InvoiceBoletoPdfAPIView(PdfAPIView):
    """The hybrid boleto (ficha de compensação with the barcode and the PIX QR code) of an invoice."""

    queryset = Invoice.objects.select_related(
        "customer__city__state", "customer__billing_city__state", "branch__city__state", "wallet"
    )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        invoice = self.get_object()
        return self.pdf_response(boleto_pdf([invoice]), f"boleto-{invoice.pk}.pdf")


class PaymentReceiptPdfAPIView(PdfAPIView):
    """The receipt ("recibo") of a payment."""

    queryset = Payment.objects.select_related(
        "invoice__customer__city__state", "invoice__branch__city__state", "invoice__wallet", "operator"
    )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        payment = self.get_object()
        return self.pdf_response(receipt_pdf(payment), f"receipt-{payment.pk}.pdf")


class TrustUnlockAPIView(ActorContextMixin, generics.GenericAPIView):
    """ "Desbloqueio de confiança" (SPEC F-9): access back for the parameter's days, once per
    automatic block, unless forbidden. Needs ``contracts.change_contract`` (who manages contracts)
    or ``billing.change_collectionstate`` (Financeiro); another branch's contract is 404. Refused:
    400 ``trust_unlock_refused`` with the reason."""

    permission_classes = [IsAuthenticated]
    queryset = Contract.objects.all()
    serializer_class = s.TrustUnlockSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(request=None, responses=s.TrustUnlockSerializer)
    def post(self, request, pk):
        if not any(request.user.has_perm(perm) for perm in TRUST_UNLOCK_PERMISSIONS):
            raise PermissionDenied
        contract = get_object_or_404(selectors.contracts_for(request.user), pk=pk)
        contract = trust_unlock(actor=request.user, contract=contract, source="api")
        state = CollectionState.objects.get(contract=contract)
        data = {"contract": contract, "trust_until": state.trust_until}
        return Response(self.get_serializer(data).data)
