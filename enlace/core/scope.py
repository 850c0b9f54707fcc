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
"""

from django.db import models


def allowed_branch_ids(user) -> frozenset[int] | None:
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


def can_use_branch(user, branch_id) -> bool:
    ids = allowed_branch_ids(user)
    return ids is None or branch_id in ids


def restrict(queryset: models.QuerySet, user, action: str | None = None) -> models.QuerySet:
    """Rows of `queryset` within the user's branches; empty without the model permission `action`."""
    model = queryset.model
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if action is not None:
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not user.has_perm(perm):
            return queryset.none()
    path = getattr(model, "branch_scope", None)
    if path is None:
        return queryset
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
    def restrict(self, user, action: str | None = None):
        return restrict(self, user, action)
