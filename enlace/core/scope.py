"""Branch scope: what an operator may see and touch.

One mechanism used by every list, detail page, form choice and API viewset:
``Model.objects.restrict(user)`` (or ``restrict(queryset, user)``) keeps only the rows of the
branches the operator works in. A model says how it reaches a branch with the class attribute
``branch_scope`` — a lookup path such as ``"branch"``, ``"customer__branch"`` or ``"branches"``,
or ``"pk"`` for Branch itself (set ``branch_scope_many = True`` when the path crosses a
many-valued relation); ``None`` means the model is not branch-scoped (reference data). With
``branch_scope_shared = True`` a row without a branch is shared: every operator sees it (e.g. an
IP pool used by every branch).

An operator is limited to the branches of their employee record ("colaborador"). A superuser,
or an operator whose employee record lists no branch, sees every branch.

The declaration is mandatory: ``restrict`` refuses (``ImproperlyConfigured``) a model that says
nothing, so a new model cannot be served unscoped by forgetting it — reference data says
``branch_scope = None`` explicitly, and the system check ``enlace.E001`` lists every
``EnlaceModel`` without a declaration. Models of other packages (Django's users and groups) are
declared here with ``declare``; a declaration may also be a function ``(queryset, user) ->
queryset`` for a rule a lookup path cannot say (operators, ``core.operators``).
"""

from collections.abc import Callable

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .types import Viewer

UNDECLARED = object()

#: Declarations of models Enlace does not define, by ``app_label.model_name``.
_declared: dict[str, str | None | Callable] = {
    "auth.group": None,
    "auth.permission": None,
    "contenttypes.contenttype": None,
}


def declare(model, rule: str | None | Callable) -> None:
    """Declare the branch scope of a model Enlace does not define (a path, None or a function)."""
    label = model if isinstance(model, str) else model._meta.label_lower
    _declared[label] = rule


def scope_rule(model) -> str | None | Callable:
    """The model's ``branch_scope`` declaration; ``ImproperlyConfigured`` when it has none."""
    rule = getattr(model, "branch_scope", UNDECLARED)
    if rule is UNDECLARED:
        rule = _declared.get(model._meta.label_lower, UNDECLARED)
    if rule is UNDECLARED:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no branch_scope: say how it reaches a branch, or "
            "branch_scope = None for reference data shared by every branch."
        )
    return rule


@checks.register()
def check_declarations(app_configs=None, **kwargs):
    """enlace.E001: every business model (``EnlaceModel``) declares its branch scope."""
    from django.apps import apps

    from .models import EnlaceModel

    errors = []
    for model in apps.get_models():
        if issubclass(model, EnlaceModel) and getattr(model, "branch_scope", UNDECLARED) is UNDECLARED:
            errors.append(
                checks.Error(
                    f"{model._meta.label} declares no branch_scope.",
                    hint="Set branch_scope to the lookup path of its branch, or None for reference data.",
                    obj=model,
                    id="enlace.E001",
                )
            )
    return errors


def allowed_branch_ids(user: Viewer) -> frozenset[int] | None:
    """The ids of the branches `user` works in, or None when unrestricted."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, "_enlace_branch_ids", False)
    if cached is not False:
        return cached
    from .models import Employee

    employee = Employee.objects.filter(user=user).only("pk").first()
    ids = None
    if employee is not None:
        branch_ids = frozenset(employee.branches.values_list("pk", flat=True))
        ids = branch_ids or None
    user._enlace_branch_ids = ids
    return ids


def can_use_branch(user: Viewer, branch_id) -> bool:
    ids = allowed_branch_ids(user)
    return ids is None or branch_id in ids


def restrict(queryset: models.QuerySet, user: Viewer, action: str | None = None) -> models.QuerySet:
    """Rows of `queryset` within the user's branches; empty without the model permission `action`."""
    model = queryset.model
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if action is not None:
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not user.has_perm(perm):
            return queryset.none()
    path = scope_rule(model)
    if path is None:
        return queryset
    if callable(path):
        return path(queryset, user)
    ids = allowed_branch_ids(user)
    if ids is None:
        return queryset
    if path == "pk":
        return queryset.filter(pk__in=ids)
    condition = models.Q(**{f"{path}__in": ids})
    if getattr(model, "branch_scope_shared", False):
        condition |= models.Q(**{f"{path}__isnull": True})
    queryset = queryset.filter(condition)
    if getattr(model, "branch_scope_many", False):
        queryset = queryset.distinct()
    return queryset


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Viewer, action: str | None = None):
        return restrict(self, user, action)
