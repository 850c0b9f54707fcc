"""The bulk path of the import: new rows of ``cliente``, ``cliente_contrato``, ``radusuarios`` and
``fn_areceber`` (``receivables``) in chunks (``runner.CHUNK`` rows), so that 100,000 customers
with their contracts, logins and a year of receivables import in minutes, not days (docs/ixc.md).

Every row is validated as the screens validate it — the row's values are built by the same
functions as the per-row path (``tables.customer_values`` …), the record runs the model's
``full_clean`` (field validators, ``clean()``, the check constraints evaluated in Python; through
``validation.Validator``, which checks each distinct value once) and the services' rule functions
(``customers.services._check_rules``, ``billing.services.invoices._check_wallet``/
``_check_discount``, ``invoice_fill_charges``) — but the rules that need one query per row are
asked once per chunk: the foreign keys (sets of known ids), a CPF/CNPJ already registered, a
portal login or RADIUS username in use, a nosso número taken. The good rows are then written in
bulk (``writing``: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere), together with what the
services would write beside them: the audit rows (``ObjectChange``, as ``core.audit`` records
them), the contract history entries, the FreeRADIUS rows of the logins
(``radius.projection.login_rows``), the payments of received receivables, and the ``ExternalId``
of each row.

What the bulk path does not cover goes to the per-row services (``tables``): a contract whose IXC
status is not "pre-contract" or "active with access", a cancelled receivable, a login with a
fixed IP or pool. Each function returns the refused rows (IXC id, reason) and the rows left for the
per-row path; a database error in a chunk's writes (a race, a constraint the chunk checks missed)
rolls the chunk back and the runner imports its rows one by one.
"""

from __future__ import annotations

import copy
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import AccessStatus, Contract, ContractHistory, ContractStatus
from enlace.core.exceptions import ApplicationError
from enlace.core.services import operator_name_of, operator_of
from enlace.customers import services as customer_services
from enlace.customers.models import Customer, CustomerSettings
from enlace.radius import projection
from enlace.radius.freeradius import RadCheck, RadReply, RadUserGroup
from enlace.radius.models import Login

from ..models import ExternalKind
from .chunks import ChunkResult, branch_allowed, cache, missing, plan, reason, relations, unique
from .common import Refused, Run, date, text
from .receivables import receivables
from .tables import CONTRACT_STATUSES, _portal_password, contract_values, customer_values, login_values
from .validation import Validator
from .writing import audit_created, insert, remember

# --- cliente -----------------------------------------------------------------------------------

CUSTOMER_EXCLUDE = ["search_name", "address_key", *relations(Customer)]


def customers(run: Run, rows: list[dict]) -> ChunkResult:
    result = ChunkResult()
    found = cache(run)
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
            if customer.branch_id not in found["branches"]:
                raise missing("branch")
            if customer.city_id is not None and customer.city_id not in found["cities"]:
                raise ValidationError(
                    {"city": [_("Select a valid choice. That choice is not one of the available choices.")]}
                )
            customer_services._check_rules(
                customer, actor=run.actor, params=per_row_rules, original=None, confirm_duplicate_address=True
            )
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], reason(exc)))
            continue
        good.append((row, customer))
    good = unique(
        good,
        key=lambda c: c.cpf_cnpj if (c.cpf_cnpj and not params.allow_duplicate_cpf_cnpj) else None,
        taken=lambda keys: set(Customer.objects.filter(cpf_cnpj__in=keys).values_list("cpf_cnpj", flat=True)),
        message=lambda c: (
            _("CPF/CNPJ %(document)s already belongs to another customer.") % {"document": c.cpf_cnpj_display}
        ),
        result=result,
        field_name="cpf_cnpj",
    )
    good = unique(
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
    audit_created(objects)
    remember(run, ExternalKind.CLIENTE, [(row["id"], c.pk) for row, c in good])
    result.created = len(objects)
    return result


# --- cliente_contrato ---------------------------------------------------------------------------

CONTRACT_EXCLUDE = relations(Contract)


def contracts(run: Run, rows: list[dict]) -> ChunkResult:
    """New contracts that IXC has as pre-contract (P) or active with access (A/A): created as
    ``contract_create`` and ``contract_activate`` leave them (record, history entries, audit).
    Other statuses go through the per-row action services."""
    result = ChunkResult()
    found = cache(run)
    validator = found.get("contract_validator")
    if validator is None:
        validator = found["contract_validator"] = Validator(Contract, exclude=CONTRACT_EXCLUDE)
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
            contract.plan = plan(run, contract.plan_id)
            contract.wallet = found["wallets"][contract.wallet_id]
            if contract.branch_id not in found["branches"]:
                raise missing("branch")
            if status == ContractStatus.ACTIVE:
                contract.status = ContractStatus.ACTIVE
                contract.access_status = AccessStatus.ACTIVE
                contract.activation_date = date(row.get("data_ativacao")) or timezone.localdate()
                contract.status_changed_at = contract.access_status_changed_at = now
            validator.full_clean(contract)
            branch_allowed(run, contract.branch_id)
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], reason(exc)))
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
    audit_created(objects + history)
    remember(run, ExternalKind.CONTRATO, [(row["id"], c.pk) for row, c in good])
    result.created = len(objects)
    return result


def _no_customer(row: dict):
    raise Refused(
        _("%(what)s %(id)s was not imported (missing or refused).")
        % {"what": _("Customer"), "id": row.get("id_cliente") or "—"}
    )


# --- radusuarios --------------------------------------------------------------------------------

LOGIN_EXCLUDE = relations(Login)


def logins(run: Run, rows: list[dict]) -> ChunkResult:
    """New logins as ``login_create`` leaves them: the record (an MD5 password kept as the digest
    IXC has), its audit row and its FreeRADIUS rows (radcheck, radreply, radusergroup)."""
    result = ChunkResult()
    found = cache(run)
    validator = found.get("login_validator")
    if validator is None:
        validator = found["login_validator"] = Validator(Login, exclude=LOGIN_EXCLUDE, constraints=False)
    contract_ids = {run.id_map(ExternalKind.CONTRATO).get(r.get("id_contrato", "").strip()) for r in rows}
    contracts_by_id = Contract.objects.in_bulk([pk for pk in contract_ids if pk])
    good: list[tuple[dict, Login]] = []
    for row in rows:
        try:
            values = login_values(run, row)
            contract = contracts_by_id.get(values["contract_id"])
            if contract is None:
                raise missing("contract")
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
            validator.full_clean(login)
            login.plan_id = contract.plan_id
            login.plan = plan(run, contract.plan_id)
            branch_allowed(run, login.branch_id)
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], reason(exc)))
            continue
        good.append((row, login))
    good = unique(
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
    audit_created(objects)
    remember(run, ExternalKind.LOGIN, [(row["id"], lg.pk) for row, lg in good])
    result.created = len(objects)
    return result


IMPORTERS = {
    "cliente": customers,
    "cliente_contrato": contracts,
    "radusuarios": logins,
    "fn_areceber": receivables,
}
