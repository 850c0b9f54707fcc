"""Customers of the demo ISP (``manage.py seed_demo``): subscribers of both branches, a company
and two leads, with valid documents and real streets. Idempotent by document (or name, for leads)."""

from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

from .models import Cep, Customer, LeadStage, PersonType
from .services import customer_create

# (name, person type, branch key, street, number, neighbourhood, CEP, mobile, e-mail, lead stage)
CUSTOMERS = [
    (
        "Ana Beatriz Souza",
        "F",
        "branch_main",
        "Rua Saldanha Marinho",
        "512",
        "Centro",
        "14010060",
        "16991234567",
        "ana.souza@example.com",
        None,
    ),
    (
        "João Pedro Almeida",
        "F",
        "branch_main",
        "Avenida Presidente Vargas",
        "1800",
        "Jardim América",
        "14020260",
        "16992345678",
        "joao.almeida@example.com",
        None,
    ),
    (
        "Maria das Graças Oliveira",
        "F",
        "branch_main",
        "Rua Tibiriçá",
        "77",
        "Centro",
        "14010090",
        "16993456789",
        "graca.oliveira@example.com;financeiro.graca@example.com",
        None,
    ),
    (
        "José Antônio Ferreira",
        "F",
        "branch_main",
        "Rua Cerqueira César",
        "930",
        "Centro",
        "14010130",
        "16994567890",
        "",
        None,
    ),
    (
        "Padaria Pão Quente Ltda",
        "J",
        "branch_main",
        "Avenida Nove de Julho",
        "1501",
        "Jardim Sumaré",
        "14025000",
        "1636251234",
        "contato@paoquente.example.com",
        None,
    ),
    (
        "Lucas Martins Rocha",
        "F",
        "branch_second",
        "Rua Voluntários da Franca",
        "2100",
        "Centro",
        "14400490",
        "16995678901",
        "lucas.rocha@example.com",
        None,
    ),
    (
        "Fernanda Lima Costa",
        "F",
        "branch_second",
        "Avenida Champagnat",
        "640",
        "Centro",
        "14400320",
        "16996789012",
        "fernanda.costa@example.com",
        None,
    ),
    (
        "Carlos Eduardo Nunes",
        "F",
        "branch_second",
        "Rua do Comércio",
        "15",
        "Centro",
        "14400660",
        "16997890123",
        "",
        LeadStage.NEGOTIATING,
    ),
    (
        "Oficina Mecânica Roda Viva",
        "J",
        "branch_main",
        "Rua Amador Bueno",
        "300",
        "Centro",
        "14010070",
        "16998901234",
        "oficina@rodaviva.example.com",
        LeadStage.PRESENTING,
    ),
]


def _document(person_type: str, n: int) -> str:
    if person_type == PersonType.COMPANY:
        base = f"{23456789 + n:08d}0001"
        return base + stdnum_cnpj.calc_check_digits(base)
    base = f"{123456780 + n * 7919:09d}"
    # python-stdnum exposes no CPF check-digit calculator: take the valid one of the 100 endings.
    return next(base + f"{dd:02d}" for dd in range(100) if stdnum_cpf.is_valid(base + f"{dd:02d}"))


def seed(demo):
    demo.track(Customer)
    for n, (name, ptype, branch_key, street, number, hood, cep, mobile, email, stage) in enumerate(CUSTOMERS):
        if Customer.objects.filter(name=name).exists():
            continue
        branch = demo.objects[branch_key]
        customer_create(
            actor=None,
            name=name,
            person_type=ptype,
            branch=branch,
            cpf_cnpj="" if stage else _document(ptype, n),
            is_lead=stage is not None,
            lead_stage=stage or "",
            street=street,
            number=number,
            neighborhood=hood,
            cep=cep,
            city=branch.city,
            mobile_phone=mobile,
            email=email,
            confirm_duplicate_address=True,
        )
        demo.created[Customer._meta.label] += 1
    seed_ceps(demo)


def seed_ceps(demo):
    """The demo's CEPs (customers' and branches' addresses) in the local CEP table, so the CEP
    lookup of the customer form answers offline for them (a full base: ``manage.py import_ceps``;
    other CEPs are asked online to ViaCEP)."""
    from enlace.core.models import Branch

    demo.track(Cep)
    addresses = [
        *Customer.objects.exclude(cep="").select_related("city__state").order_by("pk"),
        *Branch.objects.exclude(cep="").select_related("city__state").order_by("pk"),
    ]
    known = set(Cep.objects.filter(cep__in=[a.cep for a in addresses]).values_list("cep", flat=True))
    for address in addresses:
        if address.cep in known or address.city_id is None:
            continue
        Cep.objects.create(
            cep=address.cep,
            street=address.street,
            neighborhood=address.neighborhood,
            city=address.city,
            state=address.city.state.abbr,
            source=Cep.Source.IMPORT,
        )
        known.add(address.cep)
        demo.created[Cep._meta.label] += 1
