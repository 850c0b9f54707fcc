"""The bulk path of the import: new rows of ``cliente``, ``cliente_contrato``, ``radusuarios`` and
``fn_areceber`` in chunks (``runner.CHUNK`` rows), so that 100,000 customers with their contracts,
logins and a year of receivables import in minutes, not days (docs/ixc.md, "Speed").

Every row is validated as the screens validate it — the row's values are built by the same
functions as the per-row path (``tables.customer_values`` …), the record runs the model's
``full_clean`` (field validators, ``clean()``, the check constraints evaluated in Python) and the
services' rule functions (``customers.services._check_rules``, ``billing.services.invoices
._check_wallet``/``_check_discount``, ``invoice_fill_charges``) — but the rules that need one query
per row are asked once per chunk: the foreign keys (sets of known ids), a CPF/CNPJ already
registered, a portal login or RADIUS username in use, a nosso número taken. The good rows are then
written in bulk (``insert``: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere), together with what the services would write beside them: the audit
rows (``ObjectChange``, via ``core.audit.record_changes``), the contract history entries, the
FreeRADIUS rows of the logins (``radius.projection.login_rows``), the payments of received
receivables, and the ``ExternalId`` of each row.

What the bulk path does not cover goes to the per-row services (``tables``): a contract whose IXC
status is not "pre-contract" or "active with access", a cancelled receivable, a login with a
fixed IP or pool. Each function returns the refused rows (IXC id, reason) and the rows left for the
per-row path; a database error in a chunk's writes (a race, a constraint the chunk checks missed)
rolls the chunk back and the runner imports its rows one by one.

Differences from the per-row path, on purpose: a received receivable is created in its final
state (its audit row shows it received) with its payment, instead of created open and then
updated; no "payment received" / "invoice issued" signals (no thank-you messages or fiscal notes
for history moved in) and no collection check per payment (the daily routine judges the
contracts).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.billing.models import ZERO, Invoice, InvoiceStatus, Payment, PaymentMethod
from enlace.billing.services import invoices as invoice_services
from enlace.billing.services.common import take_nosso_numeros
from enlace.contracts.models import AccessStatus, Contract, ContractHistory, ContractStatus, Plan
from enlace.core.audit import build_change, serialize
from enlace.core.exceptions import ApplicationError
from enlace.core.models import Branch, City, ObjectChange, Wallet
from enlace.core.scope import can_use_branch
from enlace.core.services import operator_name_of, operator_of
from enlace.customers import services as customer_services
from enlace.customers.models import Customer, CustomerSettings
from enlace.radius import projection
from enlace.radius.freeradius import RadCheck, RadReply, RadUserGroup
from enlace.radius.models import Login

from ..models import ExternalId, ExternalKind
from .common import Refused, Run, date, digits, money, text
from .tables import (
    CONTRACT_STATUSES,
    IMPORT_REASON,
    INVOICE_STATUSES,
    _portal_password,
    contract_values,
    customer_values,
    login_values,
    receivable_invoice,
)

BATCH = 1000


@dataclass
class ChunkResult:
    created: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    per_row: list[dict] = field(default_factory=list)  # rows the per-row services import


def _reason(exc: Exception) -> str:
    from .runner import error_text

    return error_text(exc)


def _relations(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def insert(model: type[Model], objects: list, *, ids: bool = True) -> None:
    """Write new records: ``bulk_create``, or on PostgreSQL one ``COPY`` (several times faster than
    INSERT batches, as the billing run writes its invoices) with ids taken from the table's
    sequence first when the caller needs them (``ids``). Values are prepared by each field as an
    INSERT prepares them (``pre_save`` + ``get_db_prep_save``: defaults, ``auto_now``, JSON)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    opts = model._meta
    pk = opts.pk
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, len(objects)],
            )
            for obj, (value,) in zip(objects, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
    fields = [f for f in opts.concrete_fields if ids or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in objects:
        obj._state.adding, obj._state.db = False, "default"


def _audit_created(objects: list) -> None:
    """The audit rows ``object_save`` would write for these new records (SPEC G-3): what
    ``core.audit.build_change`` builds, with the actor's part and each model's content type taken
    once per chunk instead of once per row."""
    if not objects:
        return
    template = build_change(objects[0], ObjectChange.Action.CREATE, None, None)
    content_types: dict[type, int] = {}
    changes = []
    for obj in objects:
        model = type(obj)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        changes.append(
            ObjectChange(
                user_id=template.user_id,
                user_name=template.user_name,
                request_id=template.request_id,
                source=template.source,
                action=ObjectChange.Action.CREATE,
                content_type_id=content_types[model],
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                prechange_data=None,
                postchange_data=serialize(obj, with_m2m=False),
            )
        )
    insert(ObjectChange, changes, ids=False)


def _remember(run: Run, kind: str, pairs: list[tuple[str, int]]) -> None:
    insert(
        ExternalId,
        [ExternalId(kind=kind, ixc_id=ixc_id, object_id=object_id) for ixc_id, object_id in pairs],
        ids=False,
    )
    run.id_map(kind).update(pairs)


def _cache(run: Run) -> dict:
    """Reference rows read once per run (branches, cities, plans, wallets)."""
    cache = getattr(run, "_bulk_cache", None)
    if cache is None:
        cache = {
            "branches": set(Branch.objects.values_list("pk", flat=True)),
            "cities": set(City.objects.values_list("pk", flat=True)),
            "plans": {},
            "wallets": Wallet.objects.select_related("branch", "branch__city").in_bulk(),
        }
        run._bulk_cache = cache  # type: ignore[attr-defined]
    return cache


def _plan(run: Run, plan_id: int) -> Plan:
    plans = _cache(run)["plans"]
    if plan_id not in plans:
        plans[plan_id] = Plan.objects.get(pk=plan_id)
    return plans[plan_id]


def _branch_allowed(run: Run, branch_id) -> None:
    if run.actor is not None and branch_id is not None and not can_use_branch(run.actor, branch_id):
        raise ApplicationError(_("You cannot use this branch."), code="branch_scope", field="branch")


def _missing(label: str) -> ValidationError:
    return ValidationError({label: [_("This field is required.")]})


# --- cliente -----------------------------------------------------------------------------------

CUSTOMER_EXCLUDE = ["search_name", "address_key", *_relations(Customer)]


def customers(run: Run, rows: list[dict]) -> ChunkResult:
    result = ChunkResult()
    cache = _cache(run)
    params = CustomerSettings.load()
    # The service's rules, but the duplicate document is asked below for the whole chunk (and the
    # address check is off: the import confirms duplicate addresses, as the per-row path does).
    per_row_rules = copy.copy(params)
    per_row_rules.allow_duplicate_cpf_cnpj = True
    per_row_rules.validate_duplicate_address = False
    good: list[tuple[dict, Customer]] = []
    for row in rows:
        try:
            values = customer_values(run, row)
            password = _portal_password(row)
            if password:
                values["portal_password"] = password
            elif values["portal_login"]:
                values["portal_change_password"] = True  # K-4: reset on first access
            customer = Customer()
            customer_services._apply(customer, values)
            customer.full_clean(exclude=CUSTOMER_EXCLUDE, validate_unique=False, validate_constraints=False)
            if customer.branch_id not in cache["branches"]:
                raise _missing("branch")
            if customer.city_id is not None and customer.city_id not in cache["cities"]:
                raise ValidationError(
                    {"city": [_("Select a valid choice. That choice is not one of the available choices.")]}
                )
            customer_services._check_rules(
                customer, actor=run.actor, params=per_row_rules, original=None, confirm_duplicate_address=True
            )
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], _reason(exc)))
            continue
        good.append((row, customer))
    good = _unique(
        good,
        key=lambda c: c.cpf_cnpj if (c.cpf_cnpj and not params.allow_duplicate_cpf_cnpj) else None,
        taken=lambda keys: set(Customer.objects.filter(cpf_cnpj__in=keys).values_list("cpf_cnpj", flat=True)),
        message=lambda c: (
            _("CPF/CNPJ %(document)s already belongs to another customer.") % {"document": c.cpf_cnpj_display}
        ),
        result=result,
        field_name="cpf_cnpj",
    )
    good = _unique(
        good,
        key=lambda c: c.portal_login,
        taken=lambda keys: set(
            Customer.objects.filter(portal_login__in=keys).values_list("portal_login", flat=True)
        ),
        message=lambda c: _("This portal login is already in use."),
        result=result,
        field_name="portal_login",
    )
    objects = [customer for _row, customer in good]
    insert(Customer, objects)
    _audit_created(objects)
    _remember(run, ExternalKind.CLIENTE, [(row["id"], c.pk) for row, c in good])
    result.created = len(objects)
    return result


