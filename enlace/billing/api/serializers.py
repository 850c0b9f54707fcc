"""Serializers of the finance resources (SPEC §14: the field names of ``invoices`` and ``payments`` are a
stable contract, never renamed; and ``cnab-imports``, ``billing-runs``). They translate only; the viewsets
hand the values to the services."""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from enlace.api.fields import BoundedDateField
from enlace.api.serializers import EnlaceModelSerializer, ScopedRelationsMixin
from enlace.contracts.api import ContractSerializer
from enlace.core.models import Wallet
from enlace.core.validators import validate_no_edge_whitespace

from .. import selectors
from ..models import (
    MONEY,
    BillingRun,
    CnabImport,
    CnabRecord,
    Invoice,
    InvoiceColor,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    RegistrationStatus,
    Remittance,
)


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, **kwargs)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose schema is the named enum component ``enum_name``, so that e.g. the
    invoice's ``status`` does not compete with the contract's ``status`` for ``StatusEnum``."""

    def __init__(self, *args, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(*args, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "enum": list(self.target.choices),
            "description": "\n".join(
                f"* `{value}` - {label}" for value, label in self.target.choices.items()
            ),
        }


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("reason"), trim_whitespace=False, validators=[validate_no_edge_whitespace]
    )


class InvoiceCancelSerializer(ReasonSerializer):
    """Why the invoice is cancelled."""


class PaymentReverseSerializer(ReasonSerializer):
    """Why the payment is reversed."""


# --- Invoices -------------------------------------------------------------------------------


class InvoiceSerializer(EnlaceModelSerializer):
    """A receivable (F-1: it belongs to the customer, not the contract; F-2: status A, R, P, C or
    renegotiated, and its colour). Created through the API it is a one-off invoice of the customer's
    branch, with its nosso número, boleto and PIX; recurring invoices come from billing runs."""

    kind = NamedChoiceField(
        label=_("kind"),
        choices=InvoiceKind.choices,
        enum_name="InvoiceKindEnum",
        default=InvoiceKind.ONE_OFF,
        help_text=_("Only one-off invoices are created through the API."),
    )
    status = NamedChoiceField(
        label=_("status"), choices=InvoiceStatus.choices, enum_name="InvoiceStatusEnum", read_only=True
    )
    balance = money_field(label=_("balance"), read_only=True, help_text=_("Still owed of the face value."))
    color = serializers.SerializerMethodField(
        label=_("colour"), help_text=_("The colour of the legend, today.")
    )
    registration_status = NamedChoiceField(
        label=_("bank registration"),
        choices=RegistrationStatus.choices,
        enum_name="RegistrationStatusEnum",
        read_only=True,
        help_text=_("pending → sent (in a remittance file) → registered or rejected (the bank's return)."),
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "display",
            "customer",
            "branch",
            "contract",
            "wallet",
            "kind",
            "period",
            "description",
            "issue_date",
            "due_date",
            "amount",
            "discount",
            "status",
            "renegotiated",
            "paid_amount",
            "paid_date",
            "balance",
            "nosso_numero",
            "nosso_numero_display",
            "barcode",
            "digitable_line",
            "pix_payload",
            "pix_txid",
            "analytic_account",
            "cancelled_at",
            "cancel_reason",
            "renegotiation",
            "billing_run",
            "created_at",
            "color",
            "registration_status",
            "registration_message",
        ]
        read_only_fields = [
            "branch",
            "renegotiated",
            "paid_amount",
            "paid_date",
            "nosso_numero",
            "nosso_numero_display",
            "barcode",
            "digitable_line",
            "pix_payload",
            "pix_txid",
            "cancelled_at",
            "cancel_reason",
            "renegotiation",
            "billing_run",
            "created_at",
            "registration_message",
        ]

    @extend_schema_field(
        NamedChoiceField(choices=InvoiceColor.choices, enum_name="InvoiceColorEnum", read_only=True)
    )
    def get_color(self, obj) -> str:
        today = self.context.setdefault("today", timezone.localdate())
        return str(obj.color(today))


class SecondCopySerializer(serializers.Serializer):
    due_date = BoundedDateField(
        label=_("new due date"),
        help_text=_("From today up to the days the finance parameters allow ('segunda via')."),
    )


class ChangeAmountSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        label=_("new amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("The invoice's new face value (open, nothing paid)."),
    )


class AmountDueQuerySerializer(serializers.Serializer):
    date = BoundedDateField(label=_("date"), required=False, help_text=_("Default: today."))


class AmountDueSerializer(serializers.Serializer):
    date = BoundedDateField(label=_("date"))
    balance = money_field(label=_("balance"))
    discount = money_field(label=_("discount"))
    fine = money_field(label=_("fine"))
    interest = money_field(label=_("interest"))
    total = money_field(label=_("total"))


class PixSerializer(serializers.Serializer):
    payload = serializers.CharField(label=_("PIX copy and paste"))
    qr_png_base64 = serializers.CharField(label=_("QR code (PNG, base64)"))
    amount = money_field(label=_("amount"))
    txid = serializers.CharField(label=_("PIX txid"))


# --- Payments -------------------------------------------------------------------------------


class PaymentSerializer(EnlaceModelSerializer):
    """A settlement ("baixa") or its reversal (F-6). On create, ``amount`` may be left out (the
    whole amount due on ``date``), and ``fine``/``interest``/``discount`` default to the wallet's
    late charges and the invoice's discount."""

    method = NamedChoiceField(
        label=_("method"), choices=PaymentMethod.choices, enum_name="PaymentMethodEnum", default="D"
    )
    principal = money_field(
        label=_("principal"), read_only=True, help_text=_("What of the face value this movement pays.")
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "display",
            "invoice",
            "date",
            "amount",
            "method",
            "fine",
            "interest",
            "discount",
            "principal",
            "reversed",
            "reversal_of",
            "reversal_reason",
            "operator",
            "operator_name",
            "cnab_record",
            "notes",
            "created_at",
        ]
        read_only_fields = [
            "reversed",
            "reversal_of",
            "reversal_reason",
            "operator",
            "operator_name",
            "cnab_record",
            "created_at",
        ]
        extra_kwargs = {
            "amount": {"required": False, "allow_null": True},
            "fine": {"allow_null": True},
            "interest": {"allow_null": True},
            "discount": {"allow_null": True},
        }


