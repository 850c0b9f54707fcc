"""Strict input (issue 14, item 5): deeply nested JSON, dates outside 1900–2100, billing periods,
an invoice's discount above its amount, and PDFs asked for as ``application/pdf``."""

import datetime
import importlib
import io
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import serializers
from rest_framework.exceptions import ParseError

import enlace
from enlace.api.fields import BoundedDateField, BoundedDateTimeField
from enlace.api.parsers import MAX_DEPTH, JSONParser
from enlace.billing import selectors as billing_selectors
from enlace.billing.forms import OneOffInvoiceForm
from enlace.billing.models import BillingRun, Invoice
from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create
from enlace.core.forms import EnlaceFormMixin
from enlace.core.validators import parse_period, validate_date_in_range
from enlace.customers.services import customer_update


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def today(days=0) -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=days)


@pytest.fixture
def invoice(admin_user, customer, wallet):
    return invoice_create(
        actor=admin_user, customer=customer, wallet=wallet, due_date=today(10), amount=Decimal("100.00")
    )


# --- JSON nesting ----------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["payments", "branches", "tickets"])
def test_json_nested_3000_deep_is_400(admin_api, resource):
    response = admin_api.post(f"/api/v1/{resource}/", nested(3000), content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_json_nested_object_deeper_than_the_limit_is_400(admin_api):
    body = b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1)
    response = admin_api.post("/api/v1/branches/", body, content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_json_parser_limit():
    assert JSONParser().parse(io.BytesIO(nested(MAX_DEPTH))) is not None
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(nested(MAX_DEPTH + 1)))
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(nested(100_000)))


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "0999-12-31", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_payment_date_out_of_range_is_400_naming_date(admin_api, invoice, value):
    response = admin_api.post(
        "/api/v1/payments/", {"invoice": invoice.pk, "method": "P", "date": value}, format="json"
    )
    assert response.status_code == 400
    assert "date" in response.json()
    assert not invoice.payments.exists()


