"""``manage.py seed_demo``: a small, believable ISP to look around in (demos, manual tests).

Idempotent: every record is looked up by its natural key (CNPJ, code, name, user name) and only
created when missing, so running the command twice creates nothing twice, and records an operator
changed afterwards are left as they are. Writes go through the core services (``object_save``,
``parameters_update``, ``operator_save``) in one transaction and are attributed to the source
"command" in the audit trail. Operators get ``$DEMO_PASSWORD`` or ``enlace-demo``.

Extending it: each area adds one step. Core's steps are the ``seed_*`` functions below, listed in
``CORE_STEPS``; a higher app (customers, contracts, billing, ...) ships ``enlace/<app>/demo.py``
with a ``seed(demo: Demo)`` function, which this command calls after core's steps in the order of
``INSTALLED_APPS`` (so core never imports a higher app). Steps share what they made through
``demo.objects`` (e.g. ``demo.objects["branch_main"]``) and create records with ``demo.ensure``.
"""

import importlib
import importlib.util
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from stdnum.br import cnpj as stdnum_cnpj

from enlace.core import context, parameters, roles
from enlace.core.exceptions import ApplicationError
from enlace.core.models import (
    AnalyticAccount,
    Branch,
    City,
    Department,
    Employee,
    GeneralParameters,
    PaymentCondition,
)
from enlace.core.operators import operator_save
from enlace.core.services import object_save, parameters_update

DEFAULT_PASSWORD = "enlace-demo"  # noqa: S105 — the documented demo password (README)
COMPANY_NAME = "Horizonte Fibra Telecom"
LEGAL_NAME = "Horizonte Fibra Telecomunicações Ltda"
CNPJ_ROOT = "41508273"  # fictitious company root; each branch gets its order number and check digits
EMAIL_DOMAIN = "horizontefibra.example"


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def make_cnpj(root: str, order: int) -> str:
    """A valid CNPJ for establishment `order` of the company `root` (check digits by python-stdnum)."""
    base = f"{root}{order:04d}"
    return stdnum_cnpj.validate(base + stdnum_cnpj.calc_check_digits(base))


@dataclass
class Demo:
    """What the steps share: the password, the objects made so far and the counts."""

    password: str
    objects: dict = field(default_factory=dict)
    created: Counter = field(default_factory=Counter)
    summary: list = field(default_factory=list)  # models shown in the summary, in the order first touched

    def track(self, model: type[models.Model]):
        if model not in self.summary:
            self.summary.append(model)

    def ensure(
        self, model: type[models.Model], lookup: dict, defaults: dict | None = None, m2m: dict | None = None
    ):
        """The record matching `lookup`, created through ``object_save`` with `defaults` if missing."""
        self.track(model)
        obj = model.objects.filter(**lookup).first()
        if obj is not None:
            return obj
        obj = object_save(model(**lookup, **(defaults or {})), actor=None, m2m=m2m)
        self.created[model._meta.label] += 1
        return obj

    def ensure_user(
        self, username: str, *, first_name: str, last_name: str, role: str, superuser: bool = False
    ):
        """An operator account in the role's group, created through ``operator_save`` if missing.

        An existing account is left as it is (password and roles included).
        """
        User = get_user_model()
        self.track(User)
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        group = Group.objects.filter(name=role).first()
        if group is None:
            raise CommandError(f"Role {role!r} does not exist: run `manage.py migrate` first.")
        user = User(
            username=username,
            email=f"{username}@{EMAIL_DOMAIN}",
            first_name=first_name,
            last_name=last_name,
            is_superuser=superuser,
            is_staff=superuser,
        )
        operator_save(user=user, password=self.password, groups=[group], actor=None)
        self.created[User._meta.label] += 1
        return user


# --- Core steps -----------------------------------------------------------------------------


ANALYTIC_ACCOUNTS = [
    # (code, name, kind)
    ("1", "Receitas", AnalyticAccount.Kind.REVENUE),
    ("1.01", "Serviços de internet", AnalyticAccount.Kind.REVENUE),
    ("1.01.001", "Mensalidades", AnalyticAccount.Kind.REVENUE),
    ("1.01.002", "Taxas de instalação", AnalyticAccount.Kind.REVENUE),
    ("1.01.003", "Multas e juros", AnalyticAccount.Kind.REVENUE),
    ("1.02", "Vendas", AnalyticAccount.Kind.REVENUE),
    ("1.02.001", "Venda de equipamentos", AnalyticAccount.Kind.REVENUE),
    ("2", "Despesas", AnalyticAccount.Kind.EXPENSE),
    ("2.01", "Custos operacionais", AnalyticAccount.Kind.EXPENSE),
    ("2.01.001", "Link de trânsito IP", AnalyticAccount.Kind.EXPENSE),
    ("2.01.002", "Manutenção de rede", AnalyticAccount.Kind.EXPENSE),
    ("2.02", "Despesas administrativas", AnalyticAccount.Kind.EXPENSE),
    ("2.02.001", "Salários e encargos", AnalyticAccount.Kind.EXPENSE),
    ("2.02.002", "Tarifas bancárias", AnalyticAccount.Kind.EXPENSE),
]