# --- Bank return files ----------------------------------------------------------------------


class CnabRecordSerializer(serializers.ModelSerializer):
    outcome = NamedChoiceField(
        label=_("outcome"), choices=CnabRecord.Outcome.choices, enum_name="CnabOutcomeEnum", read_only=True
    )
    payment = serializers.SerializerMethodField(label=_("payment"))

    class Meta:
        model = CnabRecord
        fields = [
            "line",
            "nosso_numero",
            "occurrence",
            "occurrence_description",
            "occurrence_date",
            "credit_date",
            "face_value",
            "paid_amount",
            "interest",
            "discount",
            "fee",
            "invoice",
            "outcome",
            "payment",
        ]
        read_only_fields = fields

    def get_payment(self, obj) -> int | None:
        try:
            return obj.payment.pk
        except ObjectDoesNotExist:
            return None


class CnabRecordQuerySerializer(serializers.Serializer):
    outcome = NamedChoiceField(
        label=_("outcome"),
        choices=CnabRecord.Outcome.choices,
        enum_name="CnabOutcomeEnum",
        required=False,
        help_text=_("Only the records of this outcome."),
    )


class CnabSummarySerializer(serializers.Serializer):
    records = serializers.IntegerField(label=_("records"))
    settled = serializers.IntegerField(label=_("settled"))
    settled_amount = money_field(label=_("amount settled"))
    not_settled = serializers.IntegerField(label=_("not settled"))


