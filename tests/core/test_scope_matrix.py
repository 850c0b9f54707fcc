"""Branch scope on every page and API route (issue 14, items 1-3).

One data set per branch (branch A and branch B, every branch-scoped record). Operators of each
default role, limited to branch A, then ask for branch B's records through every staff URL that
takes an id (found in the URL conf, not a hand list) and every detail route of the API router:

- another branch's record answers 404 — or 403 where the role lacks the permission, which tells
  nothing either — by GET and by POST/PATCH/PUT/DELETE, and nothing changes;
- the operator's own record answers (so the 404 is the scope, not a broken page);
- every form on the pages offers no record the operator cannot see, and posting another branch's
  id is refused on the field, exactly as a missing id.

A URL with an id whose record kind is unknown here fails the coverage test until it is added to
``ID_KIND`` (when its id is not its view's model) or to ``EXEMPT_KINDS`` with a reason.
"""

import datetime
from decimal import Decimal

import pytest
from django import forms as django_forms
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.formsets import BaseFormSet
from django.test.utils import ContextList
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from enlace.billing.models import BillingRun, CnabImport, Invoice, Payment, Remittance
from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create
from enlace.billing.services.renegotiation import renegotiation_start
from enlace.contracts.services import contract_create, history_add
from enlace.core import roles
from enlace.core.models import Department, Employee, ObjectChange, PaymentCondition
from enlace.core.scope import restrict, scope_rule
from enlace.customers.files.services import customer_file_create
from enlace.customers.services import customer_create
from enlace.messaging.models import Message, MessageRule
from enlace.radius.models import IpPool, Nas
from enlace.radius.services import login_create, nas_save, pool_save
from enlace.sales.models import Product
from enlace.sales.services import product_save, sale_create
from enlace.support.models import Subject
from enlace.support.services import service_order_create, ticket_create
from tests.helpers.contracts import make_plan, make_wallet

pytestmark = pytest.mark.django_db

ROLES = [roles.ADMINISTRATOR, roles.ATTENDANCE, roles.FINANCE, roles.TECHNICIAN, roles.COMMERCIAL]

#: URL name → the kind of record its id names, where that is not the view's model (tabs of the
#: customer and contract pages, a customer's files).
ID_KIND = {
    "customers:customer_tab_files": "customer",
    "customers:customerfile_add": "customer",
    "contracts:customer_tab_contracts": "customer",
    "contracts:customer_tab_history": "customer",
    "contracts:customer_history_pdf": "customer",
    "radius:customer_tab_logins": "customer",
    "radius:contract_tab_logins": "contract",
    "billing:customer_tab_finance": "customer",
    "billing:contract_tab_finance": "contract",
    "support:customer_tab_tickets": "customer",
    "support:customer_tab_orders": "customer",
    "sales:customer_tab_sales": "customer",
    "messaging:customer_tab_messages": "customer",
    "messaging:customer_preference": "customer",
    "messaging:invoice_messages": "invoice",
    "fiscal:invoice_issue": "invoice",
    "fiscal:invoice_panel": "invoice",
    "ixc_ui:operator_token": "user",
}

#: Kinds not covered, with the reason (their models declare ``branch_scope = None``).
EXEMPT_KINDS = {
    "department": "reference data shared by every branch",
    "paymentcondition": "reference data shared by every branch",
    "analyticaccount": "reference data shared by every branch",
    "subject": "reference data shared by every branch",
    "process": "reference data shared by every branch",
    "processstep": "reference data shared by every branch (a step of a process)",
    "product": "reference data shared by every branch",
    "productfiscalprofile": "reference data shared by every branch (a product's classification)",
    "objectchange": "the global audit trail, for operators of every branch only "
    "(test_the_global_audit_trail_is_for_operators_of_every_branch)",
}

