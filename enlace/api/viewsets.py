"""Base viewsets of every Enlace API resource.

A resource of a later app is a few lines::

    class PlanViewSet(EnlaceModelViewSet):
        queryset = Plan.objects.select_related("branch")
        serializer_class = PlanSerializer
        filterset_class = PlanFilterSet

and gets, from these bases:

- permissions: the model permission of the method (``view``/``add``/``change``/``delete``), 403
  without it (``enlace.api.permissions.ModelPermissions``, the project default);
- branch scope: ``get_queryset`` keeps the rows of the operator's branches
  (``enlace.core.scope.restrict``), so another branch's record is 404 and absent from lists;
- writes through services: ``save_object``/``delete_object`` call ``core.services.object_save``
  and ``object_delete``; a resource with business rules overrides them to call its own service.
  ``ValidationError`` and ``ApplicationError`` become 400 (``enlace.api.exceptions``);
- the audit actor: DRF authenticates (token or session) inside the view, after the middleware
  bound the request's actor, so ``initial`` binds the authenticated user again, with source
  ``api`` and the request id, until the response is finished.
"""

import contextlib

from django.db import models
from rest_framework import mixins, viewsets

from enlace.core import context
from enlace.core.scope import restrict
from enlace.core.services import object_delete, object_save


class ActorContextMixin:
    """Attribute the changes made while handling the request to the DRF-authenticated user."""

    def dispatch(self, request, *args, **kwargs):
        self._actor_stack = contextlib.ExitStack()
        with self._actor_stack:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        user = request.user  # runs the authenticators (may raise 401)
        self._actor_stack.enter_context(
            context.acting_as(
                user if getattr(user, "is_authenticated", False) else None,
                source="api",
                request_id=getattr(request, "id", None),
            )
        )
        super().initial(request, *args, **kwargs)


class ScopedQuerysetMixin:
    """Rows of the operator's branches only: other branches' records are 404 and never listed."""

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)


_WRITE_HOOKS = ("perform_create", "perform_update", "perform_destroy")


class ServiceWriteMixin:
    """Writes through services.

    DRF's mixins also define ``perform_*`` (``serializer.save()``, ``instance.delete()``), and they
    win when listed first among a viewset's bases, as DRF's docs write them. So every subclass whose
    ``perform_*`` would resolve to DRF's gets these instead: the order of the bases does not matter,
    and a write never bypasses the service.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _WRITE_HOOKS:
            if getattr(getattr(cls, name, None), "__module__", None) == "rest_framework.mixins":
                setattr(cls, name, ServiceWriteMixin.__dict__[name])

    def build_instance(self, serializer, instance: models.Model | None = None):
        """The instance with the validated values set, and its many-to-many values apart."""
        model = serializer.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        instance = instance if instance is not None else model()
        m2m = {}
        for name, value in serializer.validated_data.items():
            if name in many_to_many:
                m2m[name] = value
            else:
                setattr(instance, name, value)
        return instance, m2m

    def save_object(self, instance, *, m2m: dict):
        """Write one record; override to call the resource's own service."""
        return object_save(instance, actor=self.request.user, m2m=m2m)

    def delete_object(self, instance):
        """Delete one record; override to call the resource's own service."""
        object_delete(instance, actor=self.request.user)

    def perform_create(self, serializer):
        instance, m2m = self.build_instance(serializer)
        serializer.instance = self.save_object(instance, m2m=m2m)

    def perform_update(self, serializer):
        instance, m2m = self.build_instance(serializer, serializer.instance)
        serializer.instance = self.save_object(instance, m2m=m2m)

    def perform_destroy(self, instance):
        self.delete_object(instance)


class EnlaceGenericViewSet(
    ServiceWriteMixin, ActorContextMixin, ScopedQuerysetMixin, viewsets.GenericViewSet
):
    """Base to compose custom resources from DRF's mixins, e.g.
    ``class X(mixins.ListModelMixin, mixins.CreateModelMixin, EnlaceGenericViewSet)``."""


class EnlaceModelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    EnlaceGenericViewSet,
):
    """List, retrieve, create, update (PUT/PATCH) and delete one model."""


class EnlaceReadOnlyModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, EnlaceGenericViewSet):
    """List and retrieve only (reference data such as cities, the audit trail)."""


class EnlaceSingletonViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, EnlaceGenericViewSet):
    """A resource with one row, read and changed at its collection URL (no id), e.g. ``parameters/``.

    ``EnlaceRouter`` routes GET → ``retrieve`` and PATCH → ``partial_update`` at ``<prefix>/``.
    Subclasses implement ``get_singleton()`` and usually ``perform_update`` (the area's service).
    """

    singleton = True
    http_method_names = ["get", "patch", "head", "options"]
    pagination_class = None
    filter_backends = []

    def get_singleton(self) -> models.Model:
        raise NotImplementedError

    def get_object(self):
        obj = self.get_singleton()
        self.check_object_permissions(self.request, obj)
        return obj
