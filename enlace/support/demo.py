"""Support part of the demo ISP (``manage.py seed_demo``): subjects (one with a two-step process,
"Instalação": a site survey, then the installation), a few tickets with their threads and service
orders — one scheduled for a field technician — through ``enlace.support.services``.

Idempotent: subjects and processes by name, tickets by customer and subject (a customer that has a
ticket of that subject is left alone).
"""

import datetime

from django.utils import timezone

from enlace.core.models import Employee
from enlace.customers.models import Customer

from . import services
from .models import Process, ProcessStep, Subject, Ticket

SUBJECTS = [
    # (name, purpose, department, priority, description, opening message, portal, overdue, extra)
    (
        "Sem conexão",
        "B",
        "Suporte técnico",
        "A",
        "Cliente sem acesso à internet",
        "Recebemos seu atendimento e já estamos verificando sua conexão.",
        True,
        True,
        {},
    ),
    (
        "Lentidão",
        "T",
        "Suporte técnico",
        "M",
        "Internet lenta",
        "Recebemos seu atendimento sobre lentidão; faremos testes na sua conexão.",
        True,
        True,
        {},
    ),
    (
        "Mudança de plano",
        "T",
        "Comercial",
        "M",
        "Pedido de mudança de plano",
        "Recebemos seu pedido de mudança de plano.",
        True,
        False,
        {"requires_contract": True},
    ),
    ("Vistoria técnica", "O", "Instalação", "M", "", "", False, True, {"close_requires_note": True}),
    (
        "Instalação de equipamento",
        "O",
        "Instalação",
        "M",
        "",
        "",
        False,
        True,
        {"close_requires_technician": True},
    ),
    (
        "Instalação",
        "T",
        "Instalação",
        "A",
        "Nova instalação",
        "Sua instalação foi registrada; vamos agendar a vistoria técnica.",
        False,
        True,
        {"process": "Instalação"},
    ),
]

TICKETS = [
    # (customer, subject, description, operator reply or None)
    (
        "Ana Beatriz Souza",
        "Sem conexão",
        "Sem sinal desde a chuva de ontem à noite.",
        "Reinicie a ONU, por favor.",
    ),
    ("João Pedro Almeida", "Lentidão", "Velocidade abaixo do contratado à noite.", None),
    ("Padaria Pão Quente Ltda", "Instalação", "Segundo ponto de acesso na área do salão.", None),
]


def seed(demo):
    demo.track(Subject)
    demo.track(Process)
    departments = {
        key.removeprefix("department_"): obj
        for key, obj in demo.objects.items()
        if key.startswith("department_")
    }
    process = demo.ensure(Process, {"name": "Instalação"}, {"description": "Vistoria técnica e instalação."})
    subjects = {}
    for name, purpose, department, priority, description, message, portal, overdue, extra in SUBJECTS:
        extra = dict(extra)
        default_process = process if extra.pop("process", None) else None
        subjects[name] = demo.ensure(
            Subject,
            {"name": name},
            {
                "purpose": purpose,
                "default_department": departments.get(department),
                "default_priority": priority,
                "default_description": description,
                "default_opening_message": message,
                "portal_visible": portal,
                "allowed_overdue": overdue,
                "default_process": default_process,
                **extra,
            },
        )
    if not process.steps.exists():
        for order, (subject, status) in enumerate(
            [
                ("Vistoria técnica", "Aguardando vistoria"),
                ("Instalação de equipamento", "Aguardando instalação"),
            ],
            start=1,
        ):
            demo.ensure(
                ProcessStep,
                {"process": process, "order": order},
                {
                    "subject": subjects[subject],
                    "department": departments["Instalação"],
                    "complementary_status": status,
                },
            )
    operator = demo.objects.get("user_atendimento")
    demo.track(Ticket)
    for customer_name, subject_name, description, reply in TICKETS:
        customer = Customer.objects.filter(name=customer_name).first()
        subject = subjects[subject_name]
        if customer is None or Ticket.objects.filter(customer=customer, subject=subject).exists():
            continue
        ticket = services.ticket_create(
            actor=operator, customer=customer, subject=subject, description=description
        )
        demo.created[Ticket._meta.label] += 1
        if reply:
            services.ticket_message_add(actor=operator, ticket=ticket, text=reply)
        order = ticket.service_orders.first()
        technician = Employee.objects.filter(is_technician=True, branches=customer.branch, user=None).first()
        if order is not None and technician is not None:
            start = timezone.make_aware(
                datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(9))
            )
            services.service_order_schedule(
                actor=operator,
                order=order,
                technician=technician,
                start=start,
                end=start + datetime.timedelta(hours=2),
            )
