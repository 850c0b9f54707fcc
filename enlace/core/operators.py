"""Operator accounts (Configurações ➜ Operadores): Django users, their roles and their password.

``User`` is not an ``EnlaceModel``, so the audit trail is written here with ``record_change``
(the password never leaves the hash: the trail only says that it changed).
"""

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import context
from .audit import record_change, serialize
from .exceptions import ApplicationError, PermissionDeniedError
from .scope import allowed_branch_ids
from .types import Actor
from .validators import has_edge_whitespace

TEXT_FIELDS = ("username", "first_name", "last_name", "email")


def operator_queryset(actor: Actor, queryset=None):
    """The operator accounts ``actor`` may see and manage.

    Everyone for an actor who works in every branch. For a branch-limited actor, only operators
    whose employee record lists branches, all of them among the actor's: an account without an
    employee record, without branches, or a superuser works in every branch, and managing it (its
    password, its roles) would let a branch-limited administrator reach every branch.
    """
    from .models import Branch

    queryset = get_user_model().objects.all() if queryset is None else queryset
    ids = allowed_branch_ids(actor)
    if ids is None:
        return queryset
    return (
        queryset.filter(is_superuser=False, employee__branches__in=ids)
        .exclude(employee__branches__in=Branch.objects.exclude(pk__in=ids))
        .distinct()
    )


def _snapshot(user) -> dict:
    data = serialize(user)  # masks the password hash
    data["groups"] = sorted(user.groups.values_list("name", flat=True))
    return data


def operator_save(*, user, password: str | None = None, groups=None, actor: Actor):
    """Create or change an operator account in one transaction.

    ``user`` carries the typed values (username, names, e-mail, active, superuser); ``password``
    (required for a new account) is checked by Django's password validators; ``groups`` are the
    roles (``None`` keeps them). Only a superuser may create or change a superuser, and nobody
    deactivates their own account. Raises ``ValidationError`` naming the fields.
    """
    from .models import ObjectChange

    user_model = get_user_model()
    ctx = context.current()
    with context.acting_as(actor, source=ctx.source, request_id=ctx.request_id), transaction.atomic():
        old = user_model.objects.select_for_update().filter(pk=user.pk).first() if user.pk else None
        before = _snapshot(old) if old is not None else None

        if actor is not None and not actor.is_superuser and (user.is_superuser or (old and old.is_superuser)):
            raise PermissionDeniedError(
                _("Only a superuser can create or change a superuser account."), field="is_superuser"
            )
        limited_to = allowed_branch_ids(actor) if actor is not None else None
        if (
            limited_to is not None
            and old is not None
            and not operator_queryset(actor).filter(pk=old.pk).exists()
        ):
            raise PermissionDeniedError(
                _(
                    "This operator works in branches you do not; only an operator of every branch can change it."
                )
            )
        if actor is not None and old is not None and actor.pk == user.pk and not user.is_active:
            raise ApplicationError(
                _("You cannot deactivate your own account."), code="own_account", field="is_active"
            )

        errors: dict[str, list] = {}
        for name in TEXT_FIELDS:  # SPEC G-2: no value may start or end with white space
            if has_edge_whitespace(getattr(user, name)):
                errors[name] = [_("Must not start or end with spaces.")]
        try:
            user.full_clean(exclude=["password", *errors])
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if old is None and not password:
            errors.setdefault("password", []).append(_("A new operator needs a password."))
        if password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                errors.setdefault("password", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

        if password:
            user.set_password(password)
        user.save()
        if groups is not None:
            user.groups.set(Group.objects.filter(pk__in=[getattr(g, "pk", g) for g in groups]))
        if limited_to is not None and old is None:
            _limit_new_operator(user, limited_to, actor)

        after = _snapshot(user)
        if password and old is not None:
            after["password_changed"] = True
        action = ObjectChange.Action.UPDATE if old is not None else ObjectChange.Action.CREATE
        record_change(user, action, before, after)
    return user


def _limit_new_operator(user, branch_ids, actor: Actor) -> None:
    """An account created by a branch-limited actor gets an employee record in the actor's
    branches at once; without it the account would work in every branch."""
    from .models import Employee
    from .services import object_save

    name = user.get_full_name() or user.get_username()
    object_save(
        Employee(name=name, user=user, email=user.email), actor=actor, m2m={"branches": sorted(branch_ids)}
    )
