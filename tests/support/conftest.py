"""Fixtures of the support tests: departments, a technician, subjects and a two-step process."""

import pytest

from enlace.core.models import Department, Employee
from enlace.radius import services as radius_services
from enlace.support import services
from enlace.support.models import Process, ProcessStep, Subject


@pytest.fixture
def department(db):
    return Department.objects.create(name="Suporte técnico", email="suporte@x.com")


@pytest.fixture
def field_department(db):
    return Department.objects.create(name="Campo")


@pytest.fixture
def technician(db, branch_a):
    employee = Employee.objects.create(name="Téo Técnico", is_technician=True)
    employee.branches.set([branch_a])
    return employee


@pytest.fixture
def technician2(db, branch_a):
    return Employee.objects.create(name="Tina Técnica", is_technician=True)


@pytest.fixture
def subject(department):
    return Subject.objects.create(
        name="Sem conexão",
        default_description="Cliente sem acesso à internet",
        default_opening_message="Recebemos seu atendimento; em breve retornaremos.",
        default_department=department,
        default_priority="A",
        portal_visible=True,
    )


@pytest.fixture
def os_subject(field_department):
    return Subject.objects.create(name="Visita técnica", purpose="O", default_department=field_department)


@pytest.fixture
def process(os_subject, field_department, department):
    process = Process.objects.create(name="Instalação")
    ProcessStep.objects.create(
        process=process,
        order=1,
        subject=os_subject,
        department=field_department,
        complementary_status="Vistoria",
    )
    ProcessStep.objects.create(
        process=process,
        order=2,
        subject=os_subject,
        department=field_department,
        complementary_status="Instalação",
    )
    return process


@pytest.fixture
def process_subject(department, process):
    return Subject.objects.create(
        name="Instalação nova", default_department=department, default_process=process, purpose="T"
    )


@pytest.fixture
def make_ticket(admin_user, customer, subject):
    def make(**extra):
        values = {
            "actor": admin_user,
            "customer": customer,
            "subject": subject,
            "description": "Sem sinal desde ontem",
        }
        values.update(extra)
        return services.ticket_create(**values)

    return make


@pytest.fixture
def make_order(admin_user, customer, os_subject):
    def make(**extra):
        values = {
            "actor": admin_user,
            "customer": customer,
            "subject": os_subject,
            "description": "Trocar ONU",
        }
        values.update(extra)
        return services.service_order_create(**values)

    return make


@pytest.fixture
def login(admin_user, active_contract):
    return radius_services.login_create(
        actor=admin_user, contract=active_contract, username="maria@fibra", password="segredo123"
    )