def _unique(good, *, key, taken, message, result: ChunkResult, field_name: str):
    """Drop the items (``(row, record, …)``) whose ``key`` is already in the database or earlier in
    the chunk (a unique value the service checks with one query per row, asked here once)."""
    keys = {key(item[1]) for item in good} - {None, ""}
    if not keys:
        return good
    used = set(taken(keys))
    kept = []
    for item in good:
        row, obj = item[0], item[1]
        value = key(obj)
        if value in (None, ""):
            kept.append(item)
            continue
        if value in used:
            result.refused.append((row["id"], f"{field_name}: {message(obj)}"))
            continue
        used.add(value)
        kept.append(item)
    return kept


# --- cliente_contrato ---------------------------------------------------------------------------

CONTRACT_EXCLUDE = _relations(Contract)


def contracts(run: Run, rows: list[dict]) -> ChunkResult:
    """New contracts that IXC has as pre-contract (P) or active with access (A/A): created as
    ``contract_create`` and ``contract_activate`` leave them (record, history entries, audit).
    Other statuses go through the per-row action services."""
    result = ChunkResult()
    cache = _cache(run)
    customer_ids = {run.id_map(ExternalKind.CLIENTE).get(r.get("id_cliente", "").strip()) for r in rows}
    customers_by_id = Customer.objects.in_bulk([pk for pk in customer_ids if pk])
    now = timezone.now()
    actor = run.actor
    good: list[tuple[dict, Contract]] = []
    for row in rows:
        status = text(row, "status").upper() or ContractStatus.PRE_CONTRACT
        access = text(row, "status_internet").upper() or AccessStatus.ACTIVE
        if status not in CONTRACT_STATUSES or not (
            status == ContractStatus.PRE_CONTRACT
            or (status == ContractStatus.ACTIVE and access == AccessStatus.ACTIVE)
        ):
            result.per_row.append(row)
            continue
        try:
            values = contract_values(run, row)
            contract = Contract(**values)
            contract.customer = customers_by_id.get(contract.customer_id) or _no_customer(row)
            contract.plan = _plan(run, contract.plan_id)
            contract.wallet = cache["wallets"][contract.wallet_id]
            if contract.branch_id not in cache["branches"]:
                raise _missing("branch")
            if status == ContractStatus.ACTIVE:
                contract.status = ContractStatus.ACTIVE
                contract.access_status = AccessStatus.ACTIVE
                contract.activation_date = date(row.get("data_ativacao")) or timezone.localdate()
                contract.status_changed_at = contract.access_status_changed_at = now
            contract.full_clean(exclude=CONTRACT_EXCLUDE, validate_unique=False)
            _branch_allowed(run, contract.branch_id)
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], _reason(exc)))
            continue
        good.append((row, contract))
    objects = [contract for _row, contract in good]
    insert(Contract, objects)
    history = []
    operator, operator_name = operator_of(actor), operator_name_of(actor)
    for contract in objects:
        history.append(
            ContractHistory(
                customer_id=contract.customer_id,
                contract=contract,
                kind=ContractHistory.Kind.CREATED,
                text=_("Contract created with plan %(plan)s.") % {"plan": contract.plan},
                operator=operator,
                operator_name=operator_name,
            )
        )
        if contract.status == ContractStatus.ACTIVE:
            history.append(
                ContractHistory(
                    customer_id=contract.customer_id,
                    contract=contract,
                    kind=ContractHistory.Kind.ACTIVATED,
                    text=_("Contract activated on %(date)s.")
                    % {"date": contract.activation_date.strftime("%d/%m/%Y")},
                    operator=operator,
                    operator_name=operator_name,
                )
            )
    insert(ContractHistory, history)
    _audit_created(objects + history)
    _remember(run, ExternalKind.CONTRATO, [(row["id"], c.pk) for row, c in good])
    result.created = len(objects)
    return result