def test_payment_date_in_range_is_accepted(admin_api, invoice):
    response = admin_api.post(
        "/api/v1/payments/",
        {"invoice": invoice.pk, "method": "P", "date": today().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("value", ["1900-01-01", "2100-12-31"])
def test_bounds_are_inclusive(value):
    assert BoundedDateField().run_validation(value) == datetime.date.fromisoformat(value)
    validate_date_in_range(datetime.date.fromisoformat(value))


def test_invoice_due_date_out_of_range_is_400(admin_api, customer, wallet):
    body = {"customer": customer.pk, "wallet": wallet.pk, "due_date": "9999-01-10", "amount": "10.00"}
    body["description"] = "Taxa"
    response = admin_api.post("/api/v1/invoices/", body, format="json")
    assert response.status_code == 400 and "due_date" in response.json()
    assert not Invoice.objects.exists()


def test_contract_cancellation_date_out_of_range_is_400(admin_api, active_contract):
    response = admin_api.post(
        f"/api/v1/contracts/{active_contract.pk}/cancel/",
        {"reason": "Mudou-se", "origin": "M", "date": "0001-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "date" in response.json()
    active_contract.refresh_from_db()
    assert active_contract.cancellation_date is None


def test_schedule_datetime_out_of_range_is_refused():
    from enlace.support.api import ACTION_PARAMS

    serializer = ACTION_PARAMS["schedule"](
        data={"scheduled_start": "0001-01-01T08:00:00Z", "scheduled_end": "2100-01-01T09:00:00-03:00"}
    )
    assert not serializer.is_valid()
    assert "scheduled_start" in serializer.errors and "scheduled_end" not in serializer.errors


def test_web_form_date_out_of_range_names_the_field(admin_user, customer, wallet):
    data = {"wallet": wallet.pk, "due_date": "0001-01-01", "amount": "10.00", "description": "Taxa"}
    form = OneOffInvoiceForm(data, customer=customer, user=admin_user)
    assert not form.is_valid()
    assert set(form.errors) == {"due_date"}
    data["due_date"] = "2030-01-10"
    assert OneOffInvoiceForm(data, customer=customer, user=admin_user).is_valid()


def _enlace_modules():
    for info in pkgutil.walk_packages(enlace.__path__, "enlace."):
        if ".migrations" in info.name or info.name.endswith(".tests"):
            continue
        importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _date_fields(serializer, path=""):
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _date_fields(field, f"{path}{name}.")
        elif isinstance(field, serializers.DateField | serializers.DateTimeField) and not field.read_only:
            yield f"{path}{name}", field


def test_every_writable_date_field_of_the_api_is_bounded():
    """The class of bug, not the instance: a new serializer cannot take an unbounded date."""
    _enlace_modules()
    checked, unbounded = 0, []
    for cls in set(_subclasses(serializers.Serializer)):
        if not cls.__module__.startswith("enlace.") or serializers.ListSerializer in cls.__mro__:
            continue
        if issubclass(cls, serializers.ModelSerializer) and not hasattr(getattr(cls, "Meta", None), "model"):
            continue  # an abstract base (EnlaceModelSerializer)
        for name, field in _date_fields(cls(context={})):
            checked += 1
            if not isinstance(field, BoundedDateField | BoundedDateTimeField):
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked >= 8
    assert not unbounded


def test_every_form_date_field_is_bounded():
    """Enlace's base forms bound every date at clean time; any other form declares bounded fields."""
    _enlace_modules()
    unbounded = []
    for cls in set(_subclasses(forms.BaseForm)):
        if not cls.__module__.startswith("enlace.") or issubclass(cls, EnlaceFormMixin):
            continue
        for name, field in getattr(cls, "base_fields", {}).items():
            is_date = isinstance(field, forms.DateField | forms.DateTimeField)
            if is_date and validate_date_in_range not in field.validators:
                unbounded.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not unbounded


# --- Billing periods -------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "1899-12", "2101-01", "2026-13", "26-01", ""])
def test_period_out_of_range_or_malformed_is_refused(period):
    with pytest.raises(ValidationError):
        parse_period(period)
    with pytest.raises(ValidationError) as caught:
        billing_selectors.parse_period(period)
    assert "period" in caught.value.message_dict


def test_period_bounds():
    assert parse_period("1900-01") == (datetime.date(1900, 1, 1), datetime.date(1900, 1, 31))
    assert parse_period("2100-12")[1] == datetime.date(2100, 12, 31)


def test_billing_run_of_year_9999_is_400_and_bills_nothing(admin_api, active_contract):
    response = admin_api.post("/api/v1/billing-runs/", {"period": "9999-12"}, format="json")
    assert response.status_code == 400 and "period" in response.json()
    assert not BillingRun.objects.exists() and not Invoice.objects.exists()


# --- Invoice discount ------------------------------------------------------------------------


def test_invoice_discount_above_amount_is_400_naming_discount(admin_api, customer, wallet):
    body = {
        "customer": customer.pk,
        "wallet": wallet.pk,
        "due_date": today(10).isoformat(),
        "amount": "50.00",
        "discount": "50.01",
        "description": "Taxa",
    }
    response = admin_api.post("/api/v1/invoices/", body, format="json")
    assert response.status_code == 400 and "discount" in response.json()
    assert not Invoice.objects.exists()
    body["discount"] = "50.00"  # a full discount is allowed
    assert admin_api.post("/api/v1/invoices/", body, format="json").status_code == 201


def test_invoice_discount_above_amount_refused_by_the_database(invoice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(discount=Decimal("100.01"))


# --- PDFs by content negotiation -------------------------------------------------------------


def _pdf_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            for name, sub_route in _pdf_routes(pattern, route):
                yield (f"{namespace}:{name}" if namespace else name), sub_route
        elif isinstance(pattern, URLPattern) and route.rstrip("$").endswith(".pdf") and pattern.name:
            yield pattern.name, route


#: PDF URLs whose record takes more than a fixture here, with the test that asks them with
#: ``Accept: application/pdf``.
PDF_ELSEWHERE = {
    "portal:invoice_nfcom_pdf": "tests/portal/test_nfcom.py (needs an NFCom authorised by the stand-in)",
}


@pytest.fixture
def pdf_records(admin_user, customer, invoice):
    payment = payment_create(actor=admin_user, invoice=invoice, amount=Decimal("10.00"), method="P")
    return {"customer": customer, "invoice": invoice, "payment": payment}


def test_every_pdf_answers_accept_application_pdf(admin_web, admin_api, client, pdf_records, customer):
    """Every URL serving a PDF (web, portal and API), found from the URL conf, answers a client
    that accepts only ``application/pdf`` with the PDF."""
    customer_update(actor=None, customer=customer, portal_login="maria", portal_password="senha-portal-1")
    client.post(reverse("portal:login"), {"login": "maria", "password": "senha-portal-1"})
    invoice, payment = pdf_records["invoice"], pdf_records["payment"]
    requests = {
        "contracts:customer_history_pdf": (admin_web, [customer.pk], {}),
        "billing:invoice_boleto": (admin_web, [invoice.pk], {}),
        "billing:invoice_carne": (admin_web, [], {"invoice": invoice.pk}),
        "billing:payment_receipt": (admin_web, [payment.pk], {}),
        "portal:invoice_pdf": (client, [invoice.pk], {}),
        "api:customer-history-pdf": (admin_api, [customer.pk], {}),
        "api:invoice-boleto-pdf": (admin_api, [invoice.pk], {}),
        "api:payment-receipt-pdf": (admin_api, [payment.pk], {}),
    }
    routes = dict(_pdf_routes())
    assert set(routes) == set(requests) | set(PDF_ELSEWHERE), "a PDF URL without a case here"
    for name, (http, args, query) in requests.items():
        response = http.get(reverse(name, args=args), query, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Type"] == "application/pdf", name
        assert response.content.startswith(b"%PDF"), name


def test_pdf_errors_are_json_when_a_pdf_was_asked_for(admin_api):
    response = admin_api.get("/api/v1/customers/999999/history.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


# --- Ids out of the database's range ---------------------------------------------------------


@pytest.mark.parametrize("query", ["branch=-32589158477190044731", "branch=99999999999999999999&branch=1"])
def test_filter_by_ids_out_of_range_is_not_a_server_error(admin_api, query):
    for resource in ["sales", "ip-pools", "invoices"]:
        response = admin_api.get(f"/api/v1/{resource}/?{query}")
        assert response.status_code in (200, 400), (resource, response.status_code)


@pytest.mark.parametrize("query", ["customer=137540816170022535168", "contract=-32589158477190044731"])
def test_filter_by_a_foreign_key_out_of_range_is_an_empty_list(admin_api, admin_user, invoice, query):
    payment_create(actor=admin_user, invoice=invoice, amount=Decimal("10.00"), method="P")
    response = admin_api.get(f"/api/v1/payments/?{query}")  # number filters on invoice__customer/contract
    assert response.status_code == 200 and response.json()["count"] == 0
    assert admin_api.get(f"/api/v1/payments/?customer={invoice.customer_id}").json()["count"] == 1
