"""One importer per IXC table: an IXC row (column → string) becomes Enlace records through
Enlace's services — the validation and side effects of the screens (RADIUS rows of a login, the
contract history, the boleto of a receivable). Each returns ``created``, ``updated`` or
``unchanged`` (idempotent by the external id) or raises ``Refused``/``ValidationError``/
``ApplicationError`` with the reason. Column names and codes: docs/ixc.md."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.billing.models import Invoice, InvoiceKind, InvoiceStatus, PaymentMethod
from enlace.billing.services import invoices as invoice_services
from enlace.billing.services.invoices import invoice_cancel, invoice_fill_charges
from enlace.billing.services.payments import payment_create
from enlace.contracts import services as contract_services
from enlace.contracts.models import AccessStatus, Contract, ContractStatus, ContractType, Plan
from enlace.core.models import Branch, City, Department
from enlace.core.services import object_save
from enlace.customers.models import Customer, PersonType
from enlace.customers.services import customer_create, customer_update
from enlace.radius import services as radius_services
from enlace.radius.models import AuthType, Login
from enlace.support.models import Subject, Ticket
from enlace.support.services.processes import subject_save
from enlace.support.services.tickets import ticket_cancel, ticket_close, ticket_create

from ..models import ExternalKind
from .common import CREATED, UNCHANGED, UPDATED, Refused, Run, coordinate, date, digits, money, phone, text

# --- Codes (docs/ixc.md "Codes"): IXC's codes are the ones Enlace's models already use. ------

PERSON_TYPES = {"F": PersonType.INDIVIDUAL, "J": PersonType.COMPANY, "E": PersonType.FOREIGNER}
CONTRACT_STATUSES = set(ContractStatus.values)  # P A I N D
ACCESS_STATUSES = set(AccessStatus.values)  # A D CM CA FA AA
AUTH_TYPES = set(AuthType.values)  # L H M V D
INVOICE_STATUSES = set(InvoiceStatus.values)  # A R P C
TICKET_STATUSES = {
    "N": Ticket.Status.NEW,
    "EP": Ticket.Status.IN_PROGRESS,
    "S": Ticket.Status.SOLVED,
    "C": Ticket.Status.CANCELLED,
}
IMPORT_REASON = "Imported from IXC"
MD5_HEX = re.compile(r"^[0-9a-f]{32}$")


def _changed(instance, values: dict) -> dict:
    """The values that differ from the instance's (by attribute name)."""
    return {name: value for name, value in values.items() if getattr(instance, name) != value}


# --- filial, cidade: matched, not created -----------------------------------------------------


def import_filial(run: Run, row: dict) -> str:
    """A filial is matched to an Enlace branch by CNPJ (branches are set up by hand: wallets,
    certificates); rows of an unmatched filial go to the default branch."""
    cnpj = digits(row.get("cnpj"))
    branch_id = Branch.objects.filter(cnpj=cnpj).values_list("pk", flat=True).first() if cnpj else None
    if branch_id is None:
        raise Refused(
            _("No branch with CNPJ %(cnpj)s; its rows go to the default branch.") % {"cnpj": cnpj or "—"}
        )
    run.branches[row["id"]] = branch_id
    known = run.id_map(ExternalKind.FILIAL).get(row["id"])
    run.remember(ExternalKind.FILIAL, row["id"], branch_id)
    return UNCHANGED if known == branch_id else CREATED


def import_cidade(run: Run, row: dict) -> str:
    """A cidade is matched to the IBGE municipality by its IBGE code (``cod_ibge``), else by name
    and state."""
    code = digits(row.get("cod_ibge"))
    city_code = City.objects.filter(code=int(code)).values_list("pk", flat=True).first() if code else None
    if city_code is None and text(row, "nome"):
        city_code = (
            City.objects.filter(name__iexact=text(row, "nome"), state__abbr__iexact=text(row, "uf"))
            .values_list("pk", flat=True)
            .first()
        )
    if city_code is None:
        raise Refused(
            _("City %(name)s not found in the IBGE list.") % {"name": text(row, "nome") or row["id"]}
        )
    run.cities[row["id"]] = city_code
    known = run.id_map(ExternalKind.CIDADE).get(row["id"])
    run.remember(ExternalKind.CIDADE, row["id"], city_code)
    return UNCHANGED if known == city_code else CREATED


