import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enlace.core.models import AnalyticAccount, Branch, City, GeneralParameters, State


@pytest.mark.django_db
def test_all_ibge_municipalities_are_loaded():
    assert City.objects.count() == 5570
    assert State.objects.count() == 27
    assert City.objects.get(code=3304557).name == "Rio de Janeiro"


@pytest.mark.django_db
def test_branch_cnpj_is_validated_and_normalised(city):
    b = Branch(name="X", legal_name="X Ltda", cnpj="11.222.333/0001-00", city=city)
    with pytest.raises(ValidationError) as exc:
        b.full_clean()
    assert "cnpj" in exc.value.message_dict
    b.cnpj = "12.ABC.345/01DE-35"  # alphanumeric CNPJ (July 2026)
    b.full_clean()
    assert b.cnpj == "12ABC34501DE35"


@pytest.mark.django_db
def test_leading_space_refused_by_model_naming_field(city):
    b = Branch(name=" Matriz", legal_name="X Ltda", cnpj="11222333000181", city=city)
    with pytest.raises(ValidationError) as exc:
        b.full_clean()
    assert list(exc.value.message_dict) == ["name"]


@pytest.mark.django_db
def test_database_refuses_edge_spaces_too(city):
    with pytest.raises(IntegrityError), transaction.atomic():
        Branch.objects.create(name="Matriz ", legal_name="X", cnpj="11222333000181", city=city)


@pytest.mark.django_db
def test_parameters_are_a_single_row():
    assert GeneralParameters.load().pk == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        GeneralParameters.objects.create(pk=2)


@pytest.mark.django_db
def test_analytic_account_cannot_be_its_own_ancestor():
    root = AnalyticAccount.objects.create(code="1", name="Receitas")
    child = AnalyticAccount.objects.create(code="1.01", name="Internet", parent=root)
    root.parent = child
    with pytest.raises(ValidationError):
        root.full_clean()