def seed_analytic_accounts(demo: Demo):
    for code, name, kind in ANALYTIC_ACCOUNTS:
        parent_code = code.rpartition(".")[0]
        parent = AnalyticAccount.objects.get(code=parent_code) if parent_code else None
        account = demo.ensure(AnalyticAccount, {"code": code}, {"name": name, "kind": kind, "parent": parent})
        demo.objects[f"account_{code}"] = account


PAYMENT_CONDITIONS = [
    # (name, instalments, days to first due date, days between)
    ("À vista", 1, 0, 30),
    ("2x 30/60", 2, 30, 30),
    ("3x 30/60/90", 3, 30, 30),
]


def seed_payment_conditions(demo: Demo):
    for name, instalments, first_due_days, days_between in PAYMENT_CONDITIONS:
        demo.objects[f"payment_{name}"] = demo.ensure(
            PaymentCondition,
            {"name": name},
            {"instalments": instalments, "first_due_days": first_due_days, "days_between": days_between},
        )


BRANCHES = [
    {
        "key": "branch_main",
        "order": 1,  # establishment number in the CNPJ (0001 = head office)
        "name": "Matriz Ribeirão Preto",
        "city": 3543402,  # IBGE: Ribeirão Preto/SP
        "cep": "14015040",
        "street": "Rua General Osório",
        "number": "820",
        "neighborhood": "Centro",
        "phone": "1639410000",
        "email": f"matriz@{EMAIL_DOMAIN}",
    },
    {
        "key": "branch_second",
        "order": 2,
        "name": "Filial Franca",
        "city": 3516200,  # IBGE: Franca/SP
        "cep": "14400490",
        "street": "Rua Voluntários da Franca",
        "number": "1450",
        "neighborhood": "Centro",
        "phone": "1637220000",
        "email": f"franca@{EMAIL_DOMAIN}",
    },
]


def seed_branches(demo: Demo):
    for spec in BRANCHES:
        values = dict(spec)
        key, order = values.pop("key"), values.pop("order")
        values["city"] = City.objects.get(code=values["city"])
        demo.objects[key] = demo.ensure(
            Branch, {"cnpj": make_cnpj(CNPJ_ROOT, order)}, {"legal_name": LEGAL_NAME, **values}
        )


def seed_parameters(demo: Demo):
    """Fill the general parameters that are still at their installation defaults (every app's
    settings row, read as one: ``enlace.core.parameters``)."""
    params = parameters.load()
    default_name = GeneralParameters._meta.get_field("company_name").default
    changes = {}
    if params.company_name == default_name:
        changes["company_name"] = COMPANY_NAME
    if params.default_branch_id is None:
        changes["default_branch"] = demo.objects["branch_main"]
    if params.default_analytic_account_id is None:
        changes["default_analytic_account"] = demo.objects["account_1.01.001"]
    if changes:
        parameters_update(actor=None, **changes)
        demo.created["general parameters set"] += len(changes)


DEPARTMENTS = [
    ("Suporte técnico", "suporte"),
    ("Financeiro", "financeiro"),
    ("Comercial", "comercial"),
    ("Instalação", "instalacao"),
]


def seed_departments(demo: Demo):
    for name, mailbox in DEPARTMENTS:
        demo.objects[f"department_{name}"] = demo.ensure(
            Department, {"name": name}, {"email": f"{mailbox}@{EMAIL_DOMAIN}"}
        )


OPERATORS = [
    # (user name, first name, last name, role, department, flags, branch keys — empty: every branch)
    ("admin", "Marina", "Alves", roles.ADMINISTRATOR, None, {}, []),
    ("atendimento", "Ana", "Souza", roles.ATTENDANCE, "Suporte técnico", {"is_attendant": True}, []),
    ("financeiro", "Fernanda", "Lima", roles.FINANCE, "Financeiro", {}, []),
    ("tecnico", "Tiago", "Rocha", roles.TECHNICIAN, "Instalação", {"is_technician": True}, ["branch_second"]),
    ("comercial", "Carlos", "Mendes", roles.COMMERCIAL, "Comercial", {"is_salesperson": True}, []),
]