class CnabImportSerializer(EnlaceModelSerializer):
    summary = CnabSummarySerializer(source="*", read_only=True)

    class Meta:
        model = CnabImport
        fields = [
            "id",
            "display",
            "wallet",
            "file_name",
            "sha256",
            "layout",
            "bank_code",
            "summary",
            "warnings",
            "operator",
            "created_at",
        ]
        read_only_fields = fields


class CnabImportDetailSerializer(CnabImportSerializer):
    """An import with its number of records per outcome; the records themselves are paginated at
    ``cnab-imports/{id}/records/`` (a file can hold tens of thousands)."""

    outcomes = serializers.SerializerMethodField(label=_("records per outcome"))

    class Meta(CnabImportSerializer.Meta):
        fields = [*CnabImportSerializer.Meta.fields, "outcomes"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {value: {"type": "integer"} for value in CnabRecord.Outcome.values},
            "required": list(CnabRecord.Outcome.values),
        }
    )
    def get_outcomes(self, obj) -> dict[str, int]:
        counts = dict.fromkeys(CnabRecord.Outcome.values, 0)
        rows = CnabRecord.objects.filter(cnab_import=obj).values_list("outcome").annotate(n=Count("pk"))
        counts.update(rows)
        return counts


class CnabUploadSerializer(ScopedRelationsMixin, serializers.Serializer):
    wallet = serializers.PrimaryKeyRelatedField(label=_("wallet"), queryset=Wallet.objects.all())
    file = serializers.FileField(label=_("file"), help_text=_("A CNAB 240 or CNAB 400 return file."))

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["wallet"].queryset = selectors.wallets_in_scope(request.user)
        return fields


# --- Remittance files (issue 16) -------------------------------------------------------------


class RemittanceSerializer(EnlaceModelSerializer):
    """A remittance file ("arquivo de remessa"): stored once with its SHA-256; its bytes are at
    ``remittances/{id}/file/`` (text/plain, Latin-1)."""

    class Meta:
        model = Remittance
        fields = [
            "id",
            "display",
            "wallet",
            "sequence",
            "layout",
            "bank_code",
            "file_name",
            "sha256",
            "size",
            "title_count",
            "operator",
            "created_at",
        ]
        read_only_fields = fields


class RemittanceCreateSerializer(ScopedRelationsMixin, serializers.Serializer):
    wallet = serializers.PrimaryKeyRelatedField(label=_("wallet"), queryset=Wallet.objects.all())

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["wallet"].queryset = selectors.wallets_in_scope(request.user)
        return fields


# --- Billing runs ---------------------------------------------------------------------------


class BillingRunSerializer(EnlaceModelSerializer):
    """A billing run (F-3: one invoice per active recurring contract and period, nothing new the second
    time): ``period`` (YYYY-MM) and optionally one ``branch``; the rest are its
    progress figures."""

    status = NamedChoiceField(
        label=_("status"), choices=BillingRun.Status.choices, enum_name="BillingRunStatusEnum", read_only=True
    )
    percent = serializers.SerializerMethodField(label=_("progress (%)"))

    class Meta:
        model = BillingRun
        fields = [
            "id",
            "display",
            "period",
            "branch",
            "status",
            "total",
            "processed",
            "created",
            "skipped",
            "errors",
            "error_messages",
            "amount",
            "percent",
            "operator",
            "started_at",
            "finished_at",
            "created_at",
        ]
        read_only_fields = [
            "total",
            "processed",
            "created",
            "skipped",
            "errors",
            "error_messages",
            "amount",
            "operator",
            "started_at",
            "finished_at",
            "created_at",
        ]

    def get_percent(self, obj) -> int:
        if obj.status == BillingRun.Status.DONE:
            return 100
        return int(obj.processed * 100 / obj.total) if obj.total else 0


# --- Trust unlock ---------------------------------------------------------------------------


class TrustUnlockSerializer(serializers.Serializer):
    """The answer of a trust unlock: the contract (access back to Ativo) and the last day of the
    trust period."""

    contract = ContractSerializer(read_only=True)
    trust_until = BoundedDateField(label=_("trust unlock until"), read_only=True)
