"""``field__any=[...]`` (enlace.core.lookups.AnyOf): ``= ANY(array)`` on PostgreSQL, ``IN``
elsewhere, with the same rows either way."""

import pytest
from django.db import connection

from enlace.core.models import Branch

pytestmark = pytest.mark.django_db


def test_any_matches_what_in_matches(branch_a, branch_b):
    ids = [branch_a.pk, branch_b.pk, 987654]
    assert (
        set(Branch.objects.filter(pk__any=ids))
        == set(Branch.objects.filter(pk__in=ids))
        == {branch_a, branch_b}
    )
    names = [branch_a.name, "nobody"]
    assert list(Branch.objects.filter(name__any=names)) == [branch_a]


def test_any_sends_one_parameter_on_postgresql(branch_a):
    ids = list(range(1, 3001)) + [branch_a.pk]
    sql, params = Branch.objects.filter(pk__any=ids).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql and len(params) == 1
    else:
        assert " IN (" in sql
    assert list(Branch.objects.filter(pk__any=ids)) == [branch_a]


def test_an_empty_list_matches_nothing(branch_a):
    assert not Branch.objects.filter(pk__any=[]).exists()


def test_any_on_a_foreign_key(branch_a, branch_b, city):
    assert set(Branch.objects.filter(city__any=[city.pk])) == set(Branch.objects.filter(city__in=[city.pk]))
