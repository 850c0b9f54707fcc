"""C-3: two operators saving the same CPF at the same moment — exactly one succeeds."""

import threading

import pytest
from django.db import connections

from enlace.core.exceptions import ApplicationError
from enlace.customers.models import Customer
from enlace.customers.services import customer_create


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_the_same_document_save_one(admin_user, branch_a):
    results: list[object] = []
    barrier = threading.Barrier(4)

    def writer(n: int):
        try:
            barrier.wait()
            customer_create(
                actor=admin_user,
                name=f"Concorrente {n}",
                branch=branch_a,
                person_type="F",
                cpf_cnpj="529.982.247-25",
            )
            results.append("ok")
        except ApplicationError as exc:
            results.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["duplicate_cpf_cnpj"] * 3 + ["ok"]
    assert Customer.objects.filter(cpf_cnpj="52998224725").count() == 1
