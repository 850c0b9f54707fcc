"""Celery tasks of the RADIUS area."""

from celery import shared_task


@shared_task(bind=True, max_retries=3, default_retry_delay=5, acks_late=True)
def send_disconnect(self, request_id: int) -> str:
    from .coa import send_request

    return send_request(request_id, task=self)