# --- vd_contratos → Plan ---------------------------------------------------------------------


def _kbps(value: str) -> int | None:
    """radgrupos speeds: "100M", "512k", "1G" or a number of kbit/s."""
    value = (value or "").strip().upper().replace(" ", "")
    match = re.match(r"^(\d+(?:[.,]\d+)?)([KMG]?)", value)
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    return int(number * {"": 1, "K": 1, "M": 1000, "G": 1_000_000}[match.group(2)]) or None


def import_vd_contratos(run: Run, row: dict, *, groups: dict[str, dict]) -> str:
    group = groups.get(text(row, "id_grupo")) or {}
    values = {
        "name": text(row, "nome")[:80] or f"IXC {row['id']}",
        "type": ContractType.INTERNET,
        "price": money(row.get("valor_contrato")),
        "branch_id": run.branch(row.get("id_filial")),
        "download_kbps": _kbps(group.get("download", "")) or 1000,
        "upload_kbps": _kbps(group.get("upload", "")) or 1000,
        "active": row.get("ativo", "S") != "N",
    }
    object_id = run.id_map(ExternalKind.PLANO).get(row["id"])
    if object_id is not None:
        plan = Plan.objects.get(pk=object_id)
        changes = _changed(plan, values)
        if not changes:
            return UNCHANGED
        for name, value in changes.items():
            setattr(plan, name, value)
        contract_services.plan_save(plan, actor=run.actor)
        return UPDATED
    plan = contract_services.plan_save(Plan(**values), actor=run.actor)
    run.remember(ExternalKind.PLANO, row["id"], plan.pk)
    return CREATED


def plan_for_branch(run: Run, ixc_plan_id: str, branch_id: int) -> int:
    """IXC's plans are global, Enlace's belong to one branch: the plan imported into the default
    branch is copied (once, through ``plan_save``) into another branch that sells it; the copy is
    remembered as ``<IXC id>:<branch id>``."""
    plan_id = run.lookup(ExternalKind.PLANO, ixc_plan_id, label=_("Plan"))
    if plan_id not in run.plan_branches:  # read once per plan, not once per contract
        run.plan_branches[plan_id] = Plan.objects.values_list("branch_id", flat=True).get(pk=plan_id)
    if run.plan_branches[plan_id] == branch_id:
        return plan_id
    key = f"{ixc_plan_id.strip()}:{branch_id}"
    copy_id = run.id_map(ExternalKind.PLANO).get(key)
    if copy_id is None:
        plan = Plan.objects.get(pk=plan_id)
        plan.pk = plan.id = None
        plan._state.adding = True
        plan.branch_id = branch_id
        plan = contract_services.plan_save(plan, actor=run.actor)
        run.remember(ExternalKind.PLANO, key, plan.pk)
        copy_id = plan.pk
    return copy_id


# --- cliente → Customer ----------------------------------------------------------------------


def customer_values(run: Run, row: dict) -> dict:
    person_type = PERSON_TYPES.get(text(row, "tipo_pessoa").upper())
    if person_type is None:
        raise Refused(_("Unknown tipo_pessoa %(code)s.") % {"code": text(row, "tipo_pessoa") or "—"})
    city = run.cities.get(text(row, "cidade"))
    if city is None and digits(row.get("cidade")) and len(digits(row.get("cidade"))) == 7:
        city = int(digits(row.get("cidade")))  # some exports carry the IBGE code itself
    values = {
        "person_type": person_type,
        "name": text(row, "razao"),
        "trade_name": text(row, "fantasia"),
        "cpf_cnpj": digits(row.get("cnpj_cpf")),
        "rg_ie": text(row, "ie_identidade")[:20],
        "birth_date": date(row.get("data_nascimento")),
        "street": text(row, "endereco")[:120],
        "number": text(row, "numero")[:20],
        "complement": text(row, "complemento")[:80],
        "neighborhood": text(row, "bairro")[:80],
        "cep": digits(row.get("cep"))[:8],
        "city_id": city,
        "reference_point": text(row, "referencia")[:200],
        "phone": phone(row.get("fone")),
        "mobile_phone": phone(row.get("telefone_celular")),
        "whatsapp": phone(row.get("whatsapp")),
        "email": text(row, "email"),
        "active": text(row, "ativo").upper() != "N",
        "notes": text(row, "obs"),
        "alert": text(row, "alerta"),
        "latitude": coordinate(row.get("latitude")),
        "longitude": coordinate(row.get("longitude")),
        "branch_id": run.branch(row.get("filial_id")),
        "portal_login": text(row, "hotsite_email") or None,
    }
    return values


