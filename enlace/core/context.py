"""Who is acting, and for which request: read by the audit trail and by services.

The web middleware sets it for each request; Celery tasks and management commands use
``acting_as(user)`` so that their changes are attributed too.
"""

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from .types import Actor


@dataclass(frozen=True)
class ActorContext:
    user: Actor = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    source: str = "system"  # web, api, portal, task, command, system


_current: contextvars.ContextVar[ActorContext | None] = contextvars.ContextVar("enlace_actor", default=None)


def current() -> ActorContext:
    ctx = _current.get()
    return ctx if ctx is not None else ActorContext()


@contextlib.contextmanager
def acting_as(user: Actor, *, source: str = "system", request_id: uuid.UUID | None = None) -> Iterator[None]:
    token = _current.set(ActorContext(user=user, request_id=request_id or uuid.uuid4(), source=source))
    try:
        yield
    finally:
        _current.reset(token)
