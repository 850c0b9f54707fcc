"""Writers of the core reference data. Views, API, commands and tasks all call these."""

from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from . import context, parameters
from .exceptions import ApplicationError
from .models import AppSettings, Branch, EnlaceModel
from .scope import allowed_branch_ids, can_use_branch
from .types import Actor, Operator

M = TypeVar("M", bound=EnlaceModel)
S = TypeVar("S", bound=AppSettings)


def _check_branch_scope(instance: models.Model, actor: Actor, m2m: dict | None = None) -> None:
    """An operator limited to some branches can only write records of those branches."""
    path = getattr(type(instance), "branch_scope", None)
    if actor is None or path is None:
        return
    if getattr(type(instance), "branch_scope_many", False):
        # e.g. Employee.branches: a limited operator must name branches, all of them their own
        # (an empty list would mean "every branch").
        allowed = allowed_branch_ids(actor)
        if allowed is None or m2m is None or path not in m2m:
            return
        chosen = {getattr(b, "pk", b) for b in m2m[path]}
        if not chosen or not chosen <= allowed:
            raise ApplicationError(
                _("Choose one or more of your own branches."), code="branch_scope", field=path
            )
        return
    branch_id = instance.pk if isinstance(instance, Branch) else None
    if path != "pk":
        obj: object = instance
        for part in path.split("__")[:-1]:
            obj = getattr(obj, part, None)
            if obj is None:
                return
        branch_id = getattr(obj, f"{path.split('__')[-1]}_id", None)
    if branch_id is not None and not can_use_branch(actor, branch_id):
        raise ApplicationError(_("You cannot use this branch."), code="branch_scope", field="branch")


def operator_of(actor: Actor) -> Operator:
    """The user to record as "operator" of a movement: ``actor`` when it is a logged-in user
    (``None`` for tasks, commands without ``--user`` and anonymous callers)."""
    return cast(Operator, actor) if getattr(actor, "is_authenticated", False) else None


def operator_name_of(actor: Actor) -> str:
    """The operator's name kept beside the foreign key, so the record survives the user."""
    user = operator_of(actor)
    return (user.get_full_name() or user.get_username()) if user else ""


def object_save(instance: M, *, actor: Actor, m2m: dict | None = None) -> M:
    """Validate and save a reference record (and its many-to-many values) in one transaction.

    Used for records without further business rules; areas with rules write their own services
    and call this at the end. Raises ``ValidationError`` naming the fields.
    """
    with context.acting_as(actor, source=context.current().source, request_id=context.current().request_id):
        instance.full_clean()
        _check_branch_scope(instance, actor, m2m)
        try:
            with transaction.atomic():
                instance.save()
                for name, values in (m2m or {}).items():
                    getattr(instance, name).set(values)
        except IntegrityError as exc:
            raise ApplicationError(
                _("The record conflicts with another one: %(error)s") % {"error": exc}, code="integrity"
            ) from exc
    return instance


def object_delete(instance: EnlaceModel, *, actor: Actor) -> None:
    with context.acting_as(actor, source=context.current().source, request_id=context.current().request_id):
        _check_branch_scope(instance, actor)
        try:
            with transaction.atomic():
                instance.delete()
        except models.ProtectedError as exc:
            raise ApplicationError(
                _("%(object)s is in use by other records and cannot be deleted; deactivate it instead.")
                % {"object": instance},
                code="protected",
            ) from exc


def settings_update(model: type[S], *, actor: Actor, **values: Any) -> tuple[S, set[str]]:
    """Change fields of one app's settings row (``AppSettings``) under a row lock, validated and
    audited; returns the row and the names of the fields whose value changed. Each app's writer
    of its settings calls this (``enlace.core.parameters``)."""
    with transaction.atomic():
        row = cast(S, model.objects.select_for_update().get(pk=model.load().pk))
        unknown = set(values) - {f.name for f in model._meta.concrete_fields} - {"id"}
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        before = {name: getattr(row, name) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
        object_save(row, actor=actor)
    return row, {name for name in values if before[name] != getattr(row, name)}


def parameters_update(*, actor: Actor, **values: Any) -> parameters.Parameters:
    """Change general parameters (Configurações ➜ Parâmetros ➜ Parâmetros Gerais): ``values`` may
    name fields of any app's registered settings row. Each row is written by its app's writer
    (``parameters.writer_of``), all in one transaction; the refusals of every row are reported
    together, and then nothing is saved."""
    by_model: dict[type[AppSettings], dict[str, Any]] = {}
    unknown = []
    for name, value in values.items():
        model = parameters.model_of(name)
        if model is None:
            unknown.append(name)
        else:
            by_model.setdefault(model, {})[name] = value
    if unknown:
        raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for model in parameters.models():
            if model not in by_model:
                continue
            try:
                with transaction.atomic():
                    parameters.writer_of(model)(actor=actor, **by_model[model])
            except ValidationError as exc:
                errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        if errors:
            raise ValidationError(errors)
    return parameters.load()