def _portal_password(row: dict) -> str | None:
    """The portal password when it can be kept: IXC's ``senha`` in clear. A digest (MD5/SHA hex,
    crypt) cannot be verified by Enlace's hashers: then a reset is required."""
    value = row.get("senha") or ""
    if not value.strip() or value != value.strip():
        return None
    if (
        MD5_HEX.match(value.lower())
        or re.match(r"^[0-9a-f]{40,128}$", value.lower())
        or value.startswith("$")
    ):
        return None
    return value


def import_cliente(run: Run, row: dict) -> str:
    values = customer_values(run, row)
    password = _portal_password(row)
    object_id = run.id_map(ExternalKind.CLIENTE).get(row["id"])
    if object_id is not None:
        customer = Customer.objects.get(pk=object_id)
        changes = _changed(customer, values)
        if not changes:
            return UNCHANGED
        customer_update(actor=run.actor, customer=customer, confirm_duplicate_address=True, **changes)
        return UPDATED
    if password:
        values["portal_password"] = password
    elif values["portal_login"]:
        values["portal_change_password"] = True  # K-4: no verifiable password: reset on first access
    customer = customer_create(actor=run.actor, confirm_duplicate_address=True, **values)
    run.remember(ExternalKind.CLIENTE, row["id"], customer.pk)
    return CREATED


# --- cliente_contrato → Contract --------------------------------------------------------------


def _due_day(row: dict) -> int:
    """IXC's fixed due day when given (inferred column ``dia_fixo_vencimento``), else the day of the
    activation date, kept within 1–28 as Enlace requires."""
    day = digits(row.get("dia_fixo_vencimento"))
    if day and 1 <= int(day) <= 31:
        return min(int(day), 28)
    start = date(row.get("data_ativacao")) or date(row.get("data"))
    return min(start.day, 28) if start else 10


def contract_values(run: Run, row: dict) -> dict:
    customer_id = run.lookup(ExternalKind.CLIENTE, row.get("id_cliente", ""), label=_("Customer"))
    branch_id = run.branch(row.get("id_filial"))
    plan_id = plan_for_branch(run, row.get("id_vd_contrato", ""), branch_id)
    start = date(row.get("data")) or timezone.localdate()
    return {
        "customer_id": customer_id,
        "branch_id": branch_id,
        "plan_id": plan_id,
        "type": ContractType.INTERNET,
        "due_day": _due_day(row),
        "wallet_id": run.wallet(branch_id),
        "payment_condition_id": run.payment_condition_id,
        "first_billing_date": date(row.get("data_ativacao")) or start,
        "contract_date": start,
        "signature_date": date(row.get("data_assinatura")),
        "notes": text(row, "obs"),
    }


def _apply_status(run: Run, contract: Contract, row: dict) -> bool:
    """Bring the contract to IXC's ``status``/``status_internet`` with the action services (each
    writes its history entry and its RADIUS effect). Returns whether anything changed."""
    status = text(row, "status").upper() or ContractStatus.PRE_CONTRACT
    access = text(row, "status_internet").upper() or AccessStatus.ACTIVE
    if status not in CONTRACT_STATUSES:
        raise Refused(_("Unknown contract status %(code)s.") % {"code": status})
    if access not in ACCESS_STATUSES:
        raise Refused(_("Unknown status_internet %(code)s.") % {"code": access})
    changed = False
    if status == ContractStatus.ACTIVE and contract.status == ContractStatus.PRE_CONTRACT:
        contract_services.contract_activate(
            actor=run.actor, contract=contract, activation_date=date(row.get("data_ativacao"))
        )
        changed = True
    if status in (ContractStatus.INACTIVE, ContractStatus.GAVE_UP, ContractStatus.NEGATIVE):
        if contract.status not in (ContractStatus.INACTIVE, ContractStatus.GAVE_UP):
            contract_services.contract_cancel(
                actor=run.actor,
                contract=contract,
                reason=text(row, "motivo_cancelamento") or IMPORT_REASON,
                date=date(row.get("data_cancelamento")),
            )
            changed = True
        return changed
    if contract.status == ContractStatus.ACTIVE and contract.access_status != access:
        if access == AccessStatus.MANUAL_BLOCK:
            contract_services.contract_block(actor=run.actor, contract=contract, reason=IMPORT_REASON)
        else:
            contract_services.contract_set_access_status(
                actor=run.actor,
                contract=contract,
                access_status=access,
                reason=IMPORT_REASON,
                automatic=False,
            )
        changed = True
    return changed