#: Other URL arguments of the URLs that take more than an id.
EXTRA_KWARGS = {
    "contracts:contract_action": {"name": "block"},
    "support:ticket_action": {"name": "close"},
    "support:serviceorder_action": {"name": "start"},
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- The URLs -------------------------------------------------------------------------------


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


def staff_urls_with_an_id() -> dict[str, type]:
    """Every operator URL that takes an id: name → view class (portal, API and admin apart)."""
    found = {}
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace in {"portal", "api", "admin"} or "pk" not in pattern.pattern.regex.groupindex:
            continue
        found[f"{namespace}:{pattern.name}"] = pattern.callback.view_class
    return found


def staff_list_urls() -> list[str]:
    return [
        f"{namespace}:{pattern.name}"
        for namespace, pattern in _walk(get_resolver().url_patterns)
        if namespace not in {"portal", "api", "admin", None}
        and pattern.name
        and pattern.name.endswith("_list")
    ]


def kind_of(name: str, view_class) -> str | None:
    if name in ID_KIND:
        return ID_KIND[name]
    model = getattr(view_class, "model", None)
    return model._meta.model_name if model is not None else None


def api_routes_with_an_id() -> list[tuple[str, object]]:
    """Every router route that takes an id (format-suffix variants apart): name → view function."""
    found = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        regex = pattern.pattern.regex
        if namespace == "api" and "pk" in regex.groupindex and "format" not in regex.groupindex:
            found.append((pattern.name, pattern.callback))
    return found


#: API views that are not viewsets (``api_urls`` of the apps): name → the kind of record of the id.
API_ID_KIND = {
    "invoice-boleto-pdf": "invoice",
    "payment-receipt-pdf": "payment",
    "contract-trust-unlock": "contract",
    "customer-history-pdf": "customer",
}


def api_kind(name, view) -> str | None:
    if name in API_ID_KIND:
        return API_ID_KIND[name]
    queryset = getattr(getattr(view, "cls", None), "queryset", None)
    return queryset.model._meta.model_name if queryset is not None else None


def api_methods(view) -> list[str]:
    if getattr(view, "actions", None):
        return sorted(view.actions)
    return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view.view_class, m)]


def api_list_routes() -> list[tuple[str, object]]:
    return [
        (pattern.name, pattern.callback)
        for namespace, pattern in _walk(get_resolver().url_patterns)
        if namespace == "api"
        and pattern.name
        and pattern.name.endswith("-list")
        and "format" not in pattern.pattern.regex.groupindex
    ]


def test_every_url_with_an_id_is_covered_or_exempt(db):
    kinds = set(RECORD_KINDS) | set(EXEMPT_KINDS)
    staff = staff_urls_with_an_id()
    missing = {name: kind_of(name, view) for name, view in staff.items() if kind_of(name, view) not in kinds}
    assert not missing, f"URLs with an id neither covered nor exempt: {missing}"
    routes = api_routes_with_an_id()
    missing = [name for name, view in routes if api_kind(name, view) not in kinds]
    assert not missing, f"API routes with an id neither covered nor exempt: {missing}"
    from django.apps import apps

    models = {model._meta.model_name: model for model in apps.get_models()}
    for kind in set(EXEMPT_KINDS) - {"objectchange"}:  # exempt only what is declared not branch-scoped
        assert scope_rule(models[kind]) is None, kind


def test_the_global_audit_trail_is_for_operators_of_every_branch(operator_a_admin, admin_user, branch_b):
    from django.contrib.contenttypes.models import ContentType

    change = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(branch_b), object_id=branch_b.pk
    )
    web, api = _client(operator_a_admin), _api(operator_a_admin)
    assert operator_a_admin.has_perm("core.view_objectchange")  # Administrador, limited to branch A
    assert api.get(reverse("api:objectchange-detail", args=[change.pk])).status_code == 404
    assert api.get(reverse("api:objectchange-list")).json()["count"] == 0
    assert "Filial Campinas" not in web.get(reverse("core:objectchange_list")).text
    assert _api(admin_user).get(reverse("api:objectchange-detail", args=[change.pk])).status_code == 200


# --- The data set ---------------------------------------------------------------------------

RECORD_KINDS = [
    "branch",
    "employee",
    "user",
    "wallet",
    "plan",
    "customer",
    "contract",
    "contracthistory",
    "customerfile",
    "nas",
    "ippool",
    "login",
    "invoice",
    "payment",
    "cnabimport",
    "billingrun",
    "renegotiation",
    "ticket",
    "serviceorder",
    "sale",
    "messagerule",
    "message",
    "remittance",
    "fiscalsettings",
    "fiscaldocument",
    "planfiscalprofile",
]


