"""IXC's tables as views of Enlace's models: column names and codes as IXC answers them, every
value a string (docs/ixc.md, "Webservice tables").

A ``Column`` names the ORM path it reads, how the value is written out (``out``) and how a
query value is brought to the database's form (``to_db``, e.g. ``"S"`` → ``True``, a formatted
CPF → its digits). The ``id`` of every table is Enlace's id."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from enlace.billing.models import Invoice
from enlace.contracts.models import Contract, Plan
from enlace.core.models import Branch, City
from enlace.core.scope import restrict
from enlace.customers.models import Customer
from enlace.radius.freeradius import RadAcct
from enlace.radius.models import Login
from enlace.support.models import ServiceOrder, Subject, Ticket, TicketMessage

from ..importer.common import digits
from ..models import ExternalId, ExternalKind


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "S" if value else "N"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def date_out(value) -> str:
    return text(value) if value else "0000-00-00"


def datetime_out(value) -> str:
    return text(value) if value else "0000-00-00 00:00:00"


def document_out(value) -> str:
    value = value or ""
    if len(value) == 11:
        return f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
    if len(value) == 14 and value.isdigit():
        return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    return value


def cep_out(value) -> str:
    value = value or ""
    return f"{value[:5]}-{value[5:]}" if len(value) == 8 else value


def yes_no(value: str) -> bool:
    return value.strip().upper() == "S"


def none_if_zero_date(value: str):
    return None if value.startswith("0000") or not value.strip() else value[:19]


@dataclass
class Column:
    path: str
    out: Callable[[Any], str] = text
    to_db: Callable[[str], Any] | None = None
    writable: str | None = None  # the service's field name when the column can be written


@dataclass
class Table:
    name: str
    model: type
    columns: dict[str, Column]
    annotate: Callable[[QuerySet], QuerySet] | None = None
    default_sort: str = "id"
    extra: dict = field(default_factory=dict)
    #: For a model outside the branch scope machinery (FreeRADIUS's radacct): (queryset, viewer) → rows.
    scope: Callable[[QuerySet, Any], QuerySet] | None = None
    #: IXC table of the imported rows' ids: adds the column ``id_ixc`` (the row's id in IXC).
    kind: str | None = None

    def __post_init__(self):
        if self.kind:
            self.columns["id_ixc"] = Column("ixc_id")

    def queryset(self) -> QuerySet:
        qs = self.model._default_manager.all()
        if self.kind:
            ixc = ExternalId.objects.filter(kind=self.kind, object_id=OuterRef("pk")).values("ixc_id")[:1]
            qs = qs.annotate(ixc_id=Subquery(ixc))
        return self.annotate(qs) if self.annotate else qs

    def visible(self, viewer) -> QuerySet:
        """The rows the operator may see: the model's view permission and branch scope."""
        if self.scope is not None:
            return self.scope(self.queryset(), viewer)
        return restrict(self.queryset(), viewer, "view")


def _online(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        online=Exists(RadAcct.objects.filter(username=OuterRef("username"), acctstoptime__isnull=True))
    )


def _paid_open(qs: QuerySet) -> QuerySet:
    return qs


def _sessions_of_visible_logins(qs: QuerySet, viewer) -> QuerySet:
    """radacct rows of the logins the operator sees (sessions have no branch of their own)."""
    logins = restrict(Login.objects.all(), viewer, "view")
    return qs.filter(username__in=logins.values("username"))