def import_cliente_contrato(run: Run, row: dict) -> str:
    values = contract_values(run, row)
    object_id = run.id_map(ExternalKind.CONTRATO).get(row["id"])
    if object_id is not None:
        contract = Contract.objects.get(pk=object_id)
        values.pop("customer_id")
        changes = _changed(contract, values)
        if changes:
            contract_services.contract_update(actor=run.actor, contract=contract, **changes)
        status_changed = _apply_status(run, contract, row)
        return UPDATED if changes or status_changed else UNCHANGED
    with transaction.atomic():
        contract = contract_services.contract_create(actor=run.actor, **values)
        _apply_status(run, contract, row)
        run.remember(ExternalKind.CONTRATO, row["id"], contract.pk)
    return CREATED


# --- radusuarios → Login ---------------------------------------------------------------------


def login_values(run: Run, row: dict) -> dict:
    contract_id = run.lookup(ExternalKind.CONTRATO, row.get("id_contrato", ""), label=_("Contract"))
    auth = text(row, "autenticacao").upper() or AuthType.PPPOE
    if auth not in AUTH_TYPES:
        raise Refused(_("Unknown autenticacao %(code)s.") % {"code": auth})
    password = row.get("senha") or ""
    md5 = text(row, "senha_md5").upper() == "S"
    if md5 and not MD5_HEX.match(password.lower()):
        raise Refused(_("senha_md5 is S but the password is not an MD5 digest."))
    values = {
        "contract_id": contract_id,
        "username": text(row, "login"),
        "password": password.lower() if md5 else password,
        "password_md5": md5,
        "auth_type": auth,
        "active": text(row, "ativo").upper() != "N",
        "mac": text(row, "mac"),
    }
    return values


def _login_create_keeping(run: Run, values: dict) -> Login:
    """``login_create`` for an IXC login: an MD5 password is the digest IXC has, stored as it is
    (hashing it again would lose it)."""
    return radius_services.login_create(
        actor=run.actor, password_is_digest=bool(values["password_md5"]), **values
    )


def import_radusuarios(run: Run, row: dict) -> str:
    values = login_values(run, row)
    object_id = run.id_map(ExternalKind.LOGIN).get(row["id"])
    if object_id is not None:
        login = Login.objects.get(pk=object_id)
        values.pop("contract_id")
        changes = _changed(login, values)
        if not changes:
            return UNCHANGED
        if values["password_md5"] and "password" in changes:
            raise Refused(_("The MD5 password changed in IXC: set it again in Enlace."))
        radius_services.login_update(actor=run.actor, login=login, **changes)
        return UPDATED
    with transaction.atomic():
        login = _login_create_keeping(run, values)
        run.remember(ExternalKind.LOGIN, row["id"], login.pk)
    return CREATED


# --- fn_areceber → Invoice -------------------------------------------------------------------


def receivable_values(run: Run, row: dict, customer_id, contract_id, branch_id) -> dict:
    """The values of the one-off invoice of an ``fn_areceber`` row (the per-row and the bulk
    paths), by attribute name."""
    due = date(row.get("data_vencimento"))
    if due is None:
        raise ValidationError({"due_date": [_("This field is required.")]})
    number = digits(row.get("nn_boleto"))
    return {
        "customer_id": customer_id,
        "contract_id": contract_id,
        "branch_id": branch_id,
        "wallet_id": run.wallet(branch_id),
        "kind": InvoiceKind.ONE_OFF,
        "description": (text(row, "obs") or f"IXC {row['id']}")[:200],
        "issue_date": date(row.get("data_emissao")) or due,
        "due_date": due,
        "amount": money(row.get("valor")),
        "nosso_numero": int(number) if number else None,
    }