def build_branch(admin, branch, n, reference) -> dict:
    """Every branch-scoped record of ``branch`` (``n`` keeps unique values apart)."""
    employee = Employee.objects.create(
        name=f"Vendedor {n}", is_salesperson=True, is_technician=True, is_attendant=True
    )
    employee.branches.set([branch])
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=f"colega{n}", password="s3nha-Forte!")
    Employee.objects.create(name=f"Colega {n}", user=user).branches.set([branch])
    wallet = make_wallet(branch, name=f"Carteira {n}", pix_key=f"pix{n}@enlace.com.br")
    plan = make_plan(branch, name=f"Fibra {n}")
    customer = customer_create(
        actor=admin,
        name=f"Cliente {n}",
        person_type="F",
        cpf_cnpj=["52998224725", "11144477735"][n],
        branch=branch,
        salesperson=employee,
    )
    contract = contract_create(
        actor=admin,
        customer=customer,
        branch=branch,
        plan=plan,
        type="I",
        due_day=10,
        wallet=wallet,
        payment_condition=reference["condition"],
        first_billing_date=datetime.date(2026, 12, 10),
        salesperson=employee,
    )
    history = history_add(actor=admin, customer=customer, contract=contract, text="Nota", manual=True)
    file = customer_file_create(
        actor=admin,
        customer=customer,
        description="Contrato assinado",
        upload=SimpleUploadedFile("contrato.pdf", PDF, content_type="application/pdf"),
    )
    nas = nas_save(Nas(name=f"BNG {n}", ip=f"10.0.{n}.1", secret="s", branch=branch), actor=admin)
    pool = pool_save(IpPool(name=f"Pool {n}", ranges=[f"100.64.{n}.0/29"], branch=branch), actor=admin)
    login = login_create(
        actor=admin,
        contract=contract,
        username=f"cliente{n}@fibra",
        password="segredo123",
        fixed_ip=f"100.65.{n}.9",
    )

    def invoice(day):
        return invoice_create(
            actor=admin,
            customer=customer,
            contract=contract,
            wallet=wallet,
            due_date=datetime.date(2027, 1, day),
            amount=Decimal("99.90"),
        )

    open_invoice, paid_invoice, held_invoice = invoice(10), invoice(11), invoice(12)
    payment = payment_create(actor=admin, invoice=paid_invoice)
    cnab = CnabImport.objects.create(
        wallet=wallet, file_name=f"retorno{n}.ret", sha256=f"{n}" * 64, layout="240", bank_code="756"
    )
    run = BillingRun.objects.create(period="2027-01", branch=branch, status=BillingRun.Status.DONE)
    renegotiation = renegotiation_start(actor=admin, customer=customer, invoices=[held_invoice])
    ticket = ticket_create(
        actor=admin, customer=customer, subject=reference["subject"], description="Sem sinal"
    )
    order = service_order_create(
        actor=admin, subject=reference["os_subject"], description="Visita", customer=customer
    )
    sale = sale_create(actor=admin, customer=customer, items=[{"product": reference["product"]}])
    rule = MessageRule.objects.create(
        branch=branch, name=f"Régua {n}", event="overdue", days=5, subject="Aviso", body_text="Texto"
    )
    message = Message.objects.create(
        rule=rule,
        event="overdue",
        channel="email",
        key=f"invoice:{open_invoice.pk}",
        customer=customer,
        invoice=open_invoice,
        recipient=f"cliente{n}@example.com",
        text="Texto",
    )
    remittance = Remittance(
        wallet=wallet,
        sequence=1,
        layout="240",
        bank_code="756",
        file_name=f"remessa{n}.rem",
        sha256=f"{n}" * 64,
        size=3,
        title_count=0,
    )
    remittance.file.save(f"remessa{n}.rem", ContentFile(b"x\r\n"), save=False)
    remittance.save()
    from enlace.fiscal.models import FiscalDocument, FiscalSettings, PlanFiscalProfile

    fiscal = FiscalSettings.objects.create(branch=branch, cnpj=branch.cnpj, ie="123", city=branch.city)
    fiscal_document = FiscalDocument.objects.create(
        branch=branch,
        invoice=open_invoice,
        cnpj=branch.cnpj,
        series=1,
        number=1,
        environment="2",
        key=f"{n}" * 44,
        amount=Decimal("99.90"),
        issued_at=timezone.now(),
        xml=b"<NFCom/>",
    )
    return {
        "planfiscalprofile": PlanFiscalProfile.objects.create(plan=plan),
        "fiscalsettings": fiscal,
        "fiscaldocument": fiscal_document,
        "remittance": remittance,
        "branch": branch,
        "employee": employee,
        "user": user,
        "wallet": wallet,
        "plan": plan,
        "customer": customer,
        "contract": contract,
        "contracthistory": history,
        "customerfile": file,
        "nas": nas,
        "ippool": pool,
        "login": login,
        "invoice": open_invoice,
        "payment": payment,
        "cnabimport": cnab,
        "billingrun": run,
        "renegotiation": renegotiation,
        "ticket": ticket,
        "serviceorder": order,
        "sale": sale,
        "messagerule": rule,
        "message": message,
    }


