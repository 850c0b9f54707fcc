"""Type aliases shared by every app's services and selectors (checked by mypy, `make lint`).

Only names for types live here, no behaviour. The user model is Django's ``auth.User``
(``AUTH_USER_MODEL`` is not overridden); it is imported for the type checker only, so this module
can be imported before the app registry is ready.
"""

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

#: Who performs a write: the operator's ``request.user`` (an anonymous user on a public page),
#: or ``None`` for tasks, commands without ``--user`` and the subscriber portal. Services record
#: it in the audit trail and check the operator's branch scope with it.
Actor: TypeAlias = "User | AnonymousUser | None"

#: Whose branch scope a read applies (``core.scope.restrict``): the operator's ``request.user``;
#: ``None`` or an anonymous user sees nothing.
Viewer: TypeAlias = "User | AnonymousUser | None"

#: The logged-in user recorded as "operator" of a movement (``core.services.operator_of``).
Operator: TypeAlias = "User | None"