def receivable_invoice(run: Run, row: dict, customer_id, contract_id, branch_id) -> Invoice:
    """The unsaved one-off invoice of an ``fn_areceber`` row."""
    return Invoice(**receivable_values(run, row, customer_id, contract_id, branch_id))


def import_fn_areceber(run: Run, row: dict) -> str:
    """A receivable keeps its nosso número (``nn_boleto``); open, partial, paid and cancelled ones
    are imported, the payments through ``payment_create`` and the cancellation through
    ``invoice_cancel``. The wallet's sequence continues after the highest (see ``runner``)."""
    status = text(row, "status").upper() or InvoiceStatus.OPEN
    if status not in INVOICE_STATUSES:
        raise Refused(_("Unknown fn_areceber status %(code)s.") % {"code": status})
    object_id = run.id_map(ExternalKind.ARECEBER).get(row["id"])
    if object_id is not None:
        invoice = Invoice.objects.get(pk=object_id)
        return _settle(run, invoice, row, status)
    customer_id = run.lookup(ExternalKind.CLIENTE, row.get("id_cliente", ""), label=_("Customer"))
    contract_id = None
    if digits(row.get("id_contrato")) not in ("", "0"):
        contract_id = run.lookup(ExternalKind.CONTRATO, row["id_contrato"], label=_("Contract"))
    if contract_id:
        contract_customer, branch_id = Contract.objects.values_list("customer_id", "branch_id").get(
            pk=contract_id
        )
        if contract_customer != customer_id:  # as invoice_create refuses it
            raise ValidationError({"contract": [_("The contract belongs to another customer.")]})
    else:
        branch_id = Customer.objects.filter(pk=customer_id).values_list("branch_id", flat=True).first()
    nosso_numero = digits(row.get("nn_boleto"))
    invoice = receivable_invoice(run, row, customer_id, contract_id, branch_id)
    with transaction.atomic():
        invoice_services._check_discount(invoice)
        invoice_services._check_wallet(invoice)
        if invoice.nosso_numero is None:
            invoice.nosso_numero = invoice_services.take_nosso_numeros(
                invoice.wallet, issue_date=invoice.issue_date
            )[0]
        elif Invoice.objects.filter(wallet_id=invoice.wallet_id, nosso_numero=invoice.nosso_numero).exists():
            raise Refused(
                _("Nosso número %(number)s is already used in the wallet.") % {"number": nosso_numero}
            )
        invoice_fill_charges(invoice)
        object_save(invoice, actor=run.actor)
        run.highest_nosso_numero[invoice.wallet_id] = max(
            run.highest_nosso_numero.get(invoice.wallet_id, 0), invoice.nosso_numero
        )
        _settle(run, invoice, row, status)
        run.remember(ExternalKind.ARECEBER, row["id"], invoice.pk)
    return CREATED


def _settle(run: Run, invoice: Invoice, row: dict, status: str) -> str:
    """Bring a receivable to IXC's status: received (whole or part) or cancelled."""
    received = money(row.get("valor_recebido"))
    if status == InvoiceStatus.CANCELLED and invoice.is_open and not invoice.paid_amount:
        invoice_cancel(
            actor=run.actor, invoice=invoice, reason=text(row, "obs_cancelamento") or IMPORT_REASON
        )
        return UPDATED
    if status in (InvoiceStatus.RECEIVED, InvoiceStatus.PARTIAL) and invoice.is_open:
        due = (
            received - invoice.paid_amount
            if status == InvoiceStatus.PARTIAL
            else invoice.amount - invoice.paid_amount
        )
        if due > 0:
            payment_create(
                actor=run.actor,
                invoice=invoice,
                amount=due,
                date=date(row.get("pagamento_data")) or invoice.due_date,
                method=PaymentMethod.BOLETO,
                fine=0,
                interest=0,
                discount=0,
                notes=IMPORT_REASON,
            )
            invoice.refresh_from_db()
            return UPDATED
    return UNCHANGED