def _no_customer(row: dict):
    raise Refused(
        _("%(what)s %(id)s was not imported (missing or refused).")
        % {"what": _("Customer"), "id": row.get("id_cliente") or "—"}
    )


# --- radusuarios --------------------------------------------------------------------------------

LOGIN_EXCLUDE = _relations(Login)


def logins(run: Run, rows: list[dict]) -> ChunkResult:
    """New logins as ``login_create`` leaves them: the record (an MD5 password kept as the digest
    IXC has), its audit row and its FreeRADIUS rows (radcheck, radreply, radusergroup)."""
    result = ChunkResult()
    contract_ids = {run.id_map(ExternalKind.CONTRATO).get(r.get("id_contrato", "").strip()) for r in rows}
    contracts_by_id = Contract.objects.in_bulk([pk for pk in contract_ids if pk])
    good: list[tuple[dict, Login]] = []
    for row in rows:
        try:
            values = login_values(run, row)
            contract = contracts_by_id.get(values["contract_id"])
            if contract is None:
                raise _missing("contract")
            login = Login(**values)
            login.contract = contract
            login.customer_id, login.branch_id, login.plan_id = (
                contract.customer_id,
                contract.branch_id,
                contract.plan_id,
            )
            if not login.password:
                raise ValidationError({"password": [_("Type a password or generate one.")]})
            # An MD5 password from IXC is the digest itself (login_create's password_is_digest).
            # The plan is the contract's own, so Login.clean's "plan of one of the customer's
            # contracts" holds by construction: it is left out of the check (one query a row).
            # The database constraints (a case-insensitive unique username, no spaces) are asked
            # below for the whole chunk and by clean()'s username pattern, not one query a row.
            login.plan_id = None
            login.full_clean(exclude=LOGIN_EXCLUDE, validate_unique=False, validate_constraints=False)
            login.plan_id = contract.plan_id
            login.plan = _plan(run, contract.plan_id)
            _branch_allowed(run, login.branch_id)
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], _reason(exc)))
            continue
        good.append((row, login))
    good = _unique(
        good,
        key=lambda lg: lg.username.lower(),
        taken=lambda keys: set(
            Login.objects.annotate(folded=Lower("username"))
            .filter(folded__in=keys)
            .values_list("folded", flat=True)
        ),
        message=lambda lg: _("This username is already in use."),
        result=result,
        field_name="username",
    )
    objects = [login for _row, login in good]
    insert(Login, objects)
    radius: dict[str, list] = defaultdict(list)
    for login in objects:
        for table, table_rows in projection.login_rows(login, address=None).items():
            radius[table].extend(projection.make_row(table, r) for r in table_rows)
    for model, table in ((RadCheck, "radcheck"), (RadReply, "radreply"), (RadUserGroup, "radusergroup")):
        insert(model, radius[table], ids=False)
    _audit_created(objects)
    _remember(run, ExternalKind.LOGIN, [(row["id"], lg.pk) for row, lg in good])
    result.created = len(objects)
    return result