def _operator(django_user_model, role, branch):
    username = "op-" + role.lower().replace("é", "e")
    user = django_user_model.objects.create_user(username=username, password="s3nha-Forte!")
    user.groups.add(Group.objects.get(name=role))
    Employee.objects.create(name=username, user=user).branches.set([branch])
    return user


@pytest.fixture
def world(admin_user, branch_a, branch_b, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    department = Department.objects.create(name="Suporte")
    reference = {
        "condition": PaymentCondition.objects.create(name="À vista", instalments=1),
        "subject": Subject.objects.create(name="Sem conexão", default_department=department),
        "os_subject": Subject.objects.create(
            name="Visita técnica", purpose="O", default_department=department
        ),
        "product": product_save(Product(name="Roteador", price=Decimal("100.00")), actor=None),
    }
    records = {
        "mine": build_branch(admin_user, branch_a, 0, reference),
        "theirs": build_branch(admin_user, branch_b, 1, reference),
    }
    operators = {role: _operator(django_user_model, role, branch_a) for role in ROLES}
    return records, operators


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _api(user):
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _url(name, view, records, side):
    kind = kind_of(name, view)
    return reverse(name, kwargs={"pk": records[side][kind].pk, **EXTRA_KWARGS.get(name, {})})


def _writes():
    return (ObjectChange.objects.count(), Invoice.objects.count(), Payment.objects.count())


# --- Pages and routes -------------------------------------------------------------------------


def test_every_page_and_route_of_another_branch_is_404(world):
    records, operators = world
    staff = {
        name: view
        for name, view in staff_urls_with_an_id().items()
        if kind_of(name, view) not in EXEMPT_KINDS
    }
    routes = [
        (name, view) for name, view in api_routes_with_an_id() if api_kind(name, view) not in EXEMPT_KINDS
    ]
    before = _writes()
    problems = []
    requests = 0
    for role, operator in operators.items():
        web, api = _client(operator), _api(operator)
        # The own records (GET only: nothing changes) of the two roles checked in full: they must
        # answer where the role has the permission, and then another branch's must be 404, not 403.
        # The other roles are checked for 404/403 on another branch's records only (time).
        full = role in (roles.ADMINISTRATOR, roles.FINANCE)
        for name, view in staff.items():
            own = None
            if full and hasattr(view, "get"):
                own = web.get(_url(name, view, records, "mine")).status_code
                requests += 1
                if own not in (200, 302, 403) or (role == roles.ADMINISTRATOR and own == 403):
                    problems.append((role, "own", name, own))
            theirs = _url(name, view, records, "theirs")
            for method in ("get", "post"):
                if hasattr(view, method):
                    status = getattr(web, method)(theirs).status_code
                    requests += 1
                    strict = role == roles.ADMINISTRATOR or (method == "get" and own in (200, 302))
                    allowed = {404} if strict else {403, 404}
                    if status not in allowed:
                        problems.append((role, method, name, status))
        for name, view in routes:
            kind = api_kind(name, view)
            methods = api_methods(view)
            mine = reverse(f"api:{name}", args=[records["mine"][kind].pk])
            theirs = reverse(f"api:{name}", args=[records["theirs"][kind].pk])
            own = None
            if full and "get" in methods:
                own = api.get(mine).status_code
                requests += 1
                if own not in (200, 403) or (role == roles.ADMINISTRATOR and own != 200):
                    problems.append((role, "own api", name, own))
            for method in methods:
                status = getattr(api, method)(theirs, {}, format="json").status_code
                requests += 1
                strict = role == roles.ADMINISTRATOR or (method == "get" and own == 200)
                allowed = {404} if strict else {403, 404}
                if status not in allowed:
                    problems.append((role, f"api {method}", name, status))
        for name, view in api_list_routes():
            response = api.get(reverse(f"api:{name}"))
            requests += 1
            theirs = records["theirs"].get(api_kind(name, view))
            if response.status_code == 200 and theirs is not None:
                rows = response.json()
                rows = rows.get("results", rows) if isinstance(rows, dict) else rows
                if any(row.get("id") == theirs.pk for row in rows):
                    problems.append((role, "api list", name, theirs.pk))
    assert not problems, "\n".join(map(str, problems))
    assert _writes() == before, "a request for another branch's record changed something"
    print(
        f"\nscope matrix: {len(staff)} staff URLs with an id and {len(routes)} API routes, "
        f"{len(ROLES)} roles, {requests} requests"
    )


# --- Forms ------------------------------------------------------------------------------------

#: Pages with forms and no id: the query that opens them for the operator's own records.
ADD_PAGES = {
    "customers:customer_add": {},
    "contracts:contract_add": {"customer": "customer"},
    "contracts:plan_add": {},
    "core:wallet_add": {},
    "core:employee_add": {},
    "radius:login_add": {"contract": "contract"},
    "radius:nas_add": {},
    "radius:ippool_add": {},
    "billing:invoice_add": {"customer": "customer"},
    "billing:billingrun_add": {},
    "billing:cnabimport_add": {},
    "billing:renegotiation_new": {"customer": "customer"},
    "support:ticket_add": {"customer": "customer"},
    "support:serviceorder_add": {"customer": "customer"},
    "sales:sale_add": {"customer": "customer"},
    "fiscal:fiscalsettings_add": {},
}


def _context_values(context) -> list:
    """The values of a response's context (one context or a ContextList), each once."""
    if context is None:
        return []
    values = []
    for single in context if isinstance(context, ContextList) else [context]:
        for value in single.flatten().values():
            if not any(value is seen for seen in values):
                values.append(value)
    return values


def _forms_in(context) -> list[django_forms.BaseForm]:
    found = []
    for value in _context_values(context):
        if isinstance(value, django_forms.BaseForm):
            found.append(value)
        elif isinstance(value, BaseFormSet):
            found.extend(value.forms)
    return found


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _data_of(context) -> dict:
    """What the page's forms would post as they are shown (formsets with their management form)."""
    data = {}
    for value in _context_values(context):
        forms = []
        if isinstance(value, django_forms.BaseForm):
            forms = [value]
        elif isinstance(value, BaseFormSet):
            forms = [value.management_form, *value.forms]
        for form in forms:
            for bound in form:
                data.setdefault(bound.html_name, _value(bound))
    return data


def _invisible(model, user) -> list[int]:
    try:
        scope_rule(model)
    except Exception:
        return []
    visible = restrict(model._default_manager.all(), user).values("pk")
    return list(model._default_manager.exclude(pk__in=visible).values_list("pk", flat=True))


def test_forms_offer_and_accept_only_records_of_the_operators_branches(world):
    records, operators = world
    operator = operators[roles.ADMINISTRATOR]  # every permission, limited to branch A
    web = _client(operator)
    pages = {}
    for name, view in staff_urls_with_an_id().items():
        kind = kind_of(name, view)
        if (
            kind in records["mine"]
            and name.endswith(("_edit", "_add"))
            or name.startswith("customers:customer_tab_")
        ):
            pages[name] = _url(name, view, records, "mine")
    for name in staff_list_urls():  # their filter forms
        pages[name] = reverse(name)
    for name, query in ADD_PAGES.items():
        params = "&".join(f"{key}={records['mine'][kind].pk}" for key, kind in query.items())
        pages[name] = reverse(name) + (f"?{params}" if params else "")
    problems, posted = [], 0
    for name, url in pages.items():
        response = web.get(url, headers={"HX-Request": "true"} if "_tab_" in name else {})
        if response.status_code != 200:
            problems.append((name, "GET", response.status_code))
            continue
        forms = _forms_in(response.context)
        for form in forms:
            for field_name, field in form.fields.items():
                if not isinstance(field, django_forms.ModelChoiceField):
                    continue
                hidden = set(_invisible(field.queryset.model, operator))
                offered = set(field.queryset.values_list("pk", flat=True))
                if offered & hidden:
                    problems.append((name, field_name, "offers another branch's records"))
                if not hidden or field.disabled or form.prefix or form is not response.context.get("form"):
                    continue  # a disabled field ignores what is posted
                data = _data_of(response.context)
                choice = str(min(hidden))
                data[form.add_prefix(field_name)] = (
                    [choice] if isinstance(field, django_forms.ModelMultipleChoiceField) else choice
                )
                before = _writes()
                answer = web.post(url, data, headers={"HX-Request": "true"} if "_tab_" in name else {})
                posted += 1
                refused = (
                    answer.status_code == 200
                    and answer.context is not None
                    and field_name in answer.context["form"].errors
                )
                if not refused or _writes() != before:
                    problems.append(
                        (name, field_name, "accepted another branch's record", answer.status_code)
                    )
    assert not problems, "\n".join(map(str, problems))
    print(
        f"\nscope forms: {len(pages)} pages with forms (lists: their filters), {posted} posts of another branch's ids"
    )