FIELD_STAFF = [
    # Employees without an operator account (technicians and salespeople in the field).
    ("José Pereira", "Instalação", {"is_technician": True}, ["branch_main"], "16991110001"),
    ("Paulo Santos", "Instalação", {"is_technician": True}, ["branch_second"], "16991110002"),
    ("Juliana Costa", "Comercial", {"is_salesperson": True}, ["branch_main"], "16991110003"),
]


def seed_operators(demo: Demo):
    for username, first, last, role, department, flags, branch_keys in OPERATORS:
        user = demo.ensure_user(
            username, first_name=first, last_name=last, role=role, superuser=username == "admin"
        )
        demo.objects[f"user_{username}"] = user
        demo.ensure(
            Employee,
            {"user": user},
            {
                "name": f"{first} {last}",
                "email": user.email,
                "department": demo.objects[f"department_{department}"] if department else None,
                **flags,
            },
            m2m={"branches": [demo.objects[key] for key in branch_keys]},
        )
    for name, department, flags, branch_keys, phone in FIELD_STAFF:
        demo.ensure(
            Employee,
            {"name": name, "user": None},
            {"department": demo.objects[f"department_{department}"], "phone": phone, **flags},
            m2m={"branches": [demo.objects[key] for key in branch_keys]},
        )


CORE_STEPS: list[Callable[[Demo], None]] = [
    seed_analytic_accounts,
    seed_payment_conditions,
    seed_branches,
    seed_parameters,
    seed_departments,
    seed_operators,
]


def app_steps() -> list[Callable[[Demo], None]]:
    """``seed(demo)`` of every installed Enlace app but core that ships a ``demo`` module."""
    steps = []
    for config in apps.get_app_configs():
        if not config.name.startswith("enlace.") or config.name == "enlace.core":
            continue
        module_name = f"{config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        seed = getattr(importlib.import_module(module_name), "seed", None)
        if callable(seed):
            steps.append(seed)
    return steps


def _error_dict(exc: ValidationError):
    return exc.message_dict.items() if hasattr(exc, "error_dict") else [("error", exc.messages)]


def _step_name(step) -> str:
    if step.__name__ == "seed":  # enlace.<app>.demo.seed
        return step.__module__.split(".")[-2]
    return step.__name__.removeprefix("seed_")


# --- Command --------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Create a small demo ISP: company parameters, two branches, departments, employees, one "
        "operator per role, payment conditions and analytic accounts. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=None,
            help=f"Password of the demo operators (default: $DEMO_PASSWORD or {DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has a user (used by `make run`).",
        )

    def handle(self, *args, password=None, if_empty=False, **options):
        User = get_user_model()
        quiet = options.get("verbosity", 1) < 1  # `make run` prints the logins itself
        if if_empty and User.objects.exists():
            if not quiet:
                self.stdout.write("The database already has users: demo data not created.")
            return
        demo = Demo(password=password or demo_password())
        steps = CORE_STEPS + app_steps()
        try:
            with context.acting_as(None, source="command"), transaction.atomic():
                for step in steps:
                    step(demo)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in _error_dict(exc))
            ) from exc
        if not quiet:
            self._summary(demo, steps)

    def _summary(self, demo: Demo, steps):
        self.stdout.write(self.style.SUCCESS(f"Demo ISP ready: {GeneralParameters.load().company_name}"))
        rows = [
            (model._meta.verbose_name_plural, model.objects.count(), demo.created.get(model._meta.label, 0))
            for model in demo.summary
        ]
        labels = {model._meta.label for model in demo.summary}
        rows += [(label, "", n) for label, n in demo.created.items() if label not in labels]
        width = max(len(str(name)) for name, _total, _new in rows)
        self.stdout.write(f"  {'record':<{width}}  {'total':>6}  {'created now':>11}")
        for name, total, new in rows:
            self.stdout.write(f"  {str(name):<{width}}  {total!s:>6}  {new:>11}")
        self.stdout.write(f"  steps: {', '.join(_step_name(step) for step in steps)}")
        self.stdout.write("")
        self.stdout.write(f"Operators (password of the accounts created by this command: {demo.password}):")
        for username, first, last, role, _department, _flags, branch_keys in OPERATORS:
            where = ", ".join(demo.objects[key].name for key in branch_keys) or "every branch"
            self.stdout.write(f"  {username:<12} {role:<14} {first} {last} — {where}")
