"""The load bench's data set: names, shares and credentials shared by ``bench/loaddata.py`` (which
writes them) and ``bench/locustfile.py`` (whose users log in with them). Plain Python: importing it
sets up neither Django nor Locust."""

import hashlib

#: Password of every operator account (one hash, computed once, copied to every account).
OPERATOR_PASSWORD = "enlace-load-operador"  # noqa: S105 - a scratch database's known password
#: Portal password of every subscriber (one hash, copied to every customer).
PORTAL_PASSWORD = "enlace-load-assinante"  # noqa: S105

#: Operator accounts: user name prefix → role (Django group of enlace.core.roles).
ROLES = {
    "administrador": "Administrador",
    "atendimento": "Atendimento",
    "financeiro": "Financeiro",
    "tecnico": "Técnico",
    "comercial": "Comercial",
}
OPERATORS_PER_ROLE = 40
#: API client accounts (role Atendimento: reads customers, contracts, logins and invoices).
API_CLIENTS = 40
API_ROLE = "Atendimento"

#: Shares of the data set, per customer.
MONTHS = 12  # monthly invoices: the 11 months before the current one (paid) and the current one
OVERDUE_SHARE = 0.03  # the month before the current one left unpaid (overdue)
CLOSED_SESSIONS = 3  # closed radacct sessions per login
OPEN_SESSION_SHARE = 0.85  # logins online now (one open session)
TICKETS_PER_CUSTOMER = 0.3

#: Name fragments an operator types in the customer search box (from bench/customers.py's names).
NAME_FRAGMENTS = [
    "silva",
    "maria",
    "ana",
    "sant",
    "olive",
    "souza",
    "marc",
    "joao silva",
    "maria santos",
    "valad",
    "zanet",
    "heitor",
    "brand",
    "xav",
]


def operator_username(prefix: str, k: int) -> str:
    return f"{prefix}{k:03d}"


def api_username(k: int) -> str:
    return f"api{k:03d}"


def api_token(k: int) -> str:
    """The DRF token key of API client ``k`` (40 hex characters, as DRF's own keys)."""
    return hashlib.sha1(f"enlace-load-api-{k}".encode()).hexdigest()  # noqa: S324 - not a secret


def portal_login(i: int) -> str:
    """Portal login of customer number ``i`` (0-based, in load order)."""
    return f"assinante{i:06d}"


def is_online(i: int) -> bool:
    """Whether login number ``i`` has an open accounting session."""
    return i % 100 < round(OPEN_SESSION_SHARE * 100)


def online_count(n: int) -> int:
    share = round(OPEN_SESSION_SHARE * 100)
    return n // 100 * share + min(n % 100, share)


def expected_counts(n: int) -> dict[str, int]:
    """Rows the loader writes for ``n`` customers (``--reuse`` checks them)."""
    return {
        "customers": n,
        "contracts": n,
        "logins": n,
        "recurring invoices": MONTHS * n,
        "sessions": CLOSED_SESSIONS * n + online_count(n),
        "tickets": int(n * TICKETS_PER_CUSTOMER),
    }