# --- fn_areceber --------------------------------------------------------------------------------

INVOICE_EXCLUDE = _relations(Invoice)


def receivables(run: Run, rows: list[dict]) -> ChunkResult:
    """New open (A), partial (P) and received (R) receivables, each with its nosso número (kept, or
    taken from the wallet's sequence), boleto and PIX; a received one with its payment (method
    boleto, no late charges, as the per-row path settles it). Cancelled ones (C) go per row."""
    result = ChunkResult()
    cache = _cache(run)
    actor = run.actor
    contract_map, customer_map = run.id_map(ExternalKind.CONTRATO), run.id_map(ExternalKind.CLIENTE)
    contract_info = {
        pk: (customer_id, branch_id)
        for pk, customer_id, branch_id in Contract.objects.filter(
            pk__in={contract_map.get(r.get("id_contrato", "").strip()) for r in rows} - {None}
        ).values_list("pk", "customer_id", "branch_id")
    }
    customer_branch = dict(
        Customer.objects.filter(
            pk__in={customer_map.get(r.get("id_cliente", "").strip()) for r in rows} - {None}
        ).values_list("pk", "branch_id")
    )
    good: list[tuple[dict, Invoice, Payment | None]] = []
    without_number: dict[int, list[Invoice]] = defaultdict(list)
    for row in rows:
        status = text(row, "status").upper() or InvoiceStatus.OPEN
        if status == InvoiceStatus.CANCELLED:
            result.per_row.append(row)
            continue
        try:
            if status not in INVOICE_STATUSES:
                raise Refused(_("Unknown fn_areceber status %(code)s.") % {"code": status})
            invoice = _invoice(run, row, contract_info, customer_branch, cache)
            payment = _payment(run, row, invoice, status)
            invoice.full_clean(exclude=INVOICE_EXCLUDE, validate_unique=False)
            # The payment is built from the receivable's checked amounts (> 0, ≤ the amount,
            # method boleto, no charges): what Payment.full_clean would check holds by construction.
            _branch_allowed(run, invoice.branch_id)
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], _reason(exc)))
            continue
        good.append((row, invoice, payment))
        if invoice.nosso_numero is None:
            without_number[invoice.wallet_id].append(invoice)
    good = _unique(
        good,
        key=lambda invoice: (invoice.wallet_id, invoice.nosso_numero) if invoice.nosso_numero else None,
        taken=_numbers_taken,
        message=lambda invoice: (
            _("Nosso número %(number)s is already used in the wallet.") % {"number": invoice.nosso_numero}
        ),
        result=result,
        field_name="nn_boleto",
    )
    kept = {id(invoice) for _row, invoice, _p in good}
    for wallet_id, invoices in without_number.items():
        invoices = [i for i in invoices if id(i) in kept]
        numbers = take_nosso_numeros(
            cache["wallets"][wallet_id], len(invoices), issue_date=timezone.localdate()
        )
        for invoice, number in zip(invoices, numbers, strict=True):
            invoice.nosso_numero = number
    filled = []
    for row, invoice, payment in good:
        try:
            invoice_services.invoice_fill_charges(invoice)
        except ValidationError as exc:
            result.refused.append((row["id"], _reason(exc)))
            continue
        filled.append((row, invoice, payment))
    invoices = [invoice for _row, invoice, _p in filled]
    insert(Invoice, invoices)
    payments = []
    operator, operator_name = operator_of(actor), operator_name_of(actor)
    for _row, invoice, payment in filled:
        if payment is not None:
            payment.invoice = invoice
            payment.operator, payment.operator_name = operator, operator_name
            payments.append(payment)
    insert(Payment, payments)
    _audit_created(invoices + payments)
    _remember(run, ExternalKind.ARECEBER, [(row["id"], invoice.pk) for row, invoice, _p in filled])
    for invoice in invoices:
        run.highest_nosso_numero[invoice.wallet_id] = max(
            run.highest_nosso_numero.get(invoice.wallet_id, 0), invoice.nosso_numero
        )
    result.created = len(invoices)
    return result


