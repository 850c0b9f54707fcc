"""The fields DRF builds from the model are built once per serializer class and copied for each
serializer (``enlace.api.serializers.ModelFieldsOnce``): every API serializer gets the same fields
as DRF's own build, and fields of its own (a change made for one request never reaches another)."""

import pytest
from django.urls import get_resolver
from rest_framework import serializers

from enlace.api.serializers import EnlaceModelSerializer, ModelFieldsOnce
from enlace.customers.api import CustomerSerializer

pytestmark = pytest.mark.django_db  # a relation's repr shows its queryset


def every_subclass(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from every_subclass(sub)


def api_serializers():
    get_resolver().url_patterns  # noqa: B018 - imports every app's API module
    found = [cls for cls in every_subclass(EnlaceModelSerializer) if getattr(cls, "Meta", None)]
    assert len(found) >= 20
    return found


@pytest.mark.parametrize("cls", api_serializers(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_the_same_fields_as_drf_builds(cls):
    once = ModelFieldsOnce.get_fields(cls())  # the second call of the class: a copy
    once = ModelFieldsOnce.get_fields(cls())
    drf = serializers.ModelSerializer.get_fields(cls())
    assert list(once) == list(drf)
    for name in drf:
        assert repr(once[name]) == repr(drf[name]), name


def test_each_serializer_has_fields_of_its_own():
    first, second = CustomerSerializer(), CustomerSerializer()
    first.fields["name"].required = False
    first.fields["branch"].queryset = first.fields["branch"].queryset.none()
    assert second.fields["name"].required is True
    assert not second.fields["branch"].queryset.all().query.is_empty()
    assert first.fields["name"] is not second.fields["name"]
    assert CustomerSerializer().fields["name"].required is True