C = Column
TABLES: dict[str, Table] = {
    "cliente": Table(
        "cliente",
        Customer,
        {
            "id": C("pk"),
            "tipo_pessoa": C("person_type", writable="person_type"),
            "razao": C("name", writable="name"),
            "fantasia": C("trade_name", writable="trade_name"),
            "cnpj_cpf": C("cpf_cnpj", document_out, digits, writable="cpf_cnpj"),
            "ie_identidade": C("rg_ie", writable="rg_ie"),
            "data_nascimento": C("birth_date", date_out, none_if_zero_date, writable="birth_date"),
            "endereco": C("street", writable="street"),
            "numero": C("number", writable="number"),
            "complemento": C("complement", writable="complement"),
            "bairro": C("neighborhood", writable="neighborhood"),
            "cep": C("cep", cep_out, digits, writable="cep"),
            "cidade": C("city_id", writable="city_id"),
            "uf": C("city__state__abbr"),
            "referencia": C("reference_point", writable="reference_point"),
            "fone": C("phone", to_db=digits, writable="phone"),
            "telefone_celular": C("mobile_phone", to_db=digits, writable="mobile_phone"),
            "whatsapp": C("whatsapp", to_db=digits, writable="whatsapp"),
            "email": C("email", writable="email"),
            "hotsite_email": C("portal_login", writable="portal_login"),
            "ativo": C("active", to_db=yes_no, writable="active"),
            "obs": C("notes", writable="notes"),
            "alerta": C("alert", writable="alert"),
            "latitude": C("latitude", writable="latitude"),
            "longitude": C("longitude", writable="longitude"),
            "filial_id": C("branch_id", writable="branch_id"),
            "data_cadastro": C("created_at__date", date_out),
            "ultima_atualizacao": C("updated_at", datetime_out),
        },
        kind=ExternalKind.CLIENTE,
    ),
    "cliente_contrato": Table(
        "cliente_contrato",
        Contract,
        {
            "id": C("pk"),
            "id_cliente": C("customer_id"),
            "id_vd_contrato": C("plan_id"),
            "contrato": C("plan__name"),
            "status": C("status"),
            "status_internet": C("access_status"),
            "data": C("contract_date", date_out),
            "data_ativacao": C("activation_date", date_out),
            "data_assinatura": C("signature_date", date_out),
            "data_cancelamento": C("cancellation_date", date_out),
            "motivo_cancelamento": C("cancellation_reason"),
            "id_filial": C("branch_id"),
            "id_carteira_cobranca": C("wallet_id"),
            "dia_fixo_vencimento": C("due_day"),
            "desbloqueio_confianca_ativo": C("collection__trust_until", date_out),
            "obs": C("notes"),
            "endereco": C("street"),
            "numero": C("number"),
            "bairro": C("neighborhood"),
            "cep": C("cep", cep_out, digits),
            "cidade": C("city_id"),
            "data_cadastro_sistema": C("created_at__date", date_out),
        },
        kind=ExternalKind.CONTRATO,
    ),
    "vd_contratos": Table(
        "vd_contratos",
        Plan,
        {
            "id": C("pk"),
            "nome": C("name"),
            "valor_contrato": C("price"),
            "id_filial": C("branch_id"),
            "ativo": C("active", to_db=yes_no),
            "id_grupo": C("pk"),
        },
    ),
    "radgrupos": Table(
        "radgrupos",
        Plan,
        {
            "id": C("pk"),
            "grupo": C("name"),
            "download": C("download_kbps", lambda v: f"{v}k" if v else ""),
            "upload": C("upload_kbps", lambda v: f"{v}k" if v else ""),
        },
    ),
    "radusuarios": Table(
        "radusuarios",
        Login,
        {
            "id": C("pk"),
            "id_cliente": C("customer_id"),
            "id_contrato": C("contract_id"),
            "login": C("username"),
            "senha_md5": C("password_md5", to_db=yes_no),
            "ativo": C("active", to_db=yes_no),
            "online": C("online", to_db=yes_no),
            "autenticacao": C("auth_type"),
            "tipo_conexao_mapa": C("connection_type"),
            "mac": C("mac"),
            "ip": C("fixed_ip"),
            "id_grupo": C("plan_id"),
            "id_filial": C("branch_id"),
            "obs": C("notes"),
        },
        annotate=_online,
        kind=ExternalKind.LOGIN,
    ),
    "radacct": Table(
        "radacct",
        RadAcct,
        {
            "radacctid": C("radacctid"),
            "id": C("radacctid"),
            "username": C("username"),
            "acctsessionid": C("acctsessionid"),
            "nasipaddress": C("nasipaddress"),
            "framedipaddress": C("framedipaddress"),
            "acctstarttime": C("acctstarttime", datetime_out, none_if_zero_date),
            "acctstoptime": C("acctstoptime", datetime_out, none_if_zero_date),
            "acctinputoctets": C("acctinputoctets"),
            "acctoutputoctets": C("acctoutputoctets"),
            "acctterminatecause": C("acctterminatecause"),
            "callingstationid": C("callingstationid"),
        },
        default_sort="radacctid",
        scope=_sessions_of_visible_logins,
    ),
    "fn_areceber": Table(
        "fn_areceber",
        Invoice,
        {
            "id": C("pk"),
            "id_cliente": C("customer_id"),
            "id_contrato": C("contract_id"),
            "data_emissao": C("issue_date", date_out, none_if_zero_date),
            "data_vencimento": C("due_date", date_out, none_if_zero_date),
            "valor": C("amount"),
            "valor_recebido": C("paid_amount"),
            "status": C("status"),
            "nn_boleto": C("nosso_numero"),
            "linha_digitavel": C("digitable_line"),
            "pix_txid": C("pix_txid"),
            "pagamento_data": C("paid_date", date_out, none_if_zero_date),
            "id_carteira_cobranca": C("wallet_id"),
            "filial_id": C("branch_id"),
            "obs": C("description"),
            "cancelado_data": C("cancelled_at", datetime_out),
        },
        annotate=_paid_open,
        kind=ExternalKind.ARECEBER,
    ),
    "su_ticket": Table(
        "su_ticket",
        Ticket,
        {
            "id": C("pk"),
            "protocolo": C("protocol"),
            "id_cliente": C("customer_id"),
            "id_assunto": C("subject_id"),
            "id_contrato": C("contract_id"),
            "id_login": C("login_id"),
            "titulo": C("subject_description"),
            "menssagem": C("description"),
            "su_status": C("status"),
            "prioridade": C("priority"),
            "id_ticket_setor": C("department_id"),
            "id_responsavel_tecnico": C("responsible_id"),
            "data_criacao": C("opened_at", datetime_out, none_if_zero_date),
            "data_fechamento": C("closed_at", datetime_out, none_if_zero_date),
            "id_filial": C("branch_id"),
        },
        kind=ExternalKind.TICKET,
    ),
    "su_mensagens": Table(
        "su_mensagens",
        TicketMessage,
        {
            "id": C("pk"),
            "id_ticket": C("ticket_id"),
            "mensagem": C("text"),
            "data": C("created_at", datetime_out, none_if_zero_date),
            "visibilidade_mensagens": C("public", lambda v: "PU" if v else "PR"),
            "id_operador": C("author_id"),
        },
    ),
    "su_oss_chamado": Table(
        "su_oss_chamado",
        ServiceOrder,
        {
            "id": C("pk"),
            "protocolo": C("protocol"),
            "id_ticket": C("ticket_id"),
            "id_cliente": C("customer_id"),
            "id_contrato_kit": C("contract_id"),
            "id_login": C("login_id"),
            "id_assunto": C("subject_id"),
            "setor": C("department_id"),
            "id_tecnico": C("technician_id"),
            "status": C("status"),
            "prioridade": C("priority"),
            "mensagem": C("description"),
            "endereco": C("address"),
            "data_abertura": C("opened_at", datetime_out, none_if_zero_date),
            "data_agenda": C("scheduled_start", datetime_out, none_if_zero_date),
            "data_fechamento": C("finished_at", datetime_out, none_if_zero_date),
            "mensagem_resposta": C("closing_note"),
            "id_filial": C("branch_id"),
        },
    ),
    "su_oss_assunto": Table(
        "su_oss_assunto",
        Subject,
        {"id": C("pk"), "assunto": C("name"), "ativo": C("active", to_db=yes_no)},
    ),
    "filial": Table(
        "filial",
        Branch,
        {
            "id": C("pk"),
            "razao": C("legal_name"),
            "fantasia": C("name"),
            "cnpj": C("cnpj", document_out, digits),
        },
    ),
    "cidade": Table(
        "cidade",
        City,
        {"id": C("pk"), "nome": C("name"), "uf": C("state__abbr"), "cod_ibge": C("pk")},
        default_sort="id",
    ),
}
