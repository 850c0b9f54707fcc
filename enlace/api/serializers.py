"""Base serializer of every Enlace API resource.

``EnlaceModelSerializer`` only translates between JSON and model instances; it holds no business
rule and never saves. The viewset (``enlace.api.viewsets``) hands the validated values to a
service (``object_save`` or the area's own), which runs ``full_clean`` and the rules.

What it adds to DRF's ``ModelSerializer``:

- SPEC G-2: text is never trimmed silently. Every writable ``CharField`` keeps the value as sent
  (``trim_whitespace=False``) and refuses one that starts or ends with white space with a 400
  naming the field;
- branch scope: the choices of every relation to a branch-scoped model are limited to the
  requesting operator's branches (``enlace.core.scope.restrict``), so an id of another branch is
  refused as "does not exist";
- ``display``: the record's text (``str(obj)``), for selectors and lists;
- dates: the model's ``DateField``/``DateTimeField`` become ``enlace.api.fields.BoundedDateField``/
  ``BoundedDateTimeField`` (years 1900–2100, 400 naming the field otherwise);
- speed: the fields DRF builds from the model (``ModelSerializer.get_fields``: the model's
  metadata, labels, validators) are built once per serializer class and copied for each
  serializer (``ModelFieldsOnce``); DRF rebuilt them for every request, a third of the CPU of a
  one-object API request. What depends on the request (the branch scope) is applied to the copy.
"""

import copy
import weakref

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enlace.api.fields import SERIALIZER_FIELD_MAPPING
from enlace.core.scope import restrict
from enlace.core.validators import validate_no_edge_whitespace


class ScopedRelationsMixin:
    """The choices of every writable relation are limited to the requesting operator's branches
    (``enlace.core.scope.restrict``). Used by the model serializers and by the plain parameter
    serializers of actions (pass ``context=self.get_serializer_context()``). Without a request
    (a management command acting as the system) the choices are not limited."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            if not field.read_only and user is not None:
                self._restrict_choices(field, user)
        return fields

    @staticmethod
    def _restrict_choices(field, user):
        relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
        queryset = getattr(relation, "queryset", None)
        if isinstance(relation, serializers.RelatedField) and queryset is not None:
            relation.queryset = restrict(queryset, user)


class ModelFieldsOnce:
    """``ModelSerializer.get_fields`` built once per serializer class, deep-copied per serializer:
    DRF's copy of a field makes it again from the arguments it was made with (as it does for the
    declared fields), so every serializer gets fields of its own. Valid because the build reads
    only the class (its ``Meta`` and declared fields), never the request or the instance; a
    subclass that needs per-request fields changes its copy in ``get_fields`` after ``super()``."""

    _built: "weakref.WeakKeyDictionary[type, dict]" = weakref.WeakKeyDictionary()

    def get_fields(self):
        built = ModelFieldsOnce._built.get(type(self))
        if built is None:
            built = ModelFieldsOnce._built[type(self)] = super().get_fields()
        return copy.deepcopy(built)


class EnlaceModelSerializer(ScopedRelationsMixin, ModelFieldsOnce, serializers.ModelSerializer):
    serializer_field_mapping = SERIALIZER_FIELD_MAPPING
    display = serializers.SerializerMethodField(label=_("display"), help_text=_("The record as text."))

    def get_display(self, obj) -> str:
        return str(obj)

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.read_only:
                self._refuse_edge_whitespace(field)
            self._allow_blank_choice(name, field)
        return fields

    def _allow_blank_choice(self, name, field):
        """A read-only choice of a ``blank=True`` text column answers ``""`` (a contract never
        cancelled has no ``cancellation_origin``): say so, so the schema's enum lists ``""``."""
        if not (isinstance(field, serializers.ChoiceField) and field.read_only) or field.allow_blank:
            return
        try:
            model_field = self.Meta.model._meta.get_field(field.source or name)
        except (AttributeError, FieldDoesNotExist):
            return
        if model_field.blank and isinstance(model_field, models.CharField | models.TextField):
            field.allow_blank = True

    @staticmethod
    def _refuse_edge_whitespace(field):
        targets = [field]
        if isinstance(field, serializers.ListField) and isinstance(field.child, serializers.CharField):
            targets.append(field.child)
        for target in targets:
            if isinstance(target, serializers.CharField):
                target.trim_whitespace = False
                if validate_no_edge_whitespace not in target.validators:
                    target.validators = [validate_no_edge_whitespace, *target.validators]

    # Writes go through services (ARCHITECTURE rule 2): the viewset calls them with the validated
    # values. Saving from the serializer would skip the rules, the branch check and the audit actor.
    def create(self, validated_data):
        raise NotImplementedError("Enlace serializers do not save; the viewset calls a service.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Enlace serializers do not save; the viewset calls a service.")