# --- su_oss_assunto → Subject; su_ticket → Ticket --------------------------------------------


def _department(run: Run) -> int:
    if run.department_id is None:
        department = Department.objects.filter(active=True, serves_tickets=True).order_by("pk").first()
        if department is None:
            department = object_save(Department(name="Atendimento"), actor=run.actor)
        run.department_id = department.pk
    return run.department_id


def import_su_oss_assunto(run: Run, row: dict) -> str:
    name = (text(row, "assunto") or f"IXC {row['id']}")[:80]
    object_id = run.id_map(ExternalKind.ASSUNTO).get(row["id"])
    if object_id is not None:
        return UNCHANGED
    subject = Subject.objects.filter(name=name).first()
    if subject is None:
        subject = subject_save(Subject(name=name, default_department_id=_department(run)), actor=run.actor)
    run.remember(ExternalKind.ASSUNTO, row["id"], subject.pk)
    return CREATED


def import_su_ticket(run: Run, row: dict) -> str:
    status = text(row, "su_status").upper() or "N"
    if status not in TICKET_STATUSES:
        raise Refused(_("Unknown su_status %(code)s.") % {"code": status})
    object_id = run.id_map(ExternalKind.TICKET).get(row["id"])
    if object_id is not None:
        ticket = Ticket.objects.get(pk=object_id)
        return UPDATED if _ticket_status(run, ticket, TICKET_STATUSES[status]) else UNCHANGED
    customer = Customer.objects.get(
        pk=run.lookup(ExternalKind.CLIENTE, row.get("id_cliente", ""), label=_("Customer"))
    )
    subject = Subject.objects.get(
        pk=run.lookup(ExternalKind.ASSUNTO, row.get("id_assunto", ""), label=_("Subject"))
    )
    contract = login = None
    if digits(row.get("id_login")) not in ("", "0"):
        login = Login.objects.get(pk=run.lookup(ExternalKind.LOGIN, row["id_login"], label=_("Login")))
    if digits(row.get("id_contrato")) not in ("", "0"):
        contract = Contract.objects.get(
            pk=run.lookup(ExternalKind.CONTRATO, row["id_contrato"], label=_("Contract"))
        )
    protocol = text(row, "protocolo")
    if protocol and Ticket.objects.filter(protocol=protocol).exists():
        raise Refused(_("Protocol %(protocol)s is already used.") % {"protocol": protocol})
    description = text(row, "menssagem") or text(row, "mensagem") or text(row, "titulo") or IMPORT_REASON
    with transaction.atomic():
        ticket = ticket_create(
            actor=run.actor,
            customer=customer,
            subject=subject,
            description=description,
            contract=contract,
            login=login,
            **({"subject_description": text(row, "titulo")[:200]} if text(row, "titulo") else {}),
        )
        if protocol:
            # The protocol the subscriber was given in IXC is kept (a number Enlace never hands out:
            # its protocols are YYYYMMDD + a daily sequence, and the unique index guards it).
            Ticket.objects.filter(pk=ticket.pk).update(protocol=protocol[:20])
            ticket.protocol = protocol[:20]
        opened = text(row, "data_criacao")
        if date(opened):
            Ticket.objects.filter(pk=ticket.pk).update(opened_at=_aware(opened))
        _ticket_status(run, ticket, TICKET_STATUSES[status])
        run.remember(ExternalKind.TICKET, row["id"], ticket.pk)
    return CREATED


def _aware(value: str):
    import datetime

    moment = datetime.datetime.fromisoformat(value.strip()[:19])
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _ticket_status(run: Run, ticket: Ticket, status: str) -> bool:
    if status == ticket.status or status in (Ticket.Status.NEW, Ticket.Status.IN_PROGRESS):
        return False
    if ticket.status in (Ticket.Status.SOLVED, Ticket.Status.CANCELLED):
        return False
    if status == Ticket.Status.SOLVED:
        ticket_close(actor=run.actor, ticket=ticket, note=IMPORT_REASON)
    else:
        ticket_cancel(actor=run.actor, ticket=ticket, reason=IMPORT_REASON)
    return True
