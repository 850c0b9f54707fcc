"""Celery tasks of the RADIUS area. Both are idempotent: ``send_disconnect`` claims its row with a
conditional UPDATE (``enlace.radius.coa``), ``close_stale_sessions`` closes only what is still
open and stale."""

import logging

from celery import shared_task

from enlace.core import context
from enlace.core.tasks import register_periodic

logger = logging.getLogger(__name__)


@shared_task(
    name="enlace.radius.tasks.send_disconnect",
    bind=True,
    max_retries=3,
    default_retry_delay=5,
    acks_late=True,
)
def send_disconnect(self, request_id: int) -> str:
    """Send one Disconnect-Request / CoA-Request; a timeout retries (at most 3 times)."""
    from .coa import send_request

    return send_request(request_id, task=self)


@shared_task(name="enlace.radius.tasks.close_stale_sessions", ignore_result=True)
def close_stale_sessions() -> int:
    """Close accounting sessions without updates for N interim intervals (general parameters);
    also closes requests a dead worker left in ``sending``."""
    from .coa import reset_stuck
    from .sessions import close_stale_sessions as close

    with context.acting_as(None, source="task"):
        closed = close()
        stuck = reset_stuck()
    if closed or stuck:
        logger.info("closed %s stale session(s), %s stuck disconnect request(s)", closed, stuck)
    return closed


register_periodic("radius-close-stale-sessions", "enlace.radius.tasks.close_stale_sessions", 300.0)
