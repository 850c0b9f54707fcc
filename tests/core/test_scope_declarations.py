"""The branch scope cannot be forgotten: a model must declare it, and every form choice follows it."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from enlace.core.forms import EnlaceForm
from enlace.core.models import Employee
from enlace.core.scope import check_declarations, restrict, scope_rule
from enlace.core.views.generic import model_urls

pytestmark = pytest.mark.django_db


class Undeclared:
    """Stands for a model that says nothing about its branch scope."""

    class _meta:  # noqa: N801
        label = "tests.undeclared"
        label_lower = "tests.undeclared"


def test_a_model_without_a_declaration_is_refused():
    with pytest.raises(ImproperlyConfigured):
        scope_rule(Undeclared)
    with pytest.raises(ImproperlyConfigured):
        model_urls(Undeclared, "undeclared")


def test_every_business_model_declares_its_scope():
    assert check_declarations() == []


def test_restrict_refuses_an_undeclared_model(operator_a, monkeypatch):
    monkeypatch.delattr(Employee, "branch_scope")
    with pytest.raises(ImproperlyConfigured):
        restrict(Employee.objects.all(), operator_a)


class LateChoicesForm(EnlaceForm):
    """Sets its queryset after ``super().__init__()`` and adds a field of its own, as forms do."""

    person = forms.ModelChoiceField(queryset=Employee.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Employee.objects.all()
        self.fields["other"] = forms.ModelMultipleChoiceField(queryset=Employee.objects.all())


def test_form_choices_follow_the_operators_branches_however_they_are_set(operator_a, branch_a, branch_b):
    mine = Employee.objects.create(name="Da Matriz")
    mine.branches.set([branch_a])
    theirs = Employee.objects.create(name="De Campinas")
    theirs.branches.set([branch_b])
    form = LateChoicesForm(user=operator_a)
    assert theirs not in form.fields["person"].queryset
    assert mine in form.fields["person"].queryset
    assert theirs not in form.fields["other"].queryset
    form.fields["person"].queryset = Employee.objects.all()  # a later assignment is scoped too
    assert theirs not in form.fields["person"].queryset
    bound = LateChoicesForm(data={"person": theirs.pk, "other": [theirs.pk]}, user=operator_a)
    missing = LateChoicesForm(data={"person": 999_999, "other": [mine.pk]}, user=operator_a)
    assert not bound.is_valid() and not missing.is_valid()
    assert set(bound.errors) == {"person", "other"}
    assert bound.errors["person"] == missing.errors["person"]  # refused exactly as a missing id


def test_a_form_without_an_operator_offers_nothing_branch_scoped(branch_a):
    Employee.objects.create(name="Alguém").branches.set([branch_a])
    assert not LateChoicesForm().fields["person"].queryset.exists()
