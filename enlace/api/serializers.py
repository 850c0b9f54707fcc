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
- ``display``: the record's text (``str(obj)``), for selectors and lists.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enlace.core.scope import restrict
from enlace.core.validators import validate_no_edge_whitespace


class EnlaceModelSerializer(serializers.ModelSerializer):
    display = serializers.SerializerMethodField(label=_("display"), help_text=_("The record as text."))

    def get_display(self, obj) -> str:
        return str(obj)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            if field.read_only:
                continue
            self._refuse_edge_whitespace(field)
            if user is not None:
                self._restrict_choices(field, user)
        return fields

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

    @staticmethod
    def _restrict_choices(field, user):
        relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
        queryset = getattr(relation, "queryset", None)
        if isinstance(relation, serializers.RelatedField) and queryset is not None:
            relation.queryset = restrict(queryset, user)

    # Writes go through services (ARCHITECTURE rule 2): the viewset calls them with the validated
    # values. Saving from the serializer would skip the rules, the branch check and the audit actor.
    def create(self, validated_data):
        raise NotImplementedError("Enlace serializers do not save; the viewset calls a service.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Enlace serializers do not save; the viewset calls a service.")