def _numbers_taken(keys: set[tuple[int, int]]) -> set[tuple[int, int]]:
    by_wallet: dict[int, list[int]] = defaultdict(list)
    for wallet_id, number in keys:
        by_wallet[wallet_id].append(number)
    taken = set()
    for wallet_id, numbers in by_wallet.items():
        taken |= {
            (wallet_id, n)
            for n in Invoice.objects.filter(wallet_id=wallet_id, nosso_numero__in=numbers).values_list(
                "nosso_numero", flat=True
            )
        }
    return taken


def _invoice(run: Run, row: dict, contract_info: dict, customer_branch: dict, cache: dict) -> Invoice:
    customer_id = run.lookup(ExternalKind.CLIENTE, row.get("id_cliente", ""), label=_("Customer"))
    contract_id = None
    if digits(row.get("id_contrato")) not in ("", "0"):
        contract_id = run.lookup(ExternalKind.CONTRATO, row["id_contrato"], label=_("Contract"))
    if contract_id is not None:
        contract_customer, branch_id = contract_info[contract_id]
        if contract_customer != customer_id:
            raise ValidationError({"contract": [_("The contract belongs to another customer.")]})
    else:
        branch_id = customer_branch[customer_id]
    invoice = receivable_invoice(run, row, customer_id, contract_id, branch_id)
    invoice.wallet = cache["wallets"][invoice.wallet_id]
    invoice_services._check_discount(invoice)
    invoice_services._check_wallet(invoice)
    return invoice


def _payment(run: Run, row: dict, invoice: Invoice, status: str) -> Payment | None:
    """The payment ``payment_create`` would write for a received (R) or partial (P) receivable
    (method boleto, no fine, interest or discount), applied to the invoice as ``_recompute`` does."""
    if status not in (InvoiceStatus.RECEIVED, InvoiceStatus.PARTIAL):
        return None
    amount = money(row.get("valor_recebido")) if status == InvoiceStatus.PARTIAL else invoice.amount
    if amount <= 0:
        return None
    if amount > invoice.amount:
        raise ValidationError(
            {"amount": [_("The amount exceeds what is due (%(due)s).") % {"due": invoice.amount}]}
        )
    paid_on = date(row.get("pagamento_data")) or invoice.due_date
    invoice.paid_amount = amount
    if amount >= invoice.amount:
        invoice.status, invoice.paid_date = InvoiceStatus.RECEIVED, paid_on
    else:
        invoice.status = InvoiceStatus.PARTIAL
    return Payment(
        date=paid_on,
        amount=amount,
        method=PaymentMethod.BOLETO,
        fine=ZERO,
        interest=ZERO,
        discount=ZERO,
        notes=IMPORT_REASON,
    )


IMPORTERS = {
    "cliente": customers,
    "cliente_contrato": contracts,
    "radusuarios": logins,
    "fn_areceber": receivables,
}
